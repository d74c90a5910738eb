package ai.dilation4j.converter.mappers;

import static ai.dilation4j.converter.mappers.MapperHarness.assertClose;
import static ai.dilation4j.converter.mappers.MapperHarness.assertRefused;
import static ai.dilation4j.converter.mappers.MapperHarness.map;
import static ai.dilation4j.converter.mappers.MapperHarness.random;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.api.ndarray.INDArray;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.runtime.nn.conv.GemmConvolutionLayer;

class ConvolutionMapperTest {

    private static String net(long channels, String convolutionParam) {
        return "input: \"data\" input_shape { dim: 1 dim: " + channels + " dim: 7 dim: 8 }\n"
                + "layer { name: \"conv\" type: \"Convolution\" bottom: \"data\" top: \"conv\"\n"
                + "  convolution_param { " + convolutionParam + " } }\n";
    }

    @Test
    void geometryChannelsAndBiasGoToAGemmConvolutionLayer() throws ConversionException {
        MapperHarness.Mapped mapped = map(net(2, "num_output: 3 kernel_h: 3 kernel_w: 2 stride: 2 pad_h: 1 pad_w: 0"
                + " dilation: 2"));
        ConvolutionLayer layer = (ConvolutionLayer) mapped.layer("conv");
        assertThat(layer).isInstanceOf(GemmConvolutionLayer.class);
        assertThat(layer.getKernelSize()).containsExactly(3, 2);
        assertThat(layer.getStride()).containsExactly(2, 2);
        assertThat(layer.getPadding()).containsExactly(1, 0);
        assertThat(layer.getDilation()).containsExactly(2, 2);
        assertThat(layer.getConvolutionMode()).isEqualTo(ConvolutionMode.Truncate);
        assertThat(layer.getNIn()).isEqualTo(2);
        assertThat(layer.getNOut()).isEqualTo(3);
        assertThat(layer.hasBias()).isTrue();
        assertThat(layer.getActivationFn()).isInstanceOf(ActivationIdentity.class);
        // Caffe: out = floor((in + 2 pad - dilation (k - 1) - 1) / stride) + 1
        assertThat(mapped.context().blobShape("conv").toString()).isEqualTo("3x3x3");
        assertThat(mapped.context().weightBindings().get("conv").blobRoles()).containsExactly("weights", "bias");
        assertThat(mapped.context().weightBindings().get("conv").expectedShapes())
                .satisfiesExactly(w -> assertThat(w).containsExactly(3, 2, 3, 2), b -> assertThat(b).containsExactly(3));
    }

    @Test
    void forwardMatchesAPlainCaffeConvolution() throws ConversionException {
        checkForward(2, 4, 1, "kernel_h: 3 kernel_w: 2 stride: 2 pad: 1 dilation: 2", 3, 2, 2, 1, 2);
    }

    @Test
    void groupsBecomeBlockDiagonalWeightsWithTheSameResult() throws ConversionException {
        MapperHarness.Mapped mapped = checkForward(4, 6, 2, "kernel_size: 3 pad: 1", 3, 3, 1, 1, 1);
        assertThat(mapped.layer("conv")).isInstanceOf(GemmConvolutionLayer.class);
        assertThat(((ConvolutionLayer) mapped.layer("conv")).getNIn()).isEqualTo(4);
    }

    @Test
    void groupEqualToChannelsBecomesADepthwiseConvolution() throws ConversionException {
        MapperHarness.Mapped mapped = checkForward(3, 6, 3, "kernel_size: 3 dilation: 2 pad: 2", 3, 3, 1, 2, 2);
        assertThat(mapped.layer("conv")).isInstanceOf(DepthwiseConvolution2D.class);
        assertThat(((DepthwiseConvolution2D) mapped.layer("conv")).getDepthMultiplier()).isEqualTo(2);
    }

    @Test
    void withoutBiasTermOnlyWeightsAreExpected() throws ConversionException {
        MapperHarness.Mapped mapped = map(net(2, "num_output: 3 kernel_size: 1 bias_term: false"));
        assertThat(((ConvolutionLayer) mapped.layer("conv")).hasBias()).isFalse();
        assertThat(mapped.context().weightBindings().get("conv").blobRoles()).containsExactly("weights");
    }

    @Test
    void badParametersAreRefusedNamingTheLayer() {
        assertRefused(net(2, "num_output: 0 kernel_size: 3"), "Layer 'conv' (Convolution)", "num_output 0");
        assertRefused(net(4, "num_output: 6 kernel_size: 3 group: 3"), "Layer 'conv' (Convolution)", "group 3",
                "(4)", "(6)");
        assertRefused(net(2, "num_output: 3"), "Layer 'conv' (Convolution)", "no kernel_size");
        assertRefused(net(2, "num_output: 3 kernel_size: 3 stride: 0"), "Layer 'conv' (Convolution)",
                "invalid geometry");
        assertRefused(net(2, "num_output: 3 kernel_h: 3 kernel_w: 3 kernel_size: 3"), "Layer 'conv' (Convolution)",
                "kernel_h/kernel_w and the generic form");
        assertRefused(net(2, "num_output: 3 kernel_size: 9"), "Layer 'conv' (Convolution)",
                "smaller than its dilated kernel");
        assertRefused(net(2, "num_output: 3 kernel_size: 3 axis: 2"), "Layer 'conv' (Convolution)", "axis 2");
        assertRefused(net(2, "num_output: 2000000000 kernel_size: 3"), "Layer 'conv' (Convolution)",
                "one array can hold");
    }

    /** Maps, binds random Caffe weights and bias, and compares the forward pass with {@link #caffeConvolution}. */
    private static MapperHarness.Mapped checkForward(int in, int out, int group, String geometry, int kh, int kw,
                                                     int stride, int pad, int dilation) throws ConversionException {
        MapperHarness.Mapped mapped = map(net(in, "num_output: " + out + " group: " + group + " " + geometry));
        INDArray weights = random(1, out, in / group, kh, kw);
        INDArray bias = random(2, out);
        INDArray input = random(3, 1, in, 7, 8);
        INDArray actual = mapped.forward(mapped.graph(Map.of("conv", List.of(weights, bias))), "conv", input);
        INDArray expected = caffeConvolution(input, weights, bias, group, stride, pad, dilation);
        assertClose(actual, expected, 1e-4);
        return mapped;
    }

    /** Caffe's convolution, one multiply-add at a time (square stride/pad/dilation). */
    static INDArray caffeConvolution(INDArray x, INDArray w, INDArray b, int group, int stride, int pad,
                                     int dilation) {
        long in = x.size(1);
        long out = w.size(0);
        long kh = w.size(2);
        long kw = w.size(3);
        long oh = (x.size(2) + 2L * pad - (dilation * (kh - 1) + 1)) / stride + 1;
        long ow = (x.size(3) + 2L * pad - (dilation * (kw - 1) + 1)) / stride + 1;
        INDArray y = org.nd4j.linalg.factory.Nd4j.zeros(x.dataType(), 1, out, oh, ow);
        long inPerGroup = in / group;
        long outPerGroup = out / group;
        for (long o = 0; o < out; o++) {
            long g = o / outPerGroup;
            for (long r = 0; r < oh; r++) {
                for (long c = 0; c < ow; c++) {
                    double sum = b.getDouble(o);
                    for (long i = 0; i < inPerGroup; i++) {
                        for (long u = 0; u < kh; u++) {
                            for (long v = 0; v < kw; v++) {
                                long yy = r * stride - pad + u * dilation;
                                long xx = c * stride - pad + v * dilation;
                                if (yy >= 0 && yy < x.size(2) && xx >= 0 && xx < x.size(3)) {
                                    sum += w.getDouble(o, i, u, v) * x.getDouble(0, g * inPerGroup + i, yy, xx);
                                }
                            }
                        }
                    }
                    y.putScalar(new long[] {0, o, r, c}, sum);
                }
            }
        }
        return y;
    }
}
