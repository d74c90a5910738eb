package ai.dilation4j.runtime.nn.caffe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import ai.dilation4j.runtime.nn.caffe.CaffePoolingVertex.Method;

/**
 * The pooling vertex's gradient against Caffe's backward loops (pooling_layer.cpp, written out below) on inputs full
 * of ties, and against central differences of its own forward pass in double precision, for Caffe's rounded-up
 * windows, padding and the clipped AVE divisor that DL4J's layers have no equal for.
 */
class CaffePoolingBackwardTest {

    @ParameterizedTest(name = "{0}: {1} channels, {2}x{3}, kernel {4}, stride {5}, pad {6}")
    @CsvSource({
            "MAX, 64, 16, 16, 2, 2, 0", // DilatedNet's pool1-3: oneDNN forward
            "MAX, 16, 9, 11, 2, 2, 0",  // Caffe's extra last window, clipped
            "MAX, 32, 13, 12, 3, 2, 1", // overlapping windows with padding: a cell can win several windows
            "MAX, 17, 8, 8, 3, 1, 1",
            "MAX, 20, 37, 37, 3, 3, 2", // the last window must not start in the padding
            "MAX, 4, 9, 11, 2, 2, 0",   // few channels: libnd4j forward
            "AVE, 16, 16, 16, 2, 2, 0",
            "AVE, 4, 9, 11, 2, 2, 0",   // clipped last window: Caffe divides by what lies inside
            "AVE, 8, 13, 12, 3, 2, 1",  // padding counts in the divisor
            "AVE, 3, 37, 37, 3, 3, 2",
    })
    void routesTheGradientAsCaffeDoes(Method method, int channels, int height, int width, int kernel, int stride,
                                      int pad) {
        Nd4j.getRandom().setSeed(channels * 1000L + height);
        // integers in [-3, 3]: most windows hold ties, which MAX must resolve to the first maximum as Caffe does
        INDArray input = Transforms.floor(Nd4j.randn(DataType.FLOAT, 2, channels, height, width).muli(1.5), false);
        CaffePoolingVertex conf = new CaffePoolingVertex(method, kernel, kernel, stride, stride, pad, pad);
        long outH = CaffePoolingVertex.outputSize(height, kernel, stride, pad);
        long outW = CaffePoolingVertex.outputSize(width, kernel, stride, pad);
        INDArray outputGradient = Nd4j.rand(DataType.FLOAT, 2, channels, outH, outW).subi(0.5);

        INDArray gradient = new CaffeVertexHarness(conf, 1, DataType.FLOAT).backward(outputGradient, input)[0];

        INDArray expected = caffeBackward(input, outputGradient, method, kernel, stride, pad);
        assertThat(gradient.shape()).isEqualTo(input.shape());
        assertThat(maxAbsDifference(gradient, expected)).as("largest difference to Caffe").isLessThan(1e-5);
    }

    @ParameterizedTest(name = "{0}: {1}x{2}, kernel {3}, stride {4}, pad {5}")
    @CsvSource({
            "MAX, 9, 11, 2, 2, 0",
            "MAX, 8, 8, 3, 2, 1",   // DL4J's Truncate gives 4 rows, Caffe 5
            "MAX, 13, 13, 3, 3, 2", // last window dropped
            "AVE, 9, 11, 2, 2, 0",
            "AVE, 8, 8, 3, 2, 1",
            "AVE, 13, 13, 3, 3, 2",
            "AVE, 10, 7, 3, 2, 2",  // clipped last window on both axes
    })
    void agreesWithCentralDifferences(Method method, int height, int width, int kernel, int stride, int pad) {
        Nd4j.getRandom().setSeed(height * 100L + width);
        INDArray input = Nd4j.randn(DataType.DOUBLE, 1, 1, height, width);
        CaffePoolingVertex conf = new CaffePoolingVertex(method, kernel, kernel, stride, stride, pad, pad);
        CaffeVertexHarness pool = new CaffeVertexHarness(conf, 1, DataType.DOUBLE);
        INDArray weights = Nd4j.randn(DataType.DOUBLE, pool.forward(input).shape());

        INDArray gradient = pool.backward(weights, input)[0];

        double step = 1e-5;
        INDArray numeric = Nd4j.create(DataType.DOUBLE, input.shape());
        for (long i = 0; i < input.length(); i++) {
            double original = input.getDouble(i);
            input.putScalar(i, original + step);
            double above = pool.forward(input).mul(weights).sumNumber().doubleValue();
            input.putScalar(i, original - step);
            double below = pool.forward(input).mul(weights).sumNumber().doubleValue();
            input.putScalar(i, original);
            numeric.putScalar(i, (above - below) / (2 * step));
        }
        assertThat(maxAbsDifference(gradient, numeric)).as("largest difference to central differences")
                .isLessThan(1e-7);
        assertThat(numeric.norm1Number().doubleValue()).as("the check is not vacuous").isGreaterThan(1);
    }

    private static double maxAbsDifference(INDArray a, INDArray b) {
        return Transforms.abs(a.castTo(DataType.DOUBLE).sub(b.castTo(DataType.DOUBLE))).maxNumber().doubleValue();
    }

    /** Caffe's Backward_cpu: MAX to the first largest cell of each window, AVE spread by Caffe's divisor. */
    private static INDArray caffeBackward(INDArray input, INDArray outputGradient, Method method, int kernel,
                                          int stride, int pad) {
        int height = (int) input.size(2);
        int width = (int) input.size(3);
        INDArray gradient = Nd4j.create(DataType.DOUBLE, input.shape());
        for (int n = 0; n < input.size(0); n++) {
            for (int c = 0; c < input.size(1); c++) {
                for (int ph = 0; ph < outputGradient.size(2); ph++) {
                    for (int pw = 0; pw < outputGradient.size(3); pw++) {
                        double top = outputGradient.getDouble(n, c, ph, pw);
                        int hStart = ph * stride - pad;
                        int wStart = pw * stride - pad;
                        if (method == Method.MAX) {
                            int[] winner = firstMaximum(input, n, c, Math.max(hStart, 0),
                                    Math.min(hStart + kernel, height), Math.max(wStart, 0),
                                    Math.min(wStart + kernel, width));
                            addTo(gradient, n, c, winner[0], winner[1], top);
                            continue;
                        }
                        int hEnd = Math.min(hStart + kernel, height + pad);
                        int wEnd = Math.min(wStart + kernel, width + pad);
                        double share = top / ((hEnd - hStart) * (wEnd - wStart));
                        for (int h = Math.max(hStart, 0); h < Math.min(hEnd, height); h++) {
                            for (int w = Math.max(wStart, 0); w < Math.min(wEnd, width); w++) {
                                addTo(gradient, n, c, h, w, share);
                            }
                        }
                    }
                }
            }
        }
        return gradient;
    }

    private static int[] firstMaximum(INDArray input, int n, int c, int hFrom, int hTo, int wFrom, int wTo) {
        int[] winner = {-1, -1};
        double max = -Float.MAX_VALUE;
        for (int h = hFrom; h < hTo; h++) {
            for (int w = wFrom; w < wTo; w++) {
                double value = input.getDouble(n, c, h, w);
                if (value > max) {
                    max = value;
                    winner = new int[] {h, w};
                }
            }
        }
        return winner;
    }

    private static void addTo(INDArray gradient, int n, int c, int h, int w, double value) {
        gradient.putScalar(new long[] {n, c, h, w}, gradient.getDouble(n, c, h, w) + value);
    }
}
