package ai.dilation4j.runtime.segment;

import java.nio.FloatBuffer;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.image.DecodedImage;

/**
 * predict.py's preprocessing: 8-bit BGR → float32 minus the BGR mean (in float32) → {@code BORDER_REFLECT_101}
 * margin on every side (reflecting back and forth when the image is smaller than the margin) → tiles of the
 * network input size, padded at the bottom/right with {@code BORDER_REFLECT_101} of the tile itself → NCHW.
 */
public final class TileExtractor implements AutoCloseable {

    private final Mat padded;
    private final TileLayout layout;

    public TileExtractor(DecodedImage image, DatasetSpec dataset, int inputHeight, int inputWidth) {
        this.layout = TileLayout.of(image.height(), image.width(), inputHeight, inputWidth, dataset.labelMargin());
        try (Mat pixels = new Mat()) {
            image.bgr().convertTo(pixels, opencv_core.CV_32FC3);
            subtractMean(pixels, dataset.meanBgr());
            int m = dataset.labelMargin();
            this.padded = new Mat();
            opencv_core.copyMakeBorder(pixels, padded, m, m, m, m, opencv_core.BORDER_REFLECT_101);
        }
    }

    public TileLayout layout() {
        return layout;
    }

    /** The network input for tile ({@code row}, {@code column}), shape {@code [1, 3, inputHeight, inputWidth]}. */
    public INDArray tile(int row, int column) {
        int top = layout.top(row);
        int left = layout.left(column);
        int rows = Math.min(layout.inputHeight(), padded.rows() - top);
        int cols = Math.min(layout.inputWidth(), padded.cols() - left);
        try (Rect window = new Rect(left, top, cols, rows);
             Mat view = new Mat(padded, window);
             Mat tile = new Mat()) {
            // ISOLATED: reflect the tile itself, as predict.py does on its numpy slice, not the pixels around it.
            opencv_core.copyMakeBorder(view, tile, 0, layout.inputHeight() - rows, 0, layout.inputWidth() - cols,
                    opencv_core.BORDER_REFLECT_101 | opencv_core.BORDER_ISOLATED);
            float[] hwc = new float[layout.inputHeight() * layout.inputWidth() * 3];
            ((FloatBuffer) tile.createBuffer()).get(hwc);
            return Nd4j.create(hwc, new long[] {1, layout.inputHeight(), layout.inputWidth(), 3}, 'c')
                    .permute(0, 3, 1, 2).dup('c');
        }
    }

    private static void subtractMean(Mat pixels, double[] meanBgr) {
        FloatBuffer values = pixels.createBuffer();
        float[] mean = {(float) meanBgr[0], (float) meanBgr[1], (float) meanBgr[2]};
        int n = values.limit();
        for (int i = 0; i < n; i++) {
            values.put(i, values.get(i) - mean[i % 3]);
        }
    }

    @Override
    public void close() {
        padded.close();
    }
}
