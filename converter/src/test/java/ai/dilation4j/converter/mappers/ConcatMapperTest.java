package ai.dilation4j.converter.mappers;

import static ai.dilation4j.converter.mappers.MapperHarness.assertRefused;
import static ai.dilation4j.converter.mappers.MapperHarness.map;
import static ai.dilation4j.converter.mappers.MapperHarness.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.api.UnsupportedLayerException;

class ConcatMapperTest {

    private static final String INPUTS = "input: \"a\" input_shape { dim: 1 dim: 2 dim: 3 dim: 4 }\n"
            + "input: \"b\" input_shape { dim: 1 dim: 3 dim: 3 dim: 4 }\n"
            + "input: \"c\" input_shape { dim: 1 dim: 3 dim: 3 dim: 5 }\n";

    private static String net(String bottoms, String param) {
        return INPUTS + "layer { name: \"cat\" type: \"Concat\" " + bottoms + " top: \"cat\" " + param + " }\n";
    }

    @Test
    void channelConcatenationIsAMergeVertex() throws ConversionException {
        MapperHarness.Mapped mapped = map(net("bottom: \"a\" bottom: \"b\"", ""));
        assertThat(mapped.vertex("cat")).isInstanceOf(MergeVertex.class);
        assertThat(mapped.context().blobShape("cat").toString()).isEqualTo("5x3x4");
        INDArray a = random(14, 1, 2, 3, 4);
        INDArray b = random(15, 1, 3, 3, 4);
        INDArray actual = mapped.forward(mapped.graph(Map.of()), "cat", a, b, random(16, 1, 3, 3, 5));
        assertThat(actual).isEqualTo(Nd4j.concat(1, a, b));
    }

    @Test
    void legacyConcatDimOneIsAcceptedToo() throws ConversionException {
        assertThat(map(net("bottom: \"a\" bottom: \"b\"", "concat_param { concat_dim: 1 }")).vertex("cat"))
                .isInstanceOf(MergeVertex.class);
    }

    @Test
    void badParametersAreRefusedNamingTheLayer() {
        assertThatThrownBy(() -> map(net("bottom: \"a\" bottom: \"b\"", "concat_param { axis: 2 }")))
                .isInstanceOf(UnsupportedLayerException.class)
                .hasMessageContainingAll("Layer 'cat' (Concat)", "axis 2");
        assertRefused(net("bottom: \"b\" bottom: \"c\"", ""), "Layer 'cat' (Concat)", "bottom 'c'", "3x3x5",
                "equal height and width");
    }
}
