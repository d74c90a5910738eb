package ai.dilation4j.converter.graph;

import java.util.Arrays;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Copies values into a graph layer's parameter arrays (which are views into the graph's flat parameters). */
public final class GraphParams {

    private GraphParams() {
    }

    public static void assign(ComputationGraph graph, String vertex, String key, INDArray values) {
        INDArray param = graph.getLayer(vertex).getParam(key);
        if (param == null) {
            throw new IllegalStateException("Vertex " + vertex + " has no parameter " + key);
        }
        if (param.length() != values.length()) {
            throw new IllegalStateException("Parameter " + key + " of vertex " + vertex + " has shape "
                    + Arrays.toString(param.shape()) + ", cannot take " + Arrays.toString(values.shape()));
        }
        param.assign(values.reshape(param.ordering(), param.shape()));
    }
}
