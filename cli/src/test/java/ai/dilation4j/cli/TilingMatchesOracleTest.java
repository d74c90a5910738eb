package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.models.ModelRegistry;
import ai.dilation4j.runtime.io.Npy;
import ai.dilation4j.testing.OpenCvDnnOracle;

/**
 * Images that need several tiles (and one smaller than the label margin), and a network whose tile output is not
 * the valid region divided by the zoom (predict.py stitches it as it comes), segmented by {@code segment} and by a
 * second, deliberately plain implementation of predict.py written here: index arithmetic for the reflected
 * margin and tile padding, OpenCV DNN as the network, loops for stitching, {@code interp_map} and argmax.
 * Labels must agree except where the oracle's top-2 margin is below 1e-4.
 */
class TilingMatchesOracleTest {

    @ParameterizedTest(name = "{0}x{1} image, {2}x{3} network input")
    @CsvSource({"45, 61, 388, 396", "33, 20, 388, 396", "5, 7, 388, 396", "45, 61, 389, 405"})
    void segmentMatchesAPlainPredictPy(int height, int width, int inputHeight, int inputWidth, @TempDir Path dir)
            throws Exception {
        Path model = TinyModel.convert(dir, TinyModel.withInput(inputHeight, inputWidth));
        Path image = TinyModel.image(dir.resolve("scene.png"), height, width, height * 31 + width);
        CliRun run = CliRun.of("segment", "--model", model.toString(), "-o", dir.toString(), "--output",
                "labels,prob", image.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();

        DatasetSpec dataset = ModelRegistry.find("pascal_voc").orElseThrow().dataset();
        float[][][] expected;
        try (OpenCvDnnOracle network = new OpenCvDnnOracle(dir.resolve("tiny_deploy.prototxt"),
                dir.resolve("tiny.caffemodel"))) {
            expected = predictPy(network, image, dataset, inputHeight, inputWidth);
        }
        INDArray prob = Npy.read(dir.resolve("scene_prob.npy"));
        int[] labels = SegmentFixturesTest.pixels(dir.resolve("scene_labels.png"));
        assertThat(prob.shape()).containsExactly(21, height, width);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int best = argmax(expected, y, x);
                if (labels[y * width + x] != best) {
                    assertThat(topTwoMargin(expected, y, x)).as("pixel %d,%d", y, x).isLessThan(1e-4);
                }
                for (int c = 0; c < 21; c++) {
                    assertThat((double) prob.getFloat(c, y, x)).isCloseTo(expected[c][y][x],
                            org.assertj.core.api.Assertions.within(1e-5));
                }
            }
        }
    }

    /** predict.py, spelled out: returns prob[c][y][x] at image size. */
    static float[][][] predictPy(OpenCvDnnOracle network, Path imageFile, DatasetSpec dataset, int inH, int inW) {
        int m = dataset.labelMargin();
        int zoom = dataset.zoom();
        double[] mean = dataset.meanBgr();
        int height;
        int width;
        float[][][] image;
        try (Mat bgr = opencv_imgcodecs.imread(imageFile.toString(), opencv_imgcodecs.IMREAD_COLOR)) {
            height = bgr.rows();
            width = bgr.cols();
            ByteBuffer bytes = bgr.createBuffer();
            image = new float[height][width][3];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    for (int c = 0; c < 3; c++) {
                        image[y][x][c] = (bytes.get(3 * (y * width + x) + c) & 0xff) - (float) mean[c];
                    }
                }
            }
        }
        int paddedH = height + 2 * m;
        int paddedW = width + 2 * m;
        int outH = inH - 2 * m;
        int outW = inW - 2 * m;
        int tilesH = (height + outH - 1) / outH;
        int tilesW = (width + outW - 1) / outW;
        float[][][] stitched = null;
        int h = 0;
        int w = 0;
        for (int th = 0; th < tilesH; th++) {
            for (int tw = 0; tw < tilesW; tw++) {
                int top = th * outH;
                int left = tw * outW;
                int rows = Math.min(inH, paddedH - top);
                int cols = Math.min(inW, paddedW - left);
                float[] tile = new float[3 * inH * inW];
                for (int ty = 0; ty < inH; ty++) {
                    int py = top + reflect101(ty, rows);
                    int sy = reflect101(py - m, height);
                    for (int tx = 0; tx < inW; tx++) {
                        int px = left + reflect101(tx, cols);
                        int sx = reflect101(px - m, width);
                        for (int c = 0; c < 3; c++) {
                            tile[(c * inH + ty) * inW + tx] = image[sy][sx][c];
                        }
                    }
                }
                INDArray out = network.forward(Nd4j.create(tile, new long[] {1, 3, inH, inW}, 'c'), "prob");
                h = (int) out.size(2);
                w = (int) out.size(3);
                if (stitched == null) {
                    stitched = new float[(int) out.size(1)][tilesH * h][tilesW * w];
                }
                for (int c = 0; c < stitched.length; c++) {
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            stitched[c][th * h + y][tw * w + x] = out.getFloat(0, c, y, x);
                        }
                    }
                }
            }
        }
        float[][][] prob = new float[stitched.length][height][width];
        int rowsTotal = tilesH * h;
        int colsTotal = tilesW * w;
        for (int c = 0; c < prob.length; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    if (zoom == 1) {
                        prob[c][y][x] = stitched[c][y][x];
                        continue;
                    }
                    int r0 = y / zoom;
                    int c0 = x / zoom;
                    int r1 = Math.min(r0 + 1, rowsTotal - 1);
                    int c1 = Math.min(c0 + 1, colsTotal - 1);
                    double rt = (double) y / zoom - r0;
                    double ct = (double) x / zoom - c0;
                    double v0 = rt * stitched[c][r1][c0] + (1 - rt) * stitched[c][r0][c0];
                    double v1 = rt * stitched[c][r1][c1] + (1 - rt) * stitched[c][r0][c1];
                    prob[c][y][x] = (float) ((1 - ct) * v0 + ct * v1);
                }
            }
        }
        return prob;
    }

    /** OpenCV's BORDER_REFLECT_101 index rule, reflecting back and forth for any distance. */
    static int reflect101(int p, int n) {
        if (n == 1) {
            return 0;
        }
        int period = 2 * n - 2;
        p = Math.floorMod(p, period);
        return p < n ? p : period - p;
    }

    private static int argmax(float[][][] prob, int y, int x) {
        int best = 0;
        for (int c = 1; c < prob.length; c++) {
            if (prob[c][y][x] > prob[best][y][x]) {
                best = c;
            }
        }
        return best;
    }

    private static double topTwoMargin(float[][][] prob, int y, int x) {
        float[] values = new float[prob.length];
        for (int c = 0; c < values.length; c++) {
            values[c] = prob[c][y][x];
        }
        return SegmentFixturesTest.topTwoMargin(values);
    }
}
