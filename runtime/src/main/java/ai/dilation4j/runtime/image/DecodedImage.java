package ai.dilation4j.runtime.image;

import java.util.List;

import org.bytedeco.opencv.opencv_core.Mat;

/**
 * An image decoded to 8-bit BGR, as {@code cv2.imread(path, cv2.IMREAD_COLOR)} gives it to predict.py (EXIF
 * orientation applied), with the conversions that implied.
 *
 * @param name        where it came from, for messages and output names
 * @param bgr         {@code CV_8UC3} pixels; owned by this object, released by {@link #close()}
 * @param conversions e.g. "grayscale image replicated to 3 channels"; empty for an 8-bit color image
 */
public record DecodedImage(String name, Mat bgr, List<String> conversions) implements AutoCloseable {

    public int width() {
        return bgr.cols();
    }

    public int height() {
        return bgr.rows();
    }

    @Override
    public void close() {
        bgr.close();
    }
}
