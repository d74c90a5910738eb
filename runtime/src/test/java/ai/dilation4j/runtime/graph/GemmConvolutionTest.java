package ai.dilation4j.runtime.graph;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@link GemmConvolutionLayer} against DL4J's own {@link ConvolutionLayer} with the same parameters. */
class GemmConvolutionTest {

    @ParameterizedTest(name = "in {0}, out {1}, kernel {2}x{3}, dilation {4}, pad {5}, {6}x{7}, batch {8}, budget {9}")
    @CsvSource({
            "3, 8, 3, 3, 1, 0, 17, 23, 1, 268435456",
            "5, 4, 3, 3, 2, 1, 19, 16, 2, 268435456",
            "4, 6, 7, 7, 4, 0, 30, 31, 1, 268435456",
            "6, 7, 1, 1, 1, 0, 9, 11, 3, 268435456",
            "2, 3, 3, 5, 3, 4, 13, 21, 1, 268435456",
            "8, 5, 3, 3, 1, 33, 6, 5, 1, 268435456",
            "5, 6, 3, 3, 2, 0, 25, 27, 2, 4000",
            "3, 4, 3, 3, 1, 1, 12, 10, 1, 1",
    })
    void matchesDl4jConvolution(int in, int out, int kernelH, int kernelW, int dilation, int pad, int height,
                                int width, int batch, long budget) throws Exception {
        ComputationGraph reference = graph(new ConvolutionLayer.Builder(), in, out, kernelH, kernelW, dilation, pad);
        ComputationGraph fast = graph(new GemmConvolutionLayer.Builder(), in, out, kernelH, kernelW, dilation, pad);
        fast.params().assign(reference.params());
        ((GemmConvolution) fast.getLayer("conv")).columnBudgetBytes(budget);
        INDArray input = Nd4j.rand(DataType.FLOAT, batch, in, height, width).subi(0.5);

        INDArray expected = reference.outputSingle(input);
        INDArray actual = fast.outputSingle(input);

        assertThat(actual.shape()).containsExactly(expected.shape());
        double scale = expected.amaxNumber().doubleValue();
        assertThat(actual.sub(expected).amaxNumber().doubleValue()).isLessThanOrEqualTo(1e-5 * scale);
    }

    @org.junit.jupiter.api.Test
    void survivesSaveAndLoad(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        ComputationGraph fast = graph(new GemmConvolutionLayer.Builder(), 2, 3, 3, 3, 2, 1);
        java.io.File file = dir.resolve("g.zip").toFile();
        ModelSerializer.writeModel(fast, file, false);
        ComputationGraph loaded = ModelSerializer.restoreComputationGraph(file, false);
        assertThat(loaded.getLayer("conv")).isInstanceOf(GemmConvolution.class);
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, 2, 9, 9);
        assertThat(loaded.outputSingle(input)).isEqualTo(fast.outputSingle(input));
    }

    private static ComputationGraph graph(ConvolutionLayer.Builder builder, int in, int out, int kernelH,
                                          int kernelW, int dilation, int pad) {
        ConvolutionLayer layer = builder.kernelSize(kernelH, kernelW).stride(1, 1).padding(pad, pad)
                .dilation(dilation, dilation).convolutionMode(ConvolutionMode.Truncate).nIn(in).nOut(out)
                .dataFormat(CNN2DFormat.NCHW).activation(Activation.IDENTITY).build();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .graphBuilder().addInputs("in").addLayer("conv", layer, "in").setOutputs("conv")
                .setInputTypes(InputType.convolutional(64, 64, in, CNN2DFormat.NCHW)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        // Non-zero biases, so that a missing bias would show.
        graph.getParam("conv_b").assign(Nd4j.rand(DataType.FLOAT, 1, out));
        return graph;
    }
}
