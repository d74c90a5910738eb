package ai.dilation4j.converter.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class OnnxGraphTest {

    @Test
    void weightsBeyondTheFileLimitAreRefusedBeforeTheyAreWritten() throws Exception {
        OnnxGraph graph = new OnnxGraph(64);
        graph.weights("small", Nd4j.zeros(DataType.FLOAT, 4, 4), 16);
        assertThatThrownBy(() -> graph.weights("large", Nd4j.zeros(DataType.FLOAT, 2), 2))
                .isInstanceOf(OnnxExportException.class).hasMessageContaining("an ONNX file holds less than 2 GB");
        assertThat(graph.proto().getInitializerCount()).isEqualTo(1);
    }

    @Test
    void viewsAndOtherTypesAreWrittenAsLittleEndianFloatsInRowMajorOrder() throws Exception {
        INDArray parent = Nd4j.arange(24).castTo(DataType.FLOAT).reshape('c', 2, 3, 4);
        OnnxGraph graph = new OnnxGraph();
        graph.weights("view", parent.get(NDArrayIndex.point(1)), 3, 4); // offset view: 12..23
        graph.weights("transposed", parent.get(NDArrayIndex.point(0)).transpose(), 4, 3); // non-contiguous
        graph.weights("double", Nd4j.create(new double[] {1.5, -2}), 2);
        assertThat(floats(graph, 0)).containsExactly(12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23);
        assertThat(floats(graph, 1)).containsExactly(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
        assertThat(floats(graph, 2)).containsExactly(1.5f, -2f);
        assertThat(graph.proto().getInitializer(1).getDimsList()).containsExactly(4L, 3L);
    }

    private static float[] floats(OnnxGraph graph, int initializer) {
        ByteBuffer bytes = graph.proto().getInitializer(initializer).getRawData().asReadOnlyByteBuffer()
                .order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(values);
        return values;
    }
}
