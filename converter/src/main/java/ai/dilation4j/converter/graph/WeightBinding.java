package ai.dilation4j.converter.graph;

import java.util.List;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The parameter blobs a Caffe layer must bring from the caffemodel, and how they go into the graph.
 *
 * @param layerName      Caffe layer name, as the caffemodel stores it
 * @param layerType      Caffe layer type, for messages
 * @param blobRoles      what each blob is, e.g. {@code weights}, {@code bias}
 * @param expectedShapes Caffe shape of each blob
 * @param binder         copies the blobs, already checked and reshaped, into the graph's parameters
 */
public record WeightBinding(String layerName, String layerType, List<String> blobRoles, List<long[]> expectedShapes,
                            Binder binder) {

    /** Copies checked Caffe blobs into graph parameters. */
    @FunctionalInterface
    public interface Binder {
        void bind(ComputationGraph graph, List<INDArray> blobs);
    }

    public WeightBinding {
        blobRoles = List.copyOf(blobRoles);
        expectedShapes = List.copyOf(expectedShapes);
        if (blobRoles.size() != expectedShapes.size()) {
            throw new IllegalArgumentException("one role per expected blob");
        }
    }
}
