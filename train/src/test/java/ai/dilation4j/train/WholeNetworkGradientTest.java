package ai.dilation4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.model.ModelFile;
import ai.dilation4j.train.testing.TinyDilatedNet;

/**
 * Every parameter's gradient of a whole converted DilatedNet (Caffe pooling vertices, dilated and 1x1 convolutions,
 * the per-pixel softmax loss) through our training path equals the gradient through DL4J's own ConvolutionLayer on
 * the same weights, input and labels: what {@code --freeze none} trains with. It caught conv2_1's input gradient
 * coming back from oneDNN's conv2d_bp laid out [C][N][H][W] (said only by its strides), which the pooling vertex
 * read as row-major: conv1_1's gradients were off by more than their own size.
 */
class WholeNetworkGradientTest {

    @TempDir
    Path dir;

    @Test
    void gradientsMatchDl4jsConvolutionLayers() throws Exception {
        ComputationGraph ours = ModelFile.readGraph(TinyDilatedNet.write(dir));
        String json = ours.getConfiguration().toJson().replace("ai.dilation4j.runtime.nn.conv.GemmConvolutionLayer",
                "org.deeplearning4j.nn.conf.layers.ConvolutionLayer");
        assertThat(json).doesNotContain("GemmConvolutionLayer");
        ComputationGraph dl4j = new ComputationGraph(ComputationGraphConfiguration.fromJson(json));
        dl4j.init(ours.params().dup(), true);

        Nd4j.getRandom().setSeed(11);
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 3, TinyDilatedNet.CROP, TinyDilatedNet.CROP).muli(255).subi(128);
        INDArray labels = randomOneHot(ours.outputSingle(input).shape());

        Map<String, INDArray> expected = gradients(dl4j, input, labels);
        Map<String, INDArray> actual = gradients(ours, input, labels);

        assertThat(actual.keySet()).isEqualTo(expected.keySet()).contains("conv1_1_W", "fc6_W", "ct_final_W");
        for (Map.Entry<String, INDArray> entry : expected.entrySet()) {
            double scale = entry.getValue().amaxNumber().doubleValue();
            double difference = actual.get(entry.getKey()).sub(entry.getValue()).amaxNumber().doubleValue();
            assertThat(difference).as("gradient of %s (largest %s)", entry.getKey(), scale)
                    .isLessThanOrEqualTo(1e-5 * scale);
        }
    }

    private static INDArray randomOneHot(long[] shape) {
        INDArray labels = Nd4j.zeros(DataType.FLOAT, shape);
        java.util.Random random = new java.util.Random(5);
        for (long n = 0; n < shape[0]; n++) {
            for (long y = 0; y < shape[2]; y++) {
                for (long x = 0; x < shape[3]; x++) {
                    labels.putScalar(new long[] {n, random.nextInt((int) shape[1]), y, x}, 1f);
                }
            }
        }
        return labels;
    }

    private static Map<String, INDArray> gradients(ComputationGraph graph, INDArray input, INDArray labels) {
        graph.setInputs(input);
        graph.setLabels(labels);
        graph.computeGradientAndScore();
        Map<String, INDArray> copies = new TreeMap<>();
        graph.gradient().gradientForVariable().forEach((name, values) -> copies.put(name, values.dup()));
        return copies;
    }
}
