package ai.dilation4j.converter.mappers;

import static ai.dilation4j.converter.mappers.MapperHarness.assertClose;
import static ai.dilation4j.converter.mappers.MapperHarness.map;
import static ai.dilation4j.converter.mappers.MapperHarness.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.api.UnsupportedLayerException;

class SoftmaxMapperTest {

    private static String net(String softmaxParam) {
        return "input: \"data\" input_shape { dim: 1 dim: 3 dim: 2 dim: 4 }\n"
                + "layer { name: \"prob\" type: \"Softmax\" bottom: \"data\" top: \"prob\" " + softmaxParam + " }\n";
    }

    @Test
    void softmaxOverChannelsOfEveryPixel() throws ConversionException {
        MapperHarness.Mapped mapped = map(net(""));
        assertThat(mapped.layer("prob")).isInstanceOf(CnnLossLayer.class);
        assertThat(((CnnLossLayer) mapped.layer("prob")).getActivationFn()).isInstanceOf(ActivationSoftmax.class);
        INDArray input = random(10, 1, 3, 2, 4);
        INDArray exp = Transforms.exp(input, true);
        INDArray expected = exp.div(exp.sum(true, 1));
        INDArray actual = mapped.forward(mapped.graph(Map.of()), "prob", input);
        assertClose(actual, expected, 1e-6);
    }

    @Test
    void otherAxesAreRefusedNamingTheLayer() throws ConversionException {
        assertThat(map(net("softmax_param { axis: -3 }")).layer("prob")).as("-3 is the channel axis too")
                .isInstanceOf(CnnLossLayer.class);
        assertThatThrownBy(() -> map(net("softmax_param { axis: 3 }"))).isInstanceOf(UnsupportedLayerException.class)
                .hasMessageContainingAll("Layer 'prob' (Softmax)", "axis 3");
    }
}
