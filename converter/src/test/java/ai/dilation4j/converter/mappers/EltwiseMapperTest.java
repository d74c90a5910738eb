package ai.dilation4j.converter.mappers;

import static ai.dilation4j.converter.mappers.MapperHarness.assertClose;
import static ai.dilation4j.converter.mappers.MapperHarness.assertRefused;
import static ai.dilation4j.converter.mappers.MapperHarness.map;
import static ai.dilation4j.converter.mappers.MapperHarness.random;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import ai.dilation4j.converter.api.ConversionException;

class EltwiseMapperTest {

    private static final String INPUTS = "input: \"a\" input_shape { dim: 1 dim: 2 dim: 3 dim: 3 }\n"
            + "input: \"b\" input_shape { dim: 1 dim: 2 dim: 3 dim: 3 }\n"
            + "input: \"c\" input_shape { dim: 1 dim: 2 dim: 3 dim: 2 }\n";

    private static String net(String bottoms, String param) {
        return INPUTS + "layer { name: \"sum\" type: \"Eltwise\" " + bottoms + " top: \"sum\" eltwise_param { "
                + param + " } }\n";
    }

    private final INDArray a = random(11, 1, 2, 3, 3);
    private final INDArray b = random(12, 1, 2, 3, 3);
    private final INDArray c = random(13, 1, 2, 3, 2);

    @Test
    void sumWithCoefficientsScalesEachBottomThenAdds() throws ConversionException {
        MapperHarness.Mapped mapped = map(net("bottom: \"a\" bottom: \"b\"", "operation: SUM coeff: 1 coeff: -0.5"));
        assertThat(mapped.vertex("sum")).isEqualTo(new ElementWiseVertex(ElementWiseVertex.Op.Add));
        assertThat(mapped.vertex("sum_coeff1")).isEqualTo(new ScaleVertex(-0.5));
        assertThat(mapped.configuration().getVertexInputs().get("sum")).containsExactly("a", "sum_coeff1");
        INDArray actual = forward(mapped);
        assertClose(actual, a.sub(b.mul(0.5)), 1e-6);
    }

    @Test
    void productAndMaxMapToTheirOps() throws ConversionException {
        MapperHarness.Mapped product = map(net("bottom: \"a\" bottom: \"b\"", "operation: PROD"));
        assertThat(product.vertex("sum")).isEqualTo(new ElementWiseVertex(ElementWiseVertex.Op.Product));
        assertClose(forward(product), a.mul(b), 1e-6);
        MapperHarness.Mapped max = map(net("bottom: \"a\" bottom: \"b\"", "operation: MAX"));
        assertThat(max.vertex("sum")).isEqualTo(new ElementWiseVertex(ElementWiseVertex.Op.Max));
        assertThat(forward(max)).isEqualTo(Transforms.max(a, b, true));
    }

    @Test
    void badParametersAreRefusedNamingTheLayer() {
        assertRefused(net("bottom: \"a\" bottom: \"c\"", "operation: SUM"), "Layer 'sum' (Eltwise)", "bottom 'c'",
                "2x3x2", "2x3x3");
        assertRefused(net("bottom: \"a\" bottom: \"b\"", "operation: PROD coeff: 2 coeff: 1"),
                "Layer 'sum' (Eltwise)", "coefficients for PROD");
        assertRefused(net("bottom: \"a\" bottom: \"b\"", "coeff: 2"), "Layer 'sum' (Eltwise)");
        assertRefused(net("bottom: \"a\"", "operation: SUM"), "Layer 'sum' (Eltwise)", "1 bottom(s)");
    }

    private INDArray forward(MapperHarness.Mapped mapped) {
        return mapped.forward(mapped.graph(Map.of()), "sum", a, b, c);
    }
}
