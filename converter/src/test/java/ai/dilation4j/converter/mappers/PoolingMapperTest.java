package ai.dilation4j.converter.mappers;

import static ai.dilation4j.converter.mappers.MapperHarness.assertClose;
import static ai.dilation4j.converter.mappers.MapperHarness.assertRefused;
import static ai.dilation4j.converter.mappers.MapperHarness.map;
import static ai.dilation4j.converter.mappers.MapperHarness.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.api.UnsupportedLayerException;
import ai.dilation4j.runtime.nn.caffe.CaffePoolingVertex;

class PoolingMapperTest {

    private static String net(String poolingParam) {
        return "input: \"data\" input_shape { dim: 1 dim: 2 dim: 7 dim: 8 }\n"
                + "layer { name: \"pool\" type: \"Pooling\" bottom: \"data\" top: \"pool\"\n"
                + "  pooling_param { " + poolingParam + " } }\n";
    }

    @Test
    void maxPoolingKeepsCaffesRoundedUpOutputSize() throws ConversionException {
        MapperHarness.Mapped mapped = map(net("pool: MAX kernel_size: 3 stride: 2"));
        assertThat(mapped.vertex("pool")).isEqualTo(new CaffePoolingVertex(CaffePoolingVertex.Method.MAX, 3, 3, 2, 2,
                0, 0));
        // ceil((7 - 3) / 2) + 1 = 3, ceil((8 - 3) / 2) + 1 = 4 (floor would give 3)
        assertThat(mapped.context().blobShape("pool").toString()).isEqualTo("2x3x4");
        assertThat(mapped.context().weightBindings()).isEmpty();
        checkForward(mapped, false, 3, 3, 2, 0);
    }

    @Test
    void averagePoolingWithPaddingDividesLikeCaffe() throws ConversionException {
        MapperHarness.Mapped mapped = map(net("pool: AVE kernel_h: 3 kernel_w: 2 stride: 2 pad_h: 1 pad_w: 1"));
        assertThat(mapped.vertex("pool")).isEqualTo(new CaffePoolingVertex(CaffePoolingVertex.Method.AVE, 3, 2, 2, 2,
                1, 1));
        checkForward(mapped, true, 3, 2, 2, 1);
    }

    @Test
    void globalPoolingCoversTheWholeInput() throws ConversionException {
        MapperHarness.Mapped mapped = map(net("pool: AVE global_pooling: true"));
        assertThat(mapped.vertex("pool")).isEqualTo(new CaffePoolingVertex(CaffePoolingVertex.Method.AVE, 7, 8, 1, 1,
                0, 0));
        assertThat(mapped.context().blobShape("pool").toString()).isEqualTo("2x1x1");
    }

    @Test
    void badParametersAreRefusedNamingTheLayer() {
        assertThatThrownBy(() -> map(net("pool: STOCHASTIC kernel_size: 2")))
                .isInstanceOf(UnsupportedLayerException.class)
                .hasMessageContainingAll("Layer 'pool' (Pooling)", "STOCHASTIC");
        assertRefused(net("pool: MAX kernel_size: 2 pad: 2"), "Layer 'pool' (Pooling)", "pad (2x2)",
                "smaller than the kernel");
        assertRefused(net("pool: MAX kernel_size: 9"), "Layer 'pool' (Pooling)", "smaller than the pooling kernel");
        assertRefused(net("pool: MAX global_pooling: true kernel_size: 2"), "Layer 'pool' (Pooling)",
                "global_pooling takes no kernel size");
        assertRefused(net("pool: MAX"), "Layer 'pool' (Pooling)", "no kernel_size");
    }

    private static void checkForward(MapperHarness.Mapped mapped, boolean average, int kh, int kw, int stride,
                                     int pad) {
        INDArray input = random(7, 1, 2, 7, 8);
        INDArray actual = mapped.forward(mapped.graph(Map.of()), "pool", input);
        long oh = CaffePoolingVertex.outputSize(7, kh, stride, pad);
        long ow = CaffePoolingVertex.outputSize(8, kw, stride, pad);
        INDArray expected = Nd4j.zeros(input.dataType(), 1, 2, oh, ow);
        for (int c = 0; c < 2; c++) {
            for (int r = 0; r < oh; r++) {
                for (int q = 0; q < ow; q++) {
                    // Caffe's pooling_layer.cpp: the average divides by the window clipped to the padded input
                    int hStart = r * stride - pad;
                    int wStart = q * stride - pad;
                    int hEnd = Math.min(hStart + kh, 7 + pad);
                    int wEnd = Math.min(wStart + kw, 8 + pad);
                    int poolSize = (hEnd - hStart) * (wEnd - wStart);
                    double value = average ? 0 : Double.NEGATIVE_INFINITY;
                    for (int y = Math.max(hStart, 0); y < Math.min(hEnd, 7); y++) {
                        for (int x = Math.max(wStart, 0); x < Math.min(wEnd, 8); x++) {
                            double v = input.getDouble(0, c, y, x);
                            value = average ? value + v : Math.max(value, v);
                        }
                    }
                    expected.putScalar(new long[] {0, c, r, q}, average ? value / poolSize : value);
                }
            }
        }
        assertClose(actual, expected, 1e-5);
    }
}
