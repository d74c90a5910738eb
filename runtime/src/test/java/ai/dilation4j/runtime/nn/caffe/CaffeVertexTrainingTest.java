package ai.dilation4j.runtime.nn.caffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Percentage.withPercentage;

import java.util.function.UnaryOperator;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.learning.config.Adam;
import org.nd4j.linalg.learning.config.NoOp;
import org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction;
import org.nd4j.linalg.ops.transforms.Transforms;

import ai.dilation4j.runtime.nn.caffe.CaffePoolingVertex.Method;
import ai.dilation4j.runtime.nn.conv.GemmConvolutionLayer;

/** The Caffe vertices inside graphs that train: against DL4J's own pooling layer where both agree, and a fit. */
class CaffeVertexTrainingTest {

    private static final int CHANNELS = 3;

    /**
     * conv → pool → loss with DL4J's {@code SubsamplingLayer} or the Caffe vertex on sizes where their output sizes
     * and divisors coincide: the same score and the same convolution gradients, which pass through the pooling's
     * backward pass (inside the graph's workspaces).
     */
    @ParameterizedTest(name = "{0} {1}: {2}x{3} pooled by kernel {4}, stride {5}, pad {6}")
    @CsvSource({
            "MAX, Truncate, 10, 12, 2, 2, 0",
            "MAX, Same, 9, 11, 2, 2, 0",     // Caffe's extra clipped window = DL4J's Same padding
            "MAX, Same, 10, 12, 3, 2, 0",
            "MAX, Truncate, 9, 9, 3, 2, 1",
            "AVE, Truncate, 10, 12, 2, 2, 0",
            "AVE, Same, 9, 11, 2, 2, 0",     // both divide the clipped window by the cells inside
            "AVE, Truncate, 9, 9, 3, 2, 1",  // both count the padding in the divisor
    })
    void matchesDl4jSubsampling(Method method, ConvolutionMode mode, int height, int width, int kernel, int stride,
                                int pad) {
        boolean max = method == Method.MAX;
        SubsamplingLayer dl4jPool = new SubsamplingLayer.Builder(max ? PoolingType.MAX : PoolingType.AVG)
                .kernelSize(kernel, kernel).stride(stride, stride).padding(pad, pad).convolutionMode(mode)
                .avgPoolIncludePadInDivisor(mode == ConvolutionMode.Truncate)
                .build();
        ComputationGraph dl4j = convPoolLoss(height, width, builder -> builder.addLayer("pool", dl4jPool, "conv"));
        ComputationGraph caffe = convPoolLoss(height, width, builder -> builder.addVertex("pool",
                new CaffePoolingVertex(method, kernel, kernel, stride, stride, pad, pad), "conv"));
        caffe.setParams(dl4j.params());
        long outH = CaffePoolingVertex.outputSize(height, kernel, stride, pad);
        long outW = CaffePoolingVertex.outputSize(width, kernel, stride, pad);
        Nd4j.getRandom().setSeed(height * 31L + kernel);
        INDArray input = Nd4j.randn(DataType.FLOAT, 2, CHANNELS, height + 2, width + 2);
        INDArray labels = Nd4j.randn(DataType.FLOAT, 2, CHANNELS, outH, outW);

        double[] scores = new double[2];
        INDArray[] gradients = new INDArray[2];
        ComputationGraph[] graphs = {dl4j, caffe};
        for (int i = 0; i < 2; i++) {
            graphs[i].setInput(0, input);
            graphs[i].setLabel(0, labels);
            graphs[i].computeGradientAndScore();
            scores[i] = graphs[i].score();
            gradients[i] = graphs[i].gradient().gradient().dup();
        }

        assertThat(scores[1]).as("score").isCloseTo(scores[0], withPercentage(1e-3));
        double scale = Transforms.abs(gradients[0]).maxNumber().doubleValue();
        assertThat(scale).as("the gradients are not vacuous").isGreaterThan(1e-3);
        assertThat(Transforms.abs(gradients[1].sub(gradients[0])).maxNumber().doubleValue() / scale)
                .as("largest gradient difference, relative").isLessThan(1e-5);
    }

    private static ComputationGraph convPoolLoss(int convHeight, int convWidth,
            UnaryOperator<ComputationGraphConfiguration.GraphBuilder> pool) {
        ComputationGraphConfiguration.GraphBuilder builder = new NeuralNetConfiguration.Builder()
                .seed(7).updater(new NoOp()).weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("in")
                .addLayer("conv", new ConvolutionLayer.Builder(3, 3).nIn(CHANNELS).nOut(CHANNELS)
                        .activation(Activation.IDENTITY).build(), "in");
        ComputationGraphConfiguration conf = pool.apply(builder)
                .addLayer("loss", new CnnLossLayer.Builder(LossFunction.MSE).activation(Activation.IDENTITY).build(),
                        "pool")
                .setOutputs("loss")
                .setInputTypes(InputType.convolutional(convHeight + 2, convWidth + 2, CHANNELS))
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /**
     * conv → Caffe pool (rounded-up, padded) → conv → Caffe crop → per-pixel softmax loss trains: the loss falls,
     * and the first convolution learns, which it can only through the pooling and crop gradients.
     */
    @ParameterizedTest
    @EnumSource(Method.class)
    void tinyGraphThroughPoolingAndCropFits(Method method) {
        int classes = 3;
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder()
                .seed(11).updater(new Adam(0.02)).weightInit(WeightInit.XAVIER)
                .graphBuilder()
                .addInputs("in")
                .addLayer("conv1", new GemmConvolutionLayer.Builder().kernelSize(3, 3).padding(1, 1).nIn(CHANNELS).nOut(8)
                        .activation(Activation.RELU).build(), "in")
                // 14x14 -> 8x8: Caffe's rounded-up size (DL4J's Truncate gives 7)
                .addVertex("pool", new CaffePoolingVertex(method, 3, 3, 2, 2, 1, 1), "conv1")
                .addLayer("conv2", new GemmConvolutionLayer.Builder().kernelSize(3, 3).padding(2, 2).nOut(classes)
                        .activation(Activation.IDENTITY).build(), "pool")
                .addVertex("crop", new CaffeCropVertex(2, new long[] {1, 1}), "conv2", "pool")
                .addLayer("loss", new CnnLossLayer.Builder(LossFunction.MCXENT).activation(Activation.SOFTMAX).build(),
                        "crop")
                .setOutputs("loss")
                .setInputTypes(InputType.convolutional(14, 14, CHANNELS))
                .build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        Nd4j.getRandom().setSeed(5);
        // each output pixel's class is the brightest input channel at the centre of the window it pools
        INDArray input = Nd4j.rand(DataType.FLOAT, 4, CHANNELS, 14, 14);
        INDArray labels = Nd4j.create(DataType.FLOAT, 4, classes, 8, 8);
        for (int n = 0; n < 4; n++) {
            for (int h = 0; h < 8; h++) {
                for (int w = 0; w < 8; w++) {
                    INDArray pixel = input.get(NDArrayIndex.point(n), NDArrayIndex.all(),
                            NDArrayIndex.point(Math.min(2 * h, 13)), NDArrayIndex.point(Math.min(2 * w, 13)));
                    labels.putScalar(new long[] {n, pixel.argMax().getInt(0), h, w}, 1);
                }
            }
        }
        INDArray firstWeights = graph.getLayer("conv1").getParam("W").dup();

        graph.setInput(0, input);
        graph.setLabel(0, labels);
        graph.computeGradientAndScore();
        double initialLoss = graph.score();
        for (int i = 0; i < 60; i++) {
            graph.fit(new INDArray[] {input}, new INDArray[] {labels});
        }
        graph.computeGradientAndScore();

        assertThat(graph.score()).as("loss after 60 iterations, from %.4f", initialLoss)
                .isLessThan(0.75 * initialLoss);
        assertThat(graph.getLayer("conv1").getParam("W").equalsWithEps(firstWeights, 1e-4))
                .as("the first convolution learned").isFalse();
    }
}
