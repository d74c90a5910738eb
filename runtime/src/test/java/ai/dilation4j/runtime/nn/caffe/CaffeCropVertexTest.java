package ai.dilation4j.runtime.nn.caffe;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class CaffeCropVertexTest {

    @Test
    void backwardPutsTheOutputGradientInTheCroppedWindowAndZerosElsewhere() {
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 3, 6, 7);
        INDArray reference = Nd4j.rand(DataType.FLOAT, 2, 5, 3, 4); // other channels: axis 2 keeps the input's
        INDArray outputGradient = Nd4j.rand(DataType.FLOAT, 2, 3, 3, 4).addi(1);

        INDArray[] gradients = new CaffeVertexHarness(new CaffeCropVertex(2, new long[] {1, 2}), 2, DataType.FLOAT)
                .backward(outputGradient, input, reference);

        INDArray expected = Nd4j.zeros(DataType.FLOAT, 2, 3, 6, 7);
        for (int n = 0; n < 2; n++) {
            for (int c = 0; c < 3; c++) {
                for (int h = 0; h < 3; h++) {
                    for (int w = 0; w < 4; w++) {
                        expected.putScalar(new long[] {n, c, h + 1, w + 2}, outputGradient.getFloat(n, c, h, w));
                    }
                }
            }
        }
        assertThat(gradients[0]).isEqualTo(expected);
        assertThat(gradients[1]).as("the reference only lends its shape").isEqualTo(Nd4j.zeros(DataType.FLOAT,
                2, 5, 3, 4));
    }

    @Test
    void backwardCropsChannelsFromAxisOne() {
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, 4, 3, 3);
        INDArray reference = Nd4j.rand(DataType.FLOAT, 1, 2, 2, 3);
        INDArray outputGradient = Nd4j.rand(DataType.FLOAT, 1, 2, 2, 3).addi(1);

        INDArray gradient = new CaffeVertexHarness(new CaffeCropVertex(1, new long[] {2, 1, 0}), 2, DataType.FLOAT)
                .backward(outputGradient, input, reference)[0];

        INDArray expected = Nd4j.zeros(DataType.FLOAT, 1, 4, 3, 3);
        for (int c = 0; c < 2; c++) {
            for (int h = 0; h < 2; h++) {
                for (int w = 0; w < 3; w++) {
                    expected.putScalar(new long[] {0, c + 2, h + 1, w}, outputGradient.getFloat(0, c, h, w));
                }
            }
        }
        assertThat(gradient).isEqualTo(expected);
    }
}
