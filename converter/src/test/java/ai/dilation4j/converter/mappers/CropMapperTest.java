package ai.dilation4j.converter.mappers;

import static ai.dilation4j.converter.mappers.MapperHarness.assertRefused;
import static ai.dilation4j.converter.mappers.MapperHarness.map;
import static ai.dilation4j.converter.mappers.MapperHarness.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.api.UnsupportedLayerException;
import ai.dilation4j.runtime.nn.caffe.CaffeCropVertex;

class CropMapperTest {

    private static final String INPUTS = "input: \"big\" input_shape { dim: 1 dim: 3 dim: 6 dim: 7 }\n"
            + "input: \"ref\" input_shape { dim: 1 dim: 2 dim: 3 dim: 4 }\n";

    private static String net(String param) {
        return INPUTS + "layer { name: \"crop\" type: \"Crop\" bottom: \"big\" bottom: \"ref\" top: \"crop\" "
                + "crop_param { " + param + " } }\n";
    }

    @Test
    void spatialCropAtPerAxisOffsets() throws ConversionException {
        MapperHarness.Mapped mapped = map(net("axis: 2 offset: 2 offset: 1"));
        assertThat(mapped.vertex("crop")).usingRecursiveComparison()
                .isEqualTo(new CaffeCropVertex(2, new long[] {2, 1}));
        assertThat(mapped.configuration().getVertexInputs().get("crop")).containsExactly("big", "ref");
        assertThat(mapped.context().blobShape("crop").toString()).isEqualTo("3x3x4");
        INDArray big = random(17, 1, 3, 6, 7);
        INDArray actual = mapped.forward(mapped.graph(Map.of()), "crop", big, random(18, 1, 2, 3, 4));
        assertThat(actual).isEqualTo(big.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(2, 5),
                NDArrayIndex.interval(1, 5)));
    }

    @Test
    void oneOffsetAppliesToEveryCroppedAxisFromTheChannels() throws ConversionException {
        MapperHarness.Mapped mapped = map(net("axis: 1 offset: 1"));
        assertThat(mapped.context().blobShape("crop").toString()).isEqualTo("2x3x4");
        INDArray big = random(19, 1, 3, 6, 7);
        INDArray actual = mapped.forward(mapped.graph(Map.of()), "crop", big, random(20, 1, 2, 3, 4));
        assertThat(actual).isEqualTo(big.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 3),
                NDArrayIndex.interval(1, 4), NDArrayIndex.interval(1, 5)));
    }

    @Test
    void badParametersAreRefusedNamingTheLayer() {
        assertThatThrownBy(() -> map(net("axis: 0"))).isInstanceOf(UnsupportedLayerException.class)
                .hasMessageContainingAll("Layer 'crop' (Crop)", "axis 0");
        assertRefused(net("axis: 1 offset: 1 offset: 2"), "Layer 'crop' (Crop)", "2 offsets for 3 cropped axes");
        assertRefused(net("axis: 2 offset: 4"), "Layer 'crop' (Crop)", "offset 4", "'ref'", "'big'");
        assertRefused(INPUTS + "layer { name: \"crop\" type: \"Crop\" bottom: \"big\" top: \"crop\" }",
                "Layer 'crop' (Crop)", "1 bottom(s)");
    }
}
