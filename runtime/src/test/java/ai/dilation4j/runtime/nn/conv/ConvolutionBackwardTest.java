package ai.dilation4j.runtime.nn.conv;

import static org.assertj.core.api.Assertions.assertThat;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.MultiDataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Nesterovs;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/** {@link GemmConvolutionLayer}'s training against DL4J's own {@link ConvolutionLayer} with the same parameters. */
class ConvolutionBackwardTest {

    @ParameterizedTest(name = "in {0}, out {1}, kernel {2}, dilation {3}, pad {4}, {5}x{6}, batch {7}, {8}, bias {9}")
    @CsvSource({
            "3, 5, 3, 1, 0, 12, 11, 2, RELU, true",
            "16, 32, 3, 1, 0, 22, 22, 2, IDENTITY, true",
            "32, 64, 3, 1, 0, 20, 20, 2, RELU, true",
            "3, 5, 3, 1, 1, 12, 11, 2, IDENTITY, true",
            "4, 6, 3, 2, 2, 13, 15, 2, RELU, true",
            "4, 3, 7, 4, 0, 29, 27, 2, RELU, true",
            "5, 4, 7, 4, 3, 26, 26, 1, IDENTITY, true",
            "6, 7, 1, 1, 0, 9, 8, 2, RELU, true",
            "6, 7, 1, 1, 2, 5, 6, 2, IDENTITY, true",
            "4, 5, 3, 2, 1, 11, 12, 2, RELU, false",
            "4, 5, 3, 1, 0, 10, 10, 2, IDENTITY, false",
    })
    void gradientsMatchDl4j(int in, int out, int kernel, int dilation, int pad, int height, int width, int batch,
                            Activation activation, boolean bias) {
        ComputationGraph reference = graph(new ConvolutionLayer.Builder(), in, out, kernel, dilation, pad, activation,
                bias);
        ComputationGraph fast = graph(new GemmConvolutionLayer.Builder(), in, out, kernel, dilation, pad, activation,
                bias);
        fast.params().assign(reference.params());
        INDArray input = Nd4j.rand(DataType.FLOAT, batch, in, height, width).subi(0.5);
        long[] outputShape = reference.outputSingle(input).shape();

        Pair<Gradient, INDArray> expected = backward(reference.getLayer("conv"), input);
        Pair<Gradient, INDArray> actual = backward(fast.getLayer("conv"), input);

        assertThat(((GemmConvolution) fast.getLayer("conv")).lastBackward()).isEqualTo("conv2d_bp");
        assertClose(actual.getSecond(), expected.getSecond());
        // row-major by its strides, as vertices reading native memory need it (oneDNN lays it out [C][N][H][W] from
        // 16 channels on, saying so only in the strides)
        assertThat(actual.getSecond().stride()).isEqualTo(Nd4j.getStrides(actual.getSecond().shape(), 'c'));
        assertClose(actual.getFirst().getGradientFor("W"), expected.getFirst().getGradientFor("W"));
        if (bias) {
            assertClose(actual.getFirst().getGradientFor("b"), expected.getFirst().getGradientFor("b"));
        } else {
            assertThat(actual.getFirst().getGradientFor("b")).isNull();
        }
        // the gradients were written where the updater reads them
        assertClose(fast.getGradientsViewArray(), reference.getGradientsViewArray());

        // without the training forward's activations (used up), it computes them again
        fast.getGradientsViewArray().assign(0);
        INDArray epsilonAgain = fast.getLayer("conv").backpropGradient(epsilon(outputShape),
                LayerWorkspaceMgr.noWorkspaces()).getSecond();
        assertThat(((GemmConvolution) fast.getLayer("conv")).lastBackward())
                .isEqualTo("conv2d_bp after another forward");
        assertClose(epsilonAgain, expected.getSecond());
        assertClose(fast.getGradientsViewArray(), reference.getGradientsViewArray());
    }

    /**
     * Activations kept from a workspace scope that has closed may have been overwritten: the backward pass computes
     * them again.
     */
    @Test
    void activationsOfAClosedWorkspaceScopeAreComputedAgain() {
        ComputationGraph reference = graph(new ConvolutionLayer.Builder(), 3, 4, 3, 2, 1, Activation.RELU, true);
        ComputationGraph fast = graph(new GemmConvolutionLayer.Builder(), 3, 4, 3, 2, 1, Activation.RELU, true);
        fast.params().assign(reference.params());
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 3, 10, 9).subi(0.5);
        Pair<Gradient, INDArray> expected = backward(reference.getLayer("conv"), input);
        Layer layer = fast.getLayer("conv");
        LayerWorkspaceMgr workspaces = LayerWorkspaceMgr.builder().defaultWorkspace("WS_CONVOLUTION_BACKWARD_TEST",
                WorkspaceConfiguration.builder().initialSize(0).policyLearning(LearningPolicy.FIRST_LOOP).build())
                .build();
        layer.setInput(input, LayerWorkspaceMgr.noWorkspaces());

        long[] outputShape;
        try (MemoryWorkspace forward = workspaces.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
            outputShape = layer.activate(true, workspaces).shape();
        }
        try (MemoryWorkspace backward = workspaces.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
            INDArray inputGradient = layer.backpropGradient(epsilon(outputShape), workspaces).getSecond();
            assertThat(((GemmConvolution) layer).lastBackward()).isEqualTo("conv2d_bp after another forward");
            assertClose(inputGradient, expected.getSecond());
        }
        assertClose(fast.getGradientsViewArray(), reference.getGradientsViewArray());
    }

    /** A cropped view as input (as a crop vertex gives), and an epsilon that is a view too. */
    @Test
    void viewsGiveTheSameGradients() {
        ComputationGraph reference = graph(new ConvolutionLayer.Builder(), 3, 4, 3, 2, 1, Activation.RELU, true);
        ComputationGraph fast = graph(new GemmConvolutionLayer.Builder(), 3, 4, 3, 2, 1, Activation.RELU, true);
        fast.params().assign(reference.params());
        INDArray uncropped = Nd4j.rand(DataType.FLOAT, 2, 3, 14, 15).subi(0.5);
        INDArray input = uncropped.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(2, 12),
                NDArrayIndex.interval(3, 12));
        INDArray expectedInput = reference.getLayer("conv").backpropGradient(viewEpsilon(reference, input),
                LayerWorkspaceMgr.noWorkspaces()).getSecond();
        INDArray actualInput = fast.getLayer("conv").backpropGradient(viewEpsilon(fast, input),
                LayerWorkspaceMgr.noWorkspaces()).getSecond();

        assertThat(((GemmConvolution) fast.getLayer("conv")).lastBackward()).isEqualTo("conv2d_bp");
        assertClose(actualInput, expectedInput);
        assertClose(fast.getGradientsViewArray(), reference.getGradientsViewArray());
    }

    /** Runs the training forward; the gradient of the loss for its output, as a view of a larger array. */
    private static INDArray viewEpsilon(ComputationGraph graph, INDArray input) {
        Layer layer = graph.getLayer("conv");
        layer.setInput(input, LayerWorkspaceMgr.noWorkspaces());
        long[] shape = layer.activate(true, LayerWorkspaceMgr.noWorkspaces()).shape();
        return epsilon(new long[] {shape[0], shape[1], shape[2], shape[3] + 2})
                .get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(),
                        NDArrayIndex.interval(1, shape[3] + 1));
    }

    /** Activations whose derivative the output does not determine keep DL4J's backward pass, and its results. */
    @Test
    void otherActivationsKeepDl4jsBackward() {
        ComputationGraph reference = graph(new ConvolutionLayer.Builder(), 3, 4, 3, 2, 1, Activation.SIGMOID, true);
        ComputationGraph fast = graph(new GemmConvolutionLayer.Builder(), 3, 4, 3, 2, 1, Activation.SIGMOID, true);
        fast.params().assign(reference.params());
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 3, 10, 9).subi(0.5);

        Pair<Gradient, INDArray> expected = backward(reference.getLayer("conv"), input);
        Pair<Gradient, INDArray> actual = backward(fast.getLayer("conv"), input);

        assertThat(((GemmConvolution) fast.getLayer("conv")).lastBackward()).isEqualTo("dl4j");
        assertClose(actual.getSecond(), expected.getSecond());
        assertClose(fast.getGradientsViewArray(), reference.getGradientsViewArray());
    }

    /** A few SGD steps of a small segmentation graph: the same losses and parameters as DL4J's layers give. */
    @Test
    void fitsLikeDl4j() {
        ComputationGraph reference = segmentation(new ConvolutionLayer.Builder(), new ConvolutionLayer.Builder(),
                new ConvolutionLayer.Builder());
        ComputationGraph fast = segmentation(new GemmConvolutionLayer.Builder(), new GemmConvolutionLayer.Builder(),
                new GemmConvolutionLayer.Builder());
        fast.params().assign(reference.params());
        Nd4j.getRandom().setSeed(11);
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 3, 14, 13).subi(0.5);
        INDArray classes = Nd4j.rand(DataType.FLOAT, 2, 1, 10, 9).muli(3).castTo(DataType.INT32);
        INDArray labels = Nd4j.create(DataType.FLOAT, 2, 3, 10, 9);
        for (int c = 0; c < 3; c++) {
            labels.get(NDArrayIndex.all(), NDArrayIndex.point(c))
                    .assign(classes.get(NDArrayIndex.all(),
                            NDArrayIndex.point(0)).eq(c).castTo(DataType.FLOAT));
        }
        MultiDataSet data = new MultiDataSet(new INDArray[] {input}, new INDArray[] {labels});

        double firstScore = Double.NaN;
        for (int iteration = 0; iteration < 5; iteration++) {
            reference.fit(data);
            fast.fit(data);
            if (iteration == 0) {
                firstScore = reference.score();
            }
            assertThat(fast.score()).isCloseTo(reference.score(), org.assertj.core.data.Offset.offset(
                    1e-5 * Math.abs(reference.score())));
        }
        assertThat(reference.score()).isLessThan(firstScore); // it learned, so the gradients mattered
        assertThat(((GemmConvolution) fast.getLayer("c1")).lastBackward()).isEqualTo("conv2d_bp");
        assertThat(((GemmConvolution) fast.getLayer("c2")).lastBackward()).isEqualTo("conv2d_bp");
        assertThat(((GemmConvolution) fast.getLayer("c3")).lastBackward()).isEqualTo("conv2d_bp");
        assertClose(fast.params(), reference.params());
    }

    private static Pair<Gradient, INDArray> backward(Layer layer, INDArray input) {
        LayerWorkspaceMgr noWorkspaces = LayerWorkspaceMgr.noWorkspaces();
        layer.setInput(input, noWorkspaces);
        INDArray output = layer.activate(true, noWorkspaces);
        return layer.backpropGradient(epsilon(output.shape()), noWorkspaces);
    }

    /** The same gradient of the loss for the same output shape. */
    private static INDArray epsilon(long[] shape) {
        Nd4j.getRandom().setSeed(5);
        return Nd4j.rand(DataType.FLOAT, shape).subi(0.5);
    }

    private static void assertClose(INDArray actual, INDArray expected) {
        assertThat(actual.shape()).containsExactly(expected.shape());
        double scale = expected.amaxNumber().doubleValue();
        assertThat(scale).isGreaterThan(0);
        assertThat(actual.sub(expected).amaxNumber().doubleValue()).isLessThanOrEqualTo(1e-5 * scale);
    }

    private static ComputationGraph graph(ConvolutionLayer.Builder builder, int in, int out, int kernel,
                                          int dilation, int pad, Activation activation, boolean bias) {
        ConvolutionLayer layer = configured(builder, in, out, kernel, dilation, pad, activation).hasBias(bias).build();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .graphBuilder().addInputs("in").addLayer("conv", layer, "in").setOutputs("conv")
                .setInputTypes(InputType.convolutional(64, 64, in, CNN2DFormat.NCHW)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        graph.initGradientsView();
        if (bias) { // non-zero, so that a missing bias would show
            graph.getParam("conv_b").assign(Nd4j.rand(DataType.FLOAT, 1, out).subi(0.5));
        }
        return graph;
    }

    /** Padded 3x3, dilated 3x3 and 1x1 convolutions into a per-pixel softmax loss. */
    private static ComputationGraph segmentation(ConvolutionLayer.Builder first, ConvolutionLayer.Builder second,
                                                 ConvolutionLayer.Builder third) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(7).dataType(DataType.FLOAT)
                .updater(new Nesterovs(0.002, 0.9)).graphBuilder().addInputs("in")
                .addLayer("c1", configured(first, 3, 6, 3, 1, 1, Activation.RELU).build(), "in")
                .addLayer("c2", configured(second, 6, 5, 3, 2, 0, Activation.RELU).build(), "c1")
                .addLayer("c3", configured(third, 5, 3, 1, 1, 0, Activation.IDENTITY).build(), "c2")
                .addLayer("loss", new CnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).format(CNN2DFormat.NCHW).build(), "c3")
                .setOutputs("loss").setInputTypes(InputType.convolutional(14, 13, 3, CNN2DFormat.NCHW)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    private static ConvolutionLayer.Builder configured(ConvolutionLayer.Builder builder, int in, int out, int kernel,
                                                       int dilation, int pad, Activation activation) {
        builder.kernelSize(kernel, kernel).stride(1, 1).padding(pad, pad).dilation(dilation, dilation)
                .convolutionMode(ConvolutionMode.Truncate).nIn(in).nOut(out).dataFormat(CNN2DFormat.NCHW)
                .activation(activation);
        return builder;
    }
}
