package ai.dilation4j.converter.mappers;

import static ai.dilation4j.converter.mappers.MapperHarness.assertClose;
import static ai.dilation4j.converter.mappers.MapperHarness.assertRefused;
import static ai.dilation4j.converter.mappers.MapperHarness.map;
import static ai.dilation4j.converter.mappers.MapperHarness.random;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.converter.api.ConversionException;

class DeconvolutionMapperTest {

    private static String net(long channels, String convolutionParam) {
        return "input: \"data\" input_shape { dim: 1 dim: " + channels + " dim: 4 dim: 5 }\n"
                + "layer { name: \"up\" type: \"Deconvolution\" bottom: \"data\" top: \"up\"\n"
                + "  convolution_param { " + convolutionParam + " } }\n";
    }

    @Test
    void geometryGoesToADeconvolution2DWithCaffesWeightLayout() throws ConversionException {
        MapperHarness.Mapped mapped = map(net(2, "num_output: 3 kernel_size: 4 stride: 2 pad: 1"));
        Deconvolution2D layer = (Deconvolution2D) mapped.layer("up");
        assertThat(layer.getKernelSize()).containsExactly(4, 4);
        assertThat(layer.getStride()).containsExactly(2, 2);
        assertThat(layer.getPadding()).containsExactly(1, 1);
        assertThat(layer.getNIn()).isEqualTo(2);
        assertThat(layer.getNOut()).isEqualTo(3);
        // stride (in - 1) + kernel - 2 pad
        assertThat(mapped.context().blobShape("up").toString()).isEqualTo("3x8x10");
        assertThat(mapped.context().weightBindings().get("up").expectedShapes().get(0)).containsExactly(2, 3, 4, 4);
    }

    @Test
    void forwardMatchesAPlainCaffeDeconvolution() throws ConversionException {
        checkForward(2, 3, 1, 3, 2, 1);
    }

    @Test
    void groupedDeconvolutionSuchAsPerClassUpsamplingMatchesToo() throws ConversionException {
        checkForward(3, 3, 3, 4, 2, 1);
        checkForward(4, 2, 2, 3, 1, 0);
    }

    @Test
    void badParametersAreRefusedNamingTheLayer() {
        assertRefused(net(2, "num_output: 3 kernel_size: 2 pad: 5"), "Layer 'up' (Deconvolution)",
                "leaves no output");
        assertRefused(net(2, "num_output: 3 kernel_size: 2 group: 2 "), "Layer 'up' (Deconvolution)", "group 2");
        assertRefused(net(2, "num_output: 3"), "Layer 'up' (Deconvolution)", "no kernel_size");
    }

    private static void checkForward(int in, int out, int group, int kernel, int stride, int pad)
            throws ConversionException {
        MapperHarness.Mapped mapped = map(net(in, "num_output: " + out + " group: " + group + " kernel_size: "
                + kernel + " stride: " + stride + " pad: " + pad));
        INDArray weights = random(4, in, out / group, kernel, kernel);
        INDArray bias = random(5, out);
        INDArray input = random(6, 1, in, 4, 5);
        INDArray actual = mapped.forward(mapped.graph(Map.of("up", List.of(weights, bias))), "up", input);
        INDArray expected = caffeDeconvolution(input, weights, bias, group, stride, pad);
        assertClose(actual, expected, 1e-4);
    }

    /** Caffe's deconvolution: each input pixel scatters its kernel-weighted value (no kernel flip). */
    private static INDArray caffeDeconvolution(INDArray x, INDArray w, INDArray b, int group, int stride, int pad) {
        long in = x.size(1);
        long outPerGroup = w.size(1);
        long out = outPerGroup * group;
        long k = w.size(2);
        long oh = stride * (x.size(2) - 1) + k - 2L * pad;
        long ow = stride * (x.size(3) - 1) + k - 2L * pad;
        double[][][] y = new double[(int) out][(int) oh][(int) ow];
        long inPerGroup = in / group;
        for (long i = 0; i < in; i++) {
            long g = i / inPerGroup;
            for (long r = 0; r < x.size(2); r++) {
                for (long c = 0; c < x.size(3); c++) {
                    for (long o = 0; o < outPerGroup; o++) {
                        for (long u = 0; u < k; u++) {
                            for (long v = 0; v < k; v++) {
                                long yy = r * stride - pad + u;
                                long xx = c * stride - pad + v;
                                if (yy >= 0 && yy < oh && xx >= 0 && xx < ow) {
                                    y[(int) (g * outPerGroup + o)][(int) yy][(int) xx] += x.getDouble(0, i, r, c)
                                            * w.getDouble(i, o, u, v);
                                }
                            }
                        }
                    }
                }
            }
        }
        INDArray result = Nd4j.zeros(x.dataType(), 1, out, oh, ow);
        for (int o = 0; o < out; o++) {
            for (int r = 0; r < oh; r++) {
                for (int c = 0; c < ow; c++) {
                    result.putScalar(new long[] {0, o, r, c}, y[o][r][c] + b.getDouble(o));
                }
            }
        }
        return result;
    }
}
