package ai.dilation4j.runtime.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class Nd4jBinaryTest {

    @Test
    void readsWhatNd4jWritesBitForBit() throws Exception {
        // More than one read chunk, with values whose bytes differ in every position.
        INDArray original = Nd4j.randn(DataType.FLOAT, 1, 3_000_001).muli(1e3);
        INDArray read = Nd4jBinary.readFloatArray(new ByteArrayInputStream(written(original)));
        assertThat(read.shape()).containsExactly(original.shape());
        assertThat(Arrays.equals(read.toFloatVector(), original.toFloatVector())).as("bit-identical values").isTrue();
    }

    @Test
    void reportsATruncatedArray() throws Exception {
        byte[] bytes = written(Nd4j.rand(DataType.FLOAT, 2, 50));
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 7);
        assertThatThrownBy(() -> Nd4jBinary.readFloatArray(new ByteArrayInputStream(cut)))
                .isInstanceOf(EOFException.class).hasMessageContaining("end");
    }

    @Test
    void leavesOtherTypesToDl4j() throws Exception {
        assertThat(Nd4jBinary.readFloatArray(new ByteArrayInputStream(written(Nd4j.rand(DataType.DOUBLE, 3, 2)))))
                .isNull();
    }

    private static byte[] written(INDArray array) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            Nd4j.write(array, out);
        }
        return bytes.toByteArray();
    }
}
