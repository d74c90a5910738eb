package ai.dilation4j.runtime.model;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.ModelFileException;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.nn.caffe.CaffePoolingVertex;
import ai.dilation4j.runtime.nn.conv.GemmConvolutionLayer;

/**
 * Converted networks in miniature, built without the converter (which runtime cannot use). {@link #graph}: a 3x3
 * convolution (3 to 4 channels), a Caffe 2x2 max pooling, a 1x1 score convolution (5 classes) and the softmax head,
 * for a 1 x 3 x 9 x 11 input. {@link #tiled}: a segmentation model with DilatedNet's tiling geometry.
 */
public final class TinyGraph {

    /** Classes of {@link #TILED_DATASET}, as many as PASCAL VOC's. */
    public static final int TILED_CLASSES = 21;

    /**
     * DilatedNet's tiling rules for {@link #tiled}: label margin 186, zoom 8, PASCAL VOC's BGR mean, and 21 classes
     * ({@code class0} to {@code class20}) of distinct palette colors.
     */
    public static final DatasetSpec TILED_DATASET = new DatasetSpec("tiny_voc",
            IntStream.range(0, TILED_CLASSES).mapToObj(c -> "class" + c).toList(),
            IntStream.range(0, TILED_CLASSES).mapToObj(c -> new int[] {c * 12, 255 - c * 12, c * 97 % 256}).toList(),
            new double[] {102.93, 111.36, 116.52}, 186, 8);

    private TinyGraph() {
    }

    static ComputationGraph graph() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT)
                .graphBuilder()
                .addInputs("data")
                .addLayer("conv1", new GemmConvolutionLayer.Builder().kernelSize(3, 3).nIn(3).nOut(4)
                        .activation(Activation.RELU).dataFormat(CNN2DFormat.NCHW).build(), "data")
                .addVertex("pool1", new CaffePoolingVertex(CaffePoolingVertex.Method.MAX, 2, 2, 2, 2, 0, 0), "conv1")
                .addLayer("score", new GemmConvolutionLayer.Builder().kernelSize(1, 1).nIn(4).nOut(5)
                        .activation(Activation.IDENTITY).dataFormat(CNN2DFormat.NCHW).build(), "pool1")
                .addLayer("prob", new CnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).format(CNN2DFormat.NCHW).build(), "score")
                .setOutputs("prob")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        graph.params().assign(Nd4j.rand(DataType.FLOAT, graph.params().shape()));
        return graph;
    }

    static Path write(ComputationGraph graph, Path file) throws ModelFileException {
        ModelFile.write(graph, new ModelMetadata(ModelMetadata.FORMAT_VERSION, "tiny", "data",
                new long[] {1, 3, 9, 11}, "prob", 5, blobs("data", "conv1", "pool1", "score", "prob"), List.of(), null,
                null, "test"), file);
        return file;
    }

    /**
     * Writes a segmentation model with DilatedNet's tiling geometry, carrying {@link #TILED_DATASET}, to {@code file}:
     * a 388x396 tile gives a 2x3 output, the valid 16x24 pixels of the tile (inside the label margin of 186) at 1/8
     * resolution; an image of H x W pixels takes ceil(H / 16) x ceil(W / 24) tiles. The network of the CLI tests'
     * TinyModel (there converted from Caffe files): a 3x3 convolution with ReLU to 8 channels, a Caffe 8x8 max
     * pooling, a 1x1 convolution to 128 channels ({@code wide}), a 3x3 one to 8 ({@code mix}, too small for Winograd's
     * algorithm to pay), a 2x2 one of dilation 47 to the 21 classes ({@code ctx}) and the softmax head.
     */
    public static Path tiled(Path file) throws ModelFileException {
        return tiled(file, 128, 8);
    }

    /** {@link #tiled} with 256 channels into and out of {@code mix}: enough for Winograd's algorithm to be chosen there. */
    public static Path tiledWithWinogradLayer(Path file) throws ModelFileException {
        return tiled(file, 256, 256);
    }

    private static Path tiled(Path file, int wideChannels, int mixChannels) throws ModelFileException {
        SegmentationModel model = tiledInMemory(wideChannels, mixChannels, Activation.IDENTITY.getActivationFunction());
        ModelFile.write(model.graph(), model.metadata(), file);
        return file;
    }

    /**
     * {@link #tiled}'s network in memory, without a file, with {@code wideChannels} into and {@code mixChannels} out
     * of {@code mix}, whose activation is {@code mixActivation} (a test's probe, which a model file could not hold).
     */
    static SegmentationModel tiledInMemory(int wideChannels, int mixChannels, IActivation mixActivation) {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .dataType(DataType.FLOAT)
                .graphBuilder()
                .addInputs("data")
                .addLayer("conv1", convolution(3, 8, 3, 1, 1, Activation.RELU.getActivationFunction()), "data")
                .addVertex("pool1", new CaffePoolingVertex(CaffePoolingVertex.Method.MAX, 8, 8, 8, 8, 0, 0), "conv1")
                .addLayer("wide", convolution(8, wideChannels, 1, 0, 1, Activation.IDENTITY.getActivationFunction()),
                        "pool1")
                .addLayer("mix", convolution(wideChannels, mixChannels, 3, 1, 1, mixActivation), "wide")
                .addLayer("ctx", convolution(mixChannels, TILED_CLASSES, 2, 0, 47,
                        Activation.IDENTITY.getActivationFunction()), "mix")
                .addLayer("prob", new CnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).format(CNN2DFormat.NCHW).build(), "ctx")
                .setOutputs("prob")
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        SplittableRandom random = new SplittableRandom(5);
        for (String layer : List.of("conv1", "wide", "mix", "ctx")) {
            heNormal(graph, layer, layer.equals("conv1"), random);
        }
        return SegmentationModel.of(graph, new ModelMetadata(ModelMetadata.FORMAT_VERSION, "tiny_dilated", "data",
                new long[] {1, 3, 388, 396}, "prob", TILED_CLASSES, blobs("data", "conv1", "pool1", "wide", "mix", "ctx", "prob"), List.of(),
                TILED_DATASET.name(), TILED_DATASET, "test"));
    }

    /** A Caffe-style convolution: square kernel, stride 1, Caffe's rounding (Truncate), with bias. */
    private static ConvolutionLayer convolution(int in, int out, int kernel, int pad, int dilation,
                                                IActivation activation) {
        return new GemmConvolutionLayer.Builder().kernelSize(kernel, kernel).padding(pad, pad)
                .dilation(dilation, dilation).convolutionMode(ConvolutionMode.Truncate).nIn(in).nOut(out)
                .activation(activation).dataFormat(CNN2DFormat.NCHW).build();
    }

    /**
     * He-normal weights and N(0, 0.1²) biases, as the converter's random caffemodels have, so that activations keep
     * their scale and the softmax does not saturate; the layer reading the image gets 64 times smaller weights, for
     * it reads mean-subtracted pixels of magnitude ~100.
     */
    private static void heNormal(ComputationGraph graph, String layer, boolean readsPixels, SplittableRandom random) {
        INDArray weights = graph.getLayer(layer).getParam("W");
        double std = Math.sqrt(2.0 * weights.size(0) / weights.length()) / (readsPixels ? 64 : 1);
        weights.assign(gaussian(weights.shape(), std, random));
        INDArray bias = graph.getLayer(layer).getParam("b");
        bias.assign(gaussian(bias.shape(), 0.1, random));
    }

    private static INDArray gaussian(long[] shape, double std, SplittableRandom random) {
        float[] values = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact))];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
        return Nd4j.create(values, shape, 'c');
    }

    /** Each Caffe blob at the vertex of the same name (no layer here works in place). */
    private static Map<String, String> blobs(String... names) {
        Map<String, String> blobs = new LinkedHashMap<>();
        for (String blob : names) {
            blobs.put(blob, blob);
        }
        return blobs;
    }

}
