package ai.dilation4j.converter.mappers;

import static ai.dilation4j.converter.mappers.MapperHarness.assertClose;
import static ai.dilation4j.converter.mappers.MapperHarness.assertRefused;
import static ai.dilation4j.converter.mappers.MapperHarness.map;
import static ai.dilation4j.converter.mappers.MapperHarness.random;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import ai.dilation4j.converter.api.ConversionException;

class ReluMapperTest {

    private static final String INPUT = "input: \"data\" input_shape { dim: 1 dim: 2 dim: 3 dim: 4 }\n";
    private static final String POOL = "layer { name: \"p\" type: \"Pooling\" bottom: \"data\" top: \"p\""
            + " pooling_param { pool: MAX kernel_size: 1 } }\n";

    @Test
    void inPlaceReluOverwritesItsBottomWithAnActivationLayer() throws ConversionException {
        MapperHarness.Mapped mapped = map(INPUT + POOL
                + "layer { name: \"relu\" type: \"ReLU\" bottom: \"p\" top: \"p\" }\n");
        assertThat(((ActivationLayer) mapped.layer("relu")).getActivationFn()).isInstanceOf(ActivationReLU.class);
        assertThat(mapped.configuration().getVertexInputs().get("relu")).containsExactly("p");
        assertThat(mapped.context().blobVertices()).containsEntry("p", "relu");
        INDArray input = random(8, 1, 2, 3, 4);
        assertThat(mapped.forward(mapped.graph(Map.of()), "p", input)).isEqualTo(Transforms.relu(input, true));
    }

    @Test
    void reluKeepingItsBottomReadsACopySoTheBottomStaysIntact() throws ConversionException {
        MapperHarness.Mapped mapped = map(INPUT + POOL
                + "layer { name: \"relu\" type: \"ReLU\" bottom: \"p\" top: \"r\" relu_param { negative_slope: 0.25 } }\n");
        ActivationLayer layer = (ActivationLayer) mapped.layer("relu");
        assertThat(layer.getActivationFn()).isInstanceOf(ActivationLReLU.class);
        assertThat(((ActivationLReLU) layer.getActivationFn()).getAlpha()).isEqualTo(0.25);
        assertThat(mapped.vertex("relu_input")).isEqualTo(new ScaleVertex(1.0));
        INDArray input = random(9, 1, 2, 3, 4);
        ComputationGraph graph = mapped.graph(Map.of());
        assertThat(mapped.forward(graph, "p", input)).isEqualTo(input);
        INDArray leaky = input.dup();
        for (long i = 0; i < leaky.length(); i++) {
            double v = leaky.getDouble(i);
            leaky.putScalar(i, v < 0 ? 0.25 * v : v);
        }
        assertClose(mapped.forward(graph, "r", input), leaky, 1e-6);
    }

    @Test
    void theNetworkInputIsNeverOverwritten() throws ConversionException {
        MapperHarness.Mapped mapped = map(INPUT + "layer { name: \"relu\" type: \"ReLU\" bottom: \"data\" top: \"data\" }\n");
        assertThat(mapped.configuration().getVertexInputs().get("relu")).containsExactly("relu_input");
    }

    @Test
    void wrongArityIsRefusedNamingTheLayer() {
        assertRefused(INPUT + POOL + "layer { name: \"relu\" type: \"ReLU\" bottom: \"p\" bottom: \"data\" top: \"r\" }",
                "Layer 'relu' (ReLU)", "2 bottom(s)", "takes 1 bottom(s)");
    }
}
