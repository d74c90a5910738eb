package ai.dilation4j.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.InvalidInputException;

/**
 * Inputs a model cannot run on are refused before the forward pass, with what is wrong and where: values that
 * are not finite, empty dimensions, and shapes some blob of the network could not be computed for.
 */
class ModelInputsTest {

    @TempDir
    Path dir;
    SegmentationModel model;

    @BeforeEach
    void load() throws Exception {
        model = SegmentationModel.load(TinyGraph.write(TinyGraph.graph(), dir.resolve("tiny.zip")));
    }

    @AfterEach
    void close() {
        model.close();
    }

    @Test
    void nonFiniteValuesAreCountedAndTheFirstIsLocated() {
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, 3, 9, 11);
        input.putScalar(new long[] {0, 2, 4, 7}, Float.POSITIVE_INFINITY);
        input.putScalar(new long[] {0, 2, 5, 0}, Float.NaN);
        input.putScalar(new long[] {0, 2, 8, 10}, Float.NaN);
        assertThatThrownBy(() -> model.forward(input)).isInstanceOf(InvalidInputException.class)
                .hasMessageContainingAll("3 NaN or infinite value(s) of 297", "Infinity at index [0, 2, 4, 7]");
        assertThatThrownBy(() -> model.forwardBlobs(input, List.of())).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("3 NaN or infinite");
    }

    @Test
    void emptyTooSmallAndTooLargeInputsAreRefusedBeforeRunning() throws Exception {
        assertThatThrownBy(() -> model.forward(Nd4j.create(DataType.FLOAT, 0, 3, 9, 11)))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("[0, 3, 9, 11]");
        assertThatThrownBy(() -> model.forward(Nd4j.rand(DataType.FLOAT, 1, 3, 2, 2)))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContainingAll("input of shape [1, 3, 2, 2]", "converted for [1, 3, 9, 11]", "too small");
        // 30000 x 30000 pixels of one value through zero strides: the shape of a 10 GB input, the memory of none
        INDArray huge = Nd4j.create(Nd4j.createBuffer(new float[] {0.5f}), new long[] {1, 3, 30000, 30000},
                new long[] {0, 0, 0, 0}, 0, 'c');
        assertThatThrownBy(() -> model.forward(huge)).isInstanceOf(InvalidInputException.class)
                .hasMessageContainingAll("input of shape [1, 3, 30000, 30000]", "1 x 3 x 30000 x 30000", "2147483647");
        assertThat(model.forward(Nd4j.rand(DataType.FLOAT, 2, 3, 12, 14)).shape())
                .as("other sizes the network can compute still run").containsExactly(2, 5, 5, 6);
    }
}
