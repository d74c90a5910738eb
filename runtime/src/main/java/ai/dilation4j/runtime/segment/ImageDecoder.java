package ai.dilation4j.runtime.segment;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;

import ai.dilation4j.runtime.InvalidInputException;

/** Decodes image files with OpenCV the way predict.py does ({@code IMREAD_COLOR}): 8-bit BGR, EXIF-oriented. */
public final class ImageDecoder {

    private static final int HEADER_BYTES = 64 * 1024;

    private ImageDecoder() {
    }

    public static DecodedImage decode(Path file) throws InvalidInputException {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(HEADER_BYTES);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("Image " + file + " does not exist.", e);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read image " + file + ": " + e.getMessage(), e);
        }
        Mat bgr = opencv_imgcodecs.imread(file.toString(), opencv_imgcodecs.IMREAD_COLOR);
        return checked(file.toString(), bgr, head);
    }

    public static DecodedImage decode(String name, byte[] encoded) throws InvalidInputException {
        Mat bgr;
        try (Mat buffer = new Mat(new BytePointer(encoded))) {
            bgr = opencv_imgcodecs.imdecode(buffer, opencv_imgcodecs.IMREAD_COLOR);
        }
        return checked(name, bgr, Arrays.copyOf(encoded, Math.min(encoded.length, HEADER_BYTES)));
    }

    private static DecodedImage checked(String name, Mat bgr, byte[] head) throws InvalidInputException {
        if (bgr == null || bgr.empty()) {
            if (bgr != null) {
                bgr.close();
            }
            throw new InvalidInputException("Cannot decode image " + name + ": it is not an image OpenCV can read "
                    + "(PNG, JPEG, BMP, TIFF, WebP, ...), or it is truncated or corrupt.");
        }
        List<String> conversions = ImageHeader.conversions(head);
        return new DecodedImage(name, bgr, conversions);
    }
}
