package ai.dilation4j.runtime.model;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import ai.dilation4j.runtime.ModelFileException;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.nn.caffe.CaffePoolingVertex;
import ai.dilation4j.runtime.nn.conv.GemmConvolutionLayer;

/**
 * A converted network in miniature, built without the converter: a 3x3 convolution (3 to 4 channels), a Caffe
 * 2x2 max pooling, a 1x1 score convolution (5 classes) and the softmax head, for a 1 x 3 x 9 x 11 input.
 */
final class TinyGraph {

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
        Map<String, String> blobs = new LinkedHashMap<>();
        for (String blob : List.of("data", "conv1", "pool1", "score", "prob")) {
            blobs.put(blob, blob);
        }
        ModelFile.write(graph, new ModelMetadata(ModelMetadata.FORMAT_VERSION, "tiny", "data",
                new long[] {1, 3, 9, 11}, "prob", 5, blobs, List.of(), null, null, "test"), file);
        return file;
    }

}
