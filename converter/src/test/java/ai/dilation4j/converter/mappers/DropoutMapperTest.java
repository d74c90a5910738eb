package ai.dilation4j.converter.mappers;

import static ai.dilation4j.converter.mappers.MapperHarness.assertRefused;
import static ai.dilation4j.converter.mappers.MapperHarness.map;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import ai.dilation4j.converter.api.ConversionException;

class DropoutMapperTest {

    private static final String INPUT = "input: \"data\" input_shape { dim: 1 dim: 2 dim: 3 dim: 4 }\n"
            + "layer { name: \"p\" type: \"Pooling\" bottom: \"data\" top: \"p\" pooling_param { pool: MAX kernel_size: 1 } }\n";

    @Test
    void dropoutAddsNoVertexAndItsTopNamesItsBottom() throws ConversionException {
        MapperHarness.Mapped mapped = map(INPUT
                + "layer { name: \"drop\" type: \"Dropout\" bottom: \"p\" top: \"d\" dropout_param { dropout_ratio: 0.5 } }\n");
        assertThat(mapped.configuration().getVertices()).containsOnlyKeys("p");
        assertThat(mapped.context().blobVertices()).containsEntry("d", "p").containsEntry("p", "p");
        assertThat(mapped.context().blobShape("d").toString()).isEqualTo("2x3x4");
    }

    @Test
    void wrongArityIsRefusedNamingTheLayer() {
        assertRefused(INPUT + "layer { name: \"drop\" type: \"Dropout\" bottom: \"p\" top: \"d\" top: \"e\" }",
                "Layer 'drop' (Dropout)", "2 top(s)");
    }
}
