package example;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.model.SegmenterOptions;
import ai.dilation4j.runtime.segment.SegmentationResult;

/**
 * Builds a tiny segmentation network in code (a 9x9 convolution with no padding, so a 32x32 tile gives the 24x24
 * output inside a label margin of 4, then the per-pixel softmax head dilation4j's converter makes) whose class k
 * is the strength of BGR channel k at the pixel, and segments an image of blue, green and red stripes with it.
 * Exits with 1 unless every stripe gets its color's class.
 */
public final class SegmentStripes {

    private static final int TILE = 32;
    private static final int MARGIN = 4;
    private static final int KERNEL = 2 * MARGIN + 1;

    public static void main(String[] args) throws Exception {
        DatasetSpec stripes = new DatasetSpec("stripes", List.of("blue", "green", "red"),
                List.of(new int[] {0, 0, 255}, new int[] {0, 255, 0}, new int[] {255, 0, 0}),
                new double[] {0, 0, 0}, MARGIN, 1);
        ModelMetadata metadata = new ModelMetadata(ModelMetadata.FORMAT_VERSION, "stripes", "data",
                new long[] {1, 3, TILE, TILE}, "prob", 3,
                Map.of("data", "data", "score", "score", "prob", "prob"), List.of(), null, stripes, "consumer");

        BufferedImage image = new BufferedImage(90, 40, BufferedImage.TYPE_3BYTE_BGR);
        Graphics2D graphics = image.createGraphics();
        graphics.setColor(Color.BLUE);
        graphics.fillRect(0, 0, 30, 40);
        graphics.setColor(Color.GREEN);
        graphics.fillRect(30, 0, 30, 40);
        graphics.setColor(Color.RED);
        graphics.fillRect(60, 0, 30, 40);
        graphics.dispose();

        try (SegmentationModel model = SegmentationModel.of(channelPicker(), metadata);
             Segmenter segmenter = model.segmenter(SegmenterOptions.builder().threads(1).build())) {
            SegmentationResult result = segmenter.segment(image);
            int[] labels = result.labels();
            System.out.printf("Segmented a %dx%d image in %d tiles: class fractions %s (%s)%n", result.width(),
                    result.height(), result.tiles(), Arrays.toString(result.classFractions()),
                    stripes.classNames());
            for (int y = 0; y < result.height(); y++) {
                for (int x = 0; x < result.width(); x++) {
                    int expected = x / 30;
                    if (labels[y * result.width() + x] != expected) {
                        System.out.printf("Pixel (%d, %d) got class %d, expected %d%n", x, y,
                                labels[y * result.width() + x], expected);
                        System.exit(1);
                    }
                }
            }
            System.out.println("Every stripe got its color's class.");
        }
    }

    /** Class k scores 10 x the k-th (B, G, R) input value at the kernel's center; a softmax over the classes follows. */
    private static ComputationGraph channelPicker() {
        ComputationGraphConfiguration configuration = new NeuralNetConfiguration.Builder()
                .graphBuilder()
                .addInputs("data")
                .setInputTypes(InputType.convolutional(TILE, TILE, 3, CNN2DFormat.NCHW))
                .addLayer("score", new ConvolutionLayer.Builder(KERNEL, KERNEL).nIn(3).nOut(3)
                        .activation(Activation.IDENTITY).build(), "data")
                .addLayer("prob", new CnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                        .activation(Activation.SOFTMAX).format(CNN2DFormat.NCHW).build(), "score")
                .setOutputs("prob")
                .build();
        ComputationGraph graph = new ComputationGraph(configuration);
        graph.init();
        INDArray weights = graph.getParam("score_W");  // [nOut, nIn, kH, kW]
        weights.assign(0);
        graph.getParam("score_b").assign(0);
        for (int k = 0; k < 3; k++) {
            weights.putScalar(new long[] {k, k, MARGIN, MARGIN}, 10.0);
        }
        return graph;
    }
}
