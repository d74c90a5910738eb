package ai.dilation4j.converter.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import ai.dilation4j.converter.CaffeConverter;
import ai.dilation4j.converter.ConversionOptions;
import ai.dilation4j.converter.RandomCaffeModel;
import ai.dilation4j.converter.keras.KerasConverter;
import ai.dilation4j.converter.onnx.proto.Onnx.ModelProto;
import ai.dilation4j.converter.onnx.proto.Onnx.NodeProto;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.model.TinyGraph;
import ai.dilation4j.testing.KerasTwin;
import ai.dilation4j.testing.SmallNetworks;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.LocalResponseNormalization;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Exported models run in ONNX Runtime and give our output: every mapped layer and vertex type, Caffe's pooling
 * rounding where it differs from floor rounding and where Caffe drops the last window, dilated convolutions.
 */
class OnnxExportTest {

    /** Agreement asked of ONNX Runtime, relative to the largest output value. */
    private static final double TOLERANCE = 1e-4;

    /**
     * Caffe pooling where its rounding matters, on a 20x23 input: pool_a (MAX k3 s2) gives 10 rows where floor
     * rounding gives 9; pool_b (MAX k3 s3 p1) and pool_d (AVE k3 s3 p1) on 10x11 drop the last column window, which
     * would start in the padding (ceil gives 5, Caffe 4); pool_c (AVE k3 s2 p1) divides its last row by the 2 rows
     * inside [-1, 21), which the crop keeps. Crop, Eltwise SUM with a coefficient and Concat join the branches.
     */
    static final String POOLING = """
            name: "pooling"
            input: "data"
            input_shape { dim: 1 dim: 3 dim: 20 dim: 23 }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "pool_a" type: "Pooling" bottom: "conv1" top: "pool_a"
                    pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
            layer { name: "pool_b" type: "Pooling" bottom: "pool_a" top: "pool_b"
                    pooling_param { pool: MAX kernel_size: 3 stride: 3 pad: 1 } }
            layer { name: "pool_d" type: "Pooling" bottom: "pool_a" top: "pool_d"
                    pooling_param { pool: AVE kernel_size: 3 stride: 3 pad: 1 } }
            layer { name: "pool_c" type: "Pooling" bottom: "conv1" top: "pool_c"
                    pooling_param { pool: AVE kernel_size: 3 stride: 2 pad: 1 } }
            layer { name: "crop_c" type: "Crop" bottom: "pool_c" bottom: "pool_b" top: "crop_c"
                    crop_param { axis: 2 offset: 7 offset: 8 } }
            layer { name: "sum" type: "Eltwise" bottom: "pool_b" bottom: "crop_c" top: "sum"
                    eltwise_param { operation: SUM coeff: 1 coeff: -0.5 } }
            layer { name: "joined" type: "Concat" bottom: "sum" bottom: "pool_d" top: "joined" }
            layer { name: "score" type: "Convolution" bottom: "joined" top: "score"
                    convolution_param { num_output: 5 kernel_size: 1 } }
            layer { name: "prob" type: "Softmax" bottom: "score" top: "prob" }
            """;

    /** Caffe max pooling and crop for any input size: pool_b drops a window that would start in the padding. */
    static final String MAX_POOLING = """
            name: "max_pooling"
            input: "data"
            input_shape { dim: 1 dim: 3 dim: 20 dim: 23 }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "pool_a" type: "Pooling" bottom: "conv1" top: "pool_a"
                    pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
            layer { name: "pool_b" type: "Pooling" bottom: "pool_a" top: "pool_b"
                    pooling_param { pool: MAX kernel_size: 3 stride: 3 pad: 1 } }
            layer { name: "crop_a" type: "Crop" bottom: "pool_a" bottom: "pool_b" top: "crop_a"
                    crop_param { axis: 1 offset: 0 offset: 1 offset: 1 } }
            layer { name: "sum" type: "Eltwise" bottom: "pool_b" bottom: "crop_a" top: "sum" }
            layer { name: "score" type: "Convolution" bottom: "sum" top: "score"
                    convolution_param { num_output: 5 kernel_size: 1 } }
            layer { name: "prob" type: "Softmax" bottom: "score" top: "prob" }
            """;

    /**
     * The convolution family on a 13x15 input: a dilated convolution with a leaky ReLU that keeps its input, a
     * depthwise (group = channels) and a grouped convolution, a plain and a grouped deconvolution, Eltwise PROD and
     * MAX, Concat, Dropout, and a Crop back to the input's size.
     */
    static final String CONVOLUTIONS = """
            name: "convolutions"
            input: "data"
            input_shape { dim: 1 dim: 4 dim: 13 dim: 15 }
            layer { name: "dilated" type: "Convolution" bottom: "data" top: "dilated"
                    convolution_param { num_output: 6 kernel_size: 3 pad: 2 dilation: 2 } }
            layer { name: "leaky" type: "ReLU" bottom: "dilated" top: "leaky" relu_param { negative_slope: 0.1 } }
            layer { name: "depthwise" type: "Convolution" bottom: "leaky" top: "depthwise"
                    convolution_param { num_output: 6 kernel_size: 3 pad: 1 group: 6 } }
            layer { name: "grouped" type: "Convolution" bottom: "depthwise" top: "grouped"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 group: 2 } }
            layer { name: "up" type: "Deconvolution" bottom: "grouped" top: "up"
                    convolution_param { num_output: 4 kernel_size: 4 stride: 2 pad: 1 } }
            layer { name: "up_grouped" type: "Deconvolution" bottom: "grouped" top: "up_grouped"
                    convolution_param { num_output: 4 kernel_size: 4 stride: 2 pad: 1 group: 4 } }
            layer { name: "product" type: "Eltwise" bottom: "up" bottom: "up_grouped" top: "product"
                    eltwise_param { operation: PROD } }
            layer { name: "maximum" type: "Eltwise" bottom: "up" bottom: "up_grouped" top: "maximum"
                    eltwise_param { operation: MAX } }
            layer { name: "joined" type: "Concat" bottom: "product" bottom: "maximum" top: "joined" }
            layer { name: "drop" type: "Dropout" bottom: "joined" top: "joined" }
            layer { name: "cropped" type: "Crop" bottom: "joined" bottom: "data" top: "cropped"
                    crop_param { offset: 5 } }
            layer { name: "score" type: "Convolution" bottom: "cropped" top: "score"
                    convolution_param { num_output: 5 kernel_size: 1 dilation: 1 } }
            layer { name: "prob" type: "Softmax" bottom: "score" top: "prob" }
            """;

    @TempDir
    Path dir;

    @Test
    void theSmallestSegmentationNetworkRunsInOnnxRuntime() throws Exception {
        try (SegmentationModel model = caffe(SmallNetworks.CONV_RELU_SCORE)) {
            assertOnnxRuntimeAgrees(model, OnnxExportOptions.defaults(), model.metadata().inputShape());
        }
    }

    @Test
    void caffePoolingRoundsAndDropsWindowsAsCaffeDoes() throws Exception {
        try (SegmentationModel model = caffe(POOLING)) {
            ModelProto onnx = assertOnnxRuntimeAgrees(model, OnnxExportOptions.defaults(), model.metadata().inputShape());
            // pool_a rounds up by ceil_mode; pool_b drops its last column window: explicit end pads, floor rounding.
            assertThat(attribute(node(onnx, "pool_a"), "ceil_mode")).isEqualTo(List.of(1L));
            assertThat(attribute(node(onnx, "pool_b"), "pads")).isEqualTo(List.of(1L, 1L, 1L, 0L));
            assertThat(node(onnx, "pool_d").getOpType()).isEqualTo("AveragePool");
        }
    }

    @Test
    void dilatedGroupedAndTransposedConvolutionsMatch() throws Exception {
        try (SegmentationModel model = caffe(CONVOLUTIONS)) {
            ModelProto onnx = assertOnnxRuntimeAgrees(model, OnnxExportOptions.defaults(), model.metadata().inputShape());
            assertThat(onnx.getGraph().getNodeList()).extracting(NodeProto::getOpType)
                    .contains("Conv", "LeakyRelu", "ConvTranspose", "Mul", "Max", "Concat", "Slice", "Softmax");
            assertThat(attribute(node(onnx, "dilated"), "dilations")).isEqualTo(List.of(2L, 2L));
            assertThat(attribute(node(onnx, "depthwise"), "group")).isEqualTo(List.of(6L));
        }
    }

    @Test
    void kerasDilatedNetWithContextModuleMatches() throws Exception {
        KerasTwin twin = KerasTwin.withContext();
        Path h5 = dir.resolve("model.h5");
        Path prototxt = twin.writeCaffe(dir, 11);
        twin.writeKerasModel(h5, new KerasTwin.Flavor("2.2.4", false, "tensorflow", KerasTwin.Head.SOFTMAX_LAYER),
                KerasTwin.caffeWeights(KerasTwin.caffemodel(prototxt)));
        try (SegmentationModel model = new KerasConverter().convert(h5, ConversionOptions.defaults())) {
            ModelProto onnx = assertOnnxRuntimeAgrees(model, OnnxExportOptions.defaults(), twin.inputShape());
            assertThat(onnx.getGraph().getNodeList()).extracting(NodeProto::getOpType).contains("Pad", "MaxPool");
        }
    }

    @Test
    void aModelFileWithDilatedNetsTilingExportsAtAnotherSize() throws Exception {
        try (SegmentationModel model = SegmentationModel.load(TinyGraph.tiled(dir.resolve("tiled.zip")))) {
            assertOnnxRuntimeAgrees(model, OnnxExportOptions.builder().inputSize(380, 395).build(),
                    new long[] {1, 3, 380, 395});
        }
    }

    @Test
    void dl4jLayersOfOtherImportsMatch() throws Exception {
        ComputationGraph graph = dl4jLayers();
        ModelMetadata metadata = new ModelMetadata(ModelMetadata.FORMAT_VERSION, "dl4j_layers", "image",
                new long[] {1, 3, 11, 12}, "out", 4, Map.of("image", "image", "out", "out"), List.of(), null, null,
                "test");
        try (SegmentationModel model = SegmentationModel.of(graph, metadata)) {
            ModelProto onnx = assertOnnxRuntimeAgrees(model, OnnxExportOptions.defaults(), metadata.inputShape());
            assertThat(onnx.getGraph().getNodeList()).extracting(NodeProto::getOpType).contains("Resize",
                    "Sigmoid", "Tanh", "Concat", "AveragePool", "MaxPool", "Mean", "Sub", "Pad");
        }
    }

    @Test
    void dynamicSizeTakesOtherInputsWithCaffesRounding() throws Exception {
        try (SegmentationModel model = caffe(MAX_POOLING)) {
            Path file = dir.resolve("dynamic.onnx");
            new OnnxExporter(OnnxExportOptions.builder().dynamicSize(true).build()).export(model, file);
            // pool_b drops a window of the last column at 20x23, of the last row at 23x26, none at 26x21.
            for (long[] shape : List.of(model.metadata().inputShape(), new long[] {2, 3, 23, 26},
                    new long[] {1, 3, 26, 21})) {
                INDArray input = input(shape);
                assertAgree(model.forward(input), OnnxRuntimeRun.forward(file, input));
            }
        }
    }

    @Test
    void dynamicSizeRefusesCaffeAveragesNamingTheVertex() throws Exception {
        try (SegmentationModel model = caffe(POOLING)) {
            assertThatThrownBy(() -> new OnnxExporter(OnnxExportOptions.builder().dynamicSize(true).build())
                    .export(model, dir.resolve("dynamic.onnx")))
                    .isInstanceOf(OnnxExportException.class)
                    .hasMessageStartingWith("Vertex 'pool_c' (CaffePoolingVertex) averages")
                    .hasMessageContaining("fixed input size");
        }
    }

    @Test
    void anUnmappedVertexIsNamedAndNothingIsWritten() throws Exception {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .graphBuilder().addInputs("data")
                .addLayer("conv", convolution(3, 4, 3, ConvolutionMode.Truncate, Activation.RELU), "data")
                .addLayer("norm", new LocalResponseNormalization.Builder().build(), "conv")
                .addLayer("prob", softmaxHead(), "norm")
                .setOutputs("prob").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        ModelMetadata metadata = new ModelMetadata(ModelMetadata.FORMAT_VERSION, "lrn", "data",
                new long[] {1, 3, 8, 8}, "prob", 4, Map.of("prob", "prob"), List.of(), null, null, "test");
        Path target = Files.writeString(dir.resolve("model.onnx"), "previous");
        try (SegmentationModel model = SegmentationModel.of(graph, metadata)) {
            assertThatThrownBy(() -> new OnnxExporter(OnnxExportOptions.defaults()).export(model, target))
                    .isInstanceOf(OnnxExportException.class)
                    .hasMessageContaining("Vertex 'norm' is a LocalResponseNormalization")
                    .hasMessageContaining("Exported types:").hasMessageContaining("CaffePoolingVertex");
        }
        assertThat(target).hasContent("previous");
        try (var files = Files.list(dir)) {
            assertThat(files).hasSize(1);
        }
    }

    @Test
    void aSizeTheNetworkDoesNotTakeIsRefused() throws Exception {
        try (SegmentationModel model = caffe(POOLING)) {
            assertThatThrownBy(() -> new OnnxExporter(OnnxExportOptions.builder().inputSize(2, 2).build())
                    .export(model, dir.resolve("small.onnx")))
                    .isInstanceOf(OnnxExportException.class).hasMessageContaining("does not take a 2x2 input");
            assertThat(dir.resolve("small.onnx")).doesNotExist();
        }
    }

    /** Upsampling, sigmoid/tanh activations, Same-mode convolution and pooling, Merge and element-wise vertices. */
    private static ComputationGraph dl4jLayers() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .graphBuilder().addInputs("image")
                .addLayer("same", convolution(3, 4, 3, ConvolutionMode.Same, Activation.IDENTITY), "image")
                .addLayer("sigmoid", new ActivationLayer.Builder().activation(Activation.SIGMOID).build(), "same")
                .addLayer("tanh", new ActivationLayer.Builder().activation(Activation.TANH).build(), "same")
                .addVertex("average", new ElementWiseVertex(ElementWiseVertex.Op.Average), "sigmoid", "tanh", "same")
                .addVertex("difference", new ElementWiseVertex(ElementWiseVertex.Op.Subtract), "sigmoid", "tanh")
                .addVertex("merged", new MergeVertex(), "average", "difference")
                .addLayer("padded", new ZeroPaddingLayer.Builder(1, 2, 0, 3).dataFormat(CNN2DFormat.NCHW).build(),
                        "merged")
                .addLayer("max_same", new SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
                        .convolutionMode(ConvolutionMode.Same).dataFormat(CNN2DFormat.NCHW).build(), "padded")
                .addLayer("avg", new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(1, 1)
                        .padding(1, 1).convolutionMode(ConvolutionMode.Truncate).dataFormat(CNN2DFormat.NCHW)
                        .build(), "max_same")
                .addLayer("up", new Upsampling2D.Builder().size(new int[] {2, 3}).dataFormat(CNN2DFormat.NCHW).build(),
                        "avg")
                .addLayer("score", convolution(8, 4, 1, ConvolutionMode.Truncate, Activation.IDENTITY), "up")
                .addLayer("out", softmaxHead(), "score")
                .setOutputs("out").build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        Nd4j.getRandom().setSeed(3);
        graph.params().assign(Nd4j.rand(DataType.FLOAT, graph.params().shape()).subi(0.5));
        return graph;
    }

    private static ConvolutionLayer convolution(int in, int out, int kernel, ConvolutionMode mode,
                                                Activation activation) {
        return new ConvolutionLayer.Builder().kernelSize(kernel, kernel).convolutionMode(mode).nIn(in).nOut(out)
                .activation(activation).dataFormat(CNN2DFormat.NCHW).build();
    }

    private static CnnLossLayer softmaxHead() {
        return new CnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                .format(CNN2DFormat.NCHW).build();
    }

    private SegmentationModel caffe(String network) throws Exception {
        Path prototxt = Files.writeString(dir.resolve("net.prototxt"), network);
        Path weights = dir.resolve("net.caffemodel");
        RandomCaffeModel.write(prototxt, weights, 7, RandomCaffeModel.Format.V2);
        return new CaffeConverter().convert(prototxt, weights, ConversionOptions.defaults());
    }

    /** Exports, runs the file in ONNX Runtime on a random input of the shape and compares with our forward pass. */
    private ModelProto assertOnnxRuntimeAgrees(SegmentationModel model, OnnxExportOptions options, long[] shape)
            throws Exception {
        Path file = dir.resolve("model.onnx");
        OnnxExporter.Exported exported = new OnnxExporter(options).export(model, file);
        assertThat(exported.inputShape()).containsExactly(shape[0], shape[1], shape[2], shape[3]);
        INDArray input = input(shape);
        INDArray ours = model.forward(input);
        INDArray theirs = OnnxRuntimeRun.forward(file, input);
        assertThat(exported.outputShape()).containsExactly(ours.shape());
        assertAgree(ours, theirs);
        return ModelProto.parseFrom(Files.readAllBytes(file));
    }

    private static void assertAgree(INDArray ours, INDArray theirs) {
        assertThat(theirs.shape()).containsExactly(ours.shape());
        double scale = ours.amaxNumber().doubleValue();
        double difference = theirs.sub(ours).amaxNumber().doubleValue();
        assertThat(difference).as("max |ONNX Runtime - ours| against max |ours| = %s", scale)
                .isLessThanOrEqualTo(TOLERANCE * scale);
        // Not a saturated or constant output, in which wrong values could hide.
        assertThat(ours.maxNumber().doubleValue() - ours.minNumber().doubleValue()).isGreaterThan(0.1 * scale);
    }

    /** Values of magnitude ~1: the random He weights then keep the softmax unsaturated. */
    private static INDArray input(long[] shape) {
        Nd4j.getRandom().setSeed(42);
        return Nd4j.rand(DataType.FLOAT, shape).muli(2).subi(1);
    }

    private static NodeProto node(ModelProto model, String name) {
        return model.getGraph().getNodeList().stream().filter(node -> node.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no node " + name));
    }

    private static List<Long> attribute(NodeProto node, String name) {
        return node.getAttributeList().stream().filter(a -> a.getName().equals(name)).findFirst()
                .map(a -> a.getIntsCount() > 0 ? a.getIntsList() : List.of(a.getI())).orElse(List.of());
    }
}
