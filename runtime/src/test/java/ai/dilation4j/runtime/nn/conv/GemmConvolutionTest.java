package ai.dilation4j.runtime.nn.conv;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Map;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
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
            // 1x1 feature maps (DilatedNet's fc7 at the smallest input): a [N, C, 1, 1] array is contiguous
            "6, 7, 1, 1, 1, 0, 1, 1, 2, 268435456",
            "4, 5, 3, 3, 2, 0, 5, 5, 1, 268435456",
    })
    void matchesDl4jConvolution(int in, int out, int kernelH, int kernelW, int dilation, int pad, int height,
                                int width, int batch, long budget) throws Exception {
        GemmConvolution layer = assertMatchesDl4j(in, out, kernelH, kernelW, dilation, pad, height, width, batch,
                fast -> {
                    fast.columnBudgetBytes(budget);
                    fast.oneDnnCosts(OneDnnCostModel.NEVER); // oneDNN would take most of these: OneDnnKernelTest
                });
        assertThat(layer.lastAlgorithm()).isEqualTo(kernelH == 1 && kernelW == 1 ? "gemm 1x1" : "im2col+gemm");
    }

    /** From 128 input channels square 3x3, 5x5 and 7x7 kernels take Winograd's algorithm. */
    @ParameterizedTest(name = "in {0}, out {1}, kernel {2}, dilation {3}, pad {4}, {5}x{6}, batch {7}, budget {8}")
    @CsvSource({
            "128, 16, 3, 1, 0, 17, 23, 1, 419430400",
            "128, 160, 3, 2, 1, 19, 16, 2, 419430400",
            "128, 8, 7, 4, 0, 40, 37, 1, 419430400",
            "144, 12, 5, 1, 2, 11, 14, 1, 419430400",
            "128, 72, 3, 1, 1, 21, 26, 2, 400000",
            "128, 5, 7, 2, 3, 15, 18, 1, 1",
    })
    void winogradMatchesDl4jConvolution(int in, int out, int kernel, int dilation, int pad, int height, int width,
                                        int batch, long budget) throws Exception {
        GemmConvolution layer = assertMatchesDl4j(in, out, kernel, kernel, dilation, pad, height, width, batch,
                fast -> {
                    fast.winogradBudgetBytes(budget);
                    fast.winogradWhereverItApplies(); // these outputs are too small for it to pay
                });
        assertThat(layer.lastAlgorithm()).isEqualTo(kernel == 3 ? "winograd F(4x4,3x3)"
                : "winograd F(2x2," + kernel + "x" + kernel + ")");
    }

    @org.junit.jupiter.api.Test
    void algorithmFixedForAGraphOverridesTheSystemProperty() {
        ComputationGraph fast = graph(new GemmConvolutionLayer.Builder(), 128, 8, 3, 3, 1, 0);
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, 128, 12, 12);
        GemmConvolution layer = (GemmConvolution) fast.getLayer("conv");
        layer.winogradWhereverItApplies();

        ConvolutionAlgorithm.GEMM.applyTo(fast);
        INDArray gemm = fast.outputSingle(input).dup();
        assertThat(layer.lastAlgorithm()).isEqualTo("im2col+gemm");

        System.setProperty(ConvolutionAlgorithm.PROPERTY, "gemm");
        try {
            ConvolutionAlgorithm.WINOGRAD.applyTo(fast);
            INDArray winograd = fast.outputSingle(input);
            assertThat(layer.lastAlgorithm()).isEqualTo("winograd F(4x4,3x3)");
            double scale = gemm.amaxNumber().doubleValue();
            assertThat(winograd.sub(gemm).amaxNumber().doubleValue()).isLessThanOrEqualTo(1e-5 * scale);
        } finally {
            System.clearProperty(ConvolutionAlgorithm.PROPERTY);
        }
    }

    @org.junit.jupiter.api.Test
    void gemmAlgorithmTurnsWinogradOff() {
        System.setProperty(ConvolutionAlgorithm.PROPERTY, "gemm");
        try {
            GemmConvolution layer = assertMatchesDl4j(128, 8, 3, 3, 1, 0, 12, 12, 1, fast -> { });
            assertThat(layer.lastAlgorithm()).isEqualTo("im2col+gemm");
        } finally {
            System.clearProperty(ConvolutionAlgorithm.PROPERTY);
        }
    }

    private static GemmConvolution assertMatchesDl4j(int in, int out, int kernelH, int kernelW, int dilation, int pad,
                                          int height, int width, int batch,
                                          java.util.function.Consumer<GemmConvolution> tuning) {
        ComputationGraph reference = graph(new ConvolutionLayer.Builder(), in, out, kernelH, kernelW, dilation, pad);
        ComputationGraph fast = graph(new GemmConvolutionLayer.Builder(), in, out, kernelH, kernelW, dilation, pad);
        fast.params().assign(reference.params());
        GemmConvolution layer = (GemmConvolution) fast.getLayer("conv");
        tuning.accept(layer);
        INDArray input = Nd4j.rand(DataType.FLOAT, batch, in, height, width).subi(0.5);

        INDArray expected = reference.outputSingle(input);
        INDArray actual = fast.outputSingle(input);

        assertThat(actual.shape()).containsExactly(expected.shape());
        double scale = expected.amaxNumber().doubleValue();
        assertThat(actual.sub(expected).amaxNumber().doubleValue()).isLessThanOrEqualTo(1e-5 * scale);
        return layer;
    }

    /**
     * Winograd's algorithm transforms all the weights on every call and runs a GEMM per tile element: on a small
     * output that costs far more than it saves (DilatedNet's fc6 at a 1x1 output: 0.77 s instead of 0.03 s), on a
     * large one it pays.
     */
    @ParameterizedTest(name = "in {0}, out {1}, kernel {2}, dilation {3}, output {4}x{5}: {6}")
    @CsvSource({
            "512, 32, 7, 4, 1, 1, im2col+gemm",
            "128, 64, 3, 1, 2, 3, im2col+gemm",
            "256, 256, 3, 1, 48, 48, 'winograd F(4x4,3x3)'",
    })
    void winogradOnlyWhereItPays(int in, int out, int kernel, int dilation, int outH, int outW, String expected) {
        int reach = dilation * (kernel - 1);
        GemmConvolution layer = assertMatchesDl4j(in, out, kernel, kernel, dilation, 0, outH + reach, outW + reach, 1,
                fast -> fast.oneDnnCosts(OneDnnCostModel.NEVER));
        assertThat(layer.lastAlgorithm()).isEqualTo(expected);
    }

    /** A tiny output needs tiny working memory: no band, Winograd block or chunk sized by the layer's weights. */
    @org.junit.jupiter.api.Test
    void workingMemoryFollowsTheOutputNotTheWeights() {
        ComputationGraph fast = graph(new GemmConvolutionLayer.Builder(), 512, 32, 7, 7, 4, 0);
        GemmConvolution layer = (GemmConvolution) fast.getLayer("conv");
        layer.oneDnnCosts(OneDnnCostModel.NEVER); // its working memory is the input in its layout, however small
        long[] requested = new long[1];
        LayerWorkspaceMgr recording = new LayerWorkspaceMgr(EnumSet.allOf(ArrayType.class), Map.of(), Map.of()) {
            @Override
            public INDArray createUninitialized(ArrayType type, DataType dataType, long[] shape, char order) {
                if (type == ArrayType.FF_WORKING_MEM) {
                    requested[0] += Arrays.stream(shape).reduce(1, Math::multiplyExact);
                }
                return super.createUninitialized(type, dataType, shape, order);
            }
        };
        layer.setInput(Nd4j.rand(DataType.FLOAT, 1, 512, 25, 25), recording); // a 1x1 output
        INDArray output = layer.activate(false, recording);

        assertThat(output.shape()).containsExactly(1, 32, 1, 1);
        // The im2col columns of the one output pixel: 512 * 7 * 7 floats (Winograd asked for 64 * 32 * 512 more).
        assertThat(requested[0]).isLessThanOrEqualTo(512L * 7 * 7);
    }

    /**
     * A layer whose weights lie deep in the flat parameter array, in several blocks of output channels: nd4j M2.1
     * returns empty arrays for some row intervals of such views, which the Winograd path must not depend on.
     */
    @org.junit.jupiter.api.Test
    void winogradInsideAGraphMatchesDl4j() {
        ComputationGraph reference = twoLayers(new ConvolutionLayer.Builder());
        ComputationGraph fast = twoLayers(new GemmConvolutionLayer.Builder());
        fast.params().assign(reference.params());
        GemmConvolution second = (GemmConvolution) fast.getLayer("second");
        second.winogradBudgetBytes(3_000_000); // several chunks of tiles and blocks of output channels
        second.winogradWhereverItApplies();
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, 64, 24, 21).subi(0.5);

        INDArray expected = reference.outputSingle(input);
        INDArray actual = fast.outputSingle(input);

        assertThat(second.lastAlgorithm()).isEqualTo("winograd F(4x4,3x3)");
        double scale = expected.amaxNumber().doubleValue();
        assertThat(actual.sub(expected).amaxNumber().doubleValue()).isLessThanOrEqualTo(1e-5 * scale);
    }

    private static ComputationGraph twoLayers(ConvolutionLayer.Builder secondBuilder) {
        ConvolutionLayer first = new ConvolutionLayer.Builder().kernelSize(1, 1).nIn(64).nOut(128)
                .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build();
        ConvolutionLayer second = secondBuilder.kernelSize(3, 3).dilation(2, 2).nIn(128).nOut(160)
                .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(11).dataType(DataType.FLOAT)
                .graphBuilder().addInputs("in").addLayer("first", first, "in").addLayer("second", second, "first")
                .setOutputs("second").setInputTypes(InputType.convolutional(24, 21, 64, CNN2DFormat.NCHW)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        graph.getParam("second_b").assign(Nd4j.rand(DataType.FLOAT, 1, 160));
        return graph;
    }

    /**
     * Strides and training with dropout are left to DL4J's implementation, which then gives DL4J's result exactly;
     * training without runs the inference kernels (its forward values are the same).
     */
    @org.junit.jupiter.api.Test
    void dl4jRunsWhatNoOtherKernelCan() {
        ComputationGraph reference = graph(new ConvolutionLayer.Builder(), 3, 4, 3, 3, 1, 0, 2);
        ComputationGraph fast = graph(new GemmConvolutionLayer.Builder(), 3, 4, 3, 3, 1, 0, 2);
        fast.params().assign(reference.params());
        GemmConvolution layer = (GemmConvolution) fast.getLayer("conv");
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, 3, 11, 10);

        assertThat(fast.outputSingle(input)).isEqualTo(reference.outputSingle(input));
        assertThat(layer.lastAlgorithm()).isEqualTo("dl4j");

        ComputationGraph dropout = graph(new GemmConvolutionLayer.Builder().dropOut(0.5), 3, 4, 3, 3, 1, 0);
        GemmConvolution trained = (GemmConvolution) dropout.getLayer("conv");
        dropout.feedForward(new INDArray[] {input}, true);
        assertThat(trained.lastAlgorithm()).isEqualTo("dl4j");
        dropout.outputSingle(input);
        assertThat(trained.lastAlgorithm()).isNotEqualTo("dl4j");

        ComputationGraph plain = graph(new GemmConvolutionLayer.Builder(), 3, 4, 3, 3, 1, 0);
        GemmConvolution trainedPlain = (GemmConvolution) plain.getLayer("conv");
        plain.feedForward(new INDArray[] {input}, true);
        assertThat(trainedPlain.lastAlgorithm()).isNotEqualTo("dl4j");
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
        return graph(builder, in, out, kernelH, kernelW, dilation, pad, 1);
    }

    private static ComputationGraph graph(ConvolutionLayer.Builder builder, int in, int out, int kernelH,
                                          int kernelW, int dilation, int pad, int stride) {
        ConvolutionLayer layer = builder.kernelSize(kernelH, kernelW).stride(stride, stride).padding(pad, pad)
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
