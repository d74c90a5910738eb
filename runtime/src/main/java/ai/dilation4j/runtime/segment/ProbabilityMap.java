package ai.dilation4j.runtime.segment;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Per-class output maps stitched from the tiles' outputs, brought to image resolution as predict.py does:
 * zoom 1 takes the image's region; zoom > 1 uses fyu/dilation's {@code util.interp_map} bilinear rule (in double,
 * stored as float32), reading the last row/column again where predict.py would read past its array.
 */
public final class ProbabilityMap {

    private final int classes;
    private final int height;
    private final int width;
    /** {@code values[c][y * width + x]}. */
    private final float[][] values;

    private ProbabilityMap(int classes, int height, int width, float[][] values) {
        this.classes = classes;
        this.height = height;
        this.width = width;
        this.values = values;
    }

    /** A stitched map of {@code rows x cols} per class, filled tile by tile with {@link #place}. */
    public static ProbabilityMap empty(int classes, int rows, int cols) {
        return new ProbabilityMap(classes, rows, cols, new float[classes][rows * cols]);
    }

    /** Copies one tile's network output {@code [1, C, h, w]} to rows {@code top..}, columns {@code left..}. */
    public void place(INDArray tileOutput, int top, int left) {
        int h = (int) tileOutput.size(2);
        int w = (int) tileOutput.size(3);
        for (int c = 0; c < classes; c++) {
            float[] plane = tileOutput.get(NDArrayIndex.point(0), NDArrayIndex.point(c)).dup('c').data().asFloat();
            for (int y = 0; y < h; y++) {
                System.arraycopy(plane, y * w, values[c], (top + y) * width + left, w);
            }
        }
    }

    /** The map at image size: the top-left region for zoom 1, {@code interp_map} otherwise. */
    public ProbabilityMap toImageSize(int zoom, int imageHeight, int imageWidth) {
        float[][] out = new float[classes][imageHeight * imageWidth];
        for (int c = 0; c < classes; c++) {
            float[] p = values[c];
            float[] o = out[c];
            if (zoom == 1) {
                for (int y = 0; y < imageHeight; y++) {
                    System.arraycopy(p, y * width, o, y * imageWidth, imageWidth);
                }
                continue;
            }
            for (int y = 0; y < imageHeight; y++) {
                int r0 = y / zoom;
                int r1 = Math.min(r0 + 1, height - 1);
                double rt = (double) y / zoom - r0;
                for (int x = 0; x < imageWidth; x++) {
                    int c0 = x / zoom;
                    int c1 = Math.min(c0 + 1, width - 1);
                    double ct = (double) x / zoom - c0;
                    double v0 = rt * p[r1 * width + c0] + (1 - rt) * p[r0 * width + c0];
                    double v1 = rt * p[r1 * width + c1] + (1 - rt) * p[r0 * width + c1];
                    o[y * imageWidth + x] = (float) ((1 - ct) * v0 + ct * v1);
                }
            }
        }
        return new ProbabilityMap(classes, imageHeight, imageWidth, out);
    }

    /** Per pixel, the class with the highest value (the first one on ties, as numpy's argmax). */
    public int[] argmax() {
        int[] labels = new int[height * width];
        float[] best = values[0].clone();
        for (int c = 1; c < classes; c++) {
            float[] plane = values[c];
            for (int i = 0; i < labels.length; i++) {
                if (plane[i] > best[i]) {
                    best[i] = plane[i];
                    labels[i] = c;
                }
            }
        }
        return labels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    /** The values as a {@code C x H x W} array (a copy). */
    public INDArray toArray() {
        float[] flat = new float[classes * height * width];
        for (int c = 0; c < classes; c++) {
            System.arraycopy(values[c], 0, flat, c * height * width, height * width);
        }
        return org.nd4j.linalg.factory.Nd4j.create(flat, new long[] {classes, height, width}, 'c');
    }
}
