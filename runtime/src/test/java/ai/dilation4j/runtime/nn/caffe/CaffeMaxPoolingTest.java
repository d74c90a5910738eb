package ai.dilation4j.runtime.nn.caffe;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * MAX pooling inside a graph against Caffe's loops (pooling_layer.cpp, written out below): oneDNN's pooling from 16
 * channels on, libnd4j's below; rounded-up output sizes, padding, and windows clipped at the edge.
 */
class CaffeMaxPoolingTest {

    @ParameterizedTest(name = "{0} channels, {1}x{2}, kernel {3}, stride {4}, pad {5}")
    @CsvSource({
            "64, 16, 16, 2, 2, 0", // DilatedNet's pool1-3: exact halves
            "16, 9, 11, 2, 2, 0",  // odd sizes: Caffe's extra last window, clipped
            "32, 13, 12, 3, 2, 1", // FCN-style 3x3/2 with padding
            "17, 8, 8, 3, 1, 1",   // channels not a multiple of 16: oneDNN's blocks padded
            "20, 37, 37, 3, 3, 2", // the last window must not start in the padding
            "4, 9, 11, 2, 2, 0",   // few channels: libnd4j
    })
    void matchesCaffe(int channels, int height, int width, int kernel, int stride, int pad) {
        Nd4j.getRandom().setSeed(channels * 1000L + height);
        INDArray input = Nd4j.randn(DataType.FLOAT, 2, channels, height, width);
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().graphBuilder()
                .addInputs("in")
                .addVertex("pool", new CaffePoolingVertex(CaffePoolingVertex.Method.MAX, kernel, kernel, stride,
                        stride, pad, pad), "in")
                .setOutputs("pool")
                .setInputTypes(InputType.convolutional(height, width, channels))
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();

        INDArray pooled = graph.outputSingle(input);
        INDArray expected = caffeMaxPooling(input, kernel, stride, pad);

        assertThat(pooled.shape()).isEqualTo(expected.shape());
        assertThat(pooled.equalsWithEps(expected, 0)).as("pooled values").isTrue();
        // a second pass reuses the primitive and the working memory
        assertThat(graph.outputSingle(input).equalsWithEps(expected, 0)).isTrue();
    }

    private static INDArray caffeMaxPooling(INDArray input, int kernel, int stride, int pad) {
        long n = input.size(0);
        long c = input.size(1);
        int height = (int) input.size(2);
        int width = (int) input.size(3);
        int outH = (int) CaffePoolingVertex.outputSize(height, kernel, stride, pad);
        int outW = (int) CaffePoolingVertex.outputSize(width, kernel, stride, pad);
        INDArray out = Nd4j.create(DataType.FLOAT, n, c, outH, outW);
        for (int i = 0; i < n; i++) {
            for (int ch = 0; ch < c; ch++) {
                for (int ph = 0; ph < outH; ph++) {
                    for (int pw = 0; pw < outW; pw++) {
                        int hStart = ph * stride - pad;
                        int wStart = pw * stride - pad;
                        int hEnd = Math.min(hStart + kernel, height);
                        int wEnd = Math.min(wStart + kernel, width);
                        float max = -Float.MAX_VALUE;
                        for (int h = Math.max(hStart, 0); h < hEnd; h++) {
                            for (int w = Math.max(wStart, 0); w < wEnd; w++) {
                                max = Math.max(max, input.getFloat(i, ch, h, w));
                            }
                        }
                        out.putScalar(new long[] {i, ch, ph, pw}, max);
                    }
                }
            }
        }
        return out;
    }
}
