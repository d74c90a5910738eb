package ai.dilation4j.runtime.nn.caffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.junit.jupiter.api.Test;

class CaffePoolingVertexTest {

    @Test
    void outputSizeRoundsUpAsCaffeDoes() {
        assertThat(CaffePoolingVertex.outputSize(179, 2, 2, 0)).as("FCN pool2").isEqualTo(90);
        assertThat(CaffePoolingVertex.outputSize(45, 2, 2, 0)).as("FCN pool4").isEqualTo(23);
        assertThat(CaffePoolingVertex.outputSize(7, 3, 2, 0)).isEqualTo(3);
        assertThat(CaffePoolingVertex.outputSize(8, 3, 2, 1)).as("DL4J Truncate gives 4").isEqualTo(5);
    }

    @Test
    void lastWindowMayNotStartInsideThePadding() {
        // ceil((37 + 4 - 3) / 3) + 1 = 14, but window 14 would start at 13*3 - 2 = 37 = the input size.
        assertThat(CaffePoolingVertex.outputSize(37, 3, 3, 2)).isEqualTo(13);
    }

    @Test
    void refusesAnInputSmallerThanTheKernelInShapeInference() {
        CaffePoolingVertex pool = new CaffePoolingVertex(CaffePoolingVertex.Method.MAX, 3, 3, 2, 2, 0, 0);
        // Caffe clips a window at the input's edge, so an input of 2 still gives one output; 1 gives none.
        assertThat(pool.getOutputType(0, InputType.convolutional(2, 9, 2)))
                .isEqualTo(InputType.convolutional(1, 4, 2));
        assertThatThrownBy(() -> pool.getOutputType(0, InputType.convolutional(1, 9, 2)))
                .isInstanceOf(InvalidInputTypeException.class).hasMessageContaining("input 1x9");
    }

    @Test
    void rejectsPaddingAsLargeAsTheKernel() {
        assertThatThrownBy(() -> new CaffePoolingVertex(CaffePoolingVertex.Method.MAX, 2, 2, 2, 2, 2, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("smaller than the kernel");
    }
}
