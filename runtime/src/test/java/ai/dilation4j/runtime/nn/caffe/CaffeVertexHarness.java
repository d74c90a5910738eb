package ai.dilation4j.runtime.nn.caffe;

import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** One Caffe vertex outside a graph: forward and backward on given arrays, without workspaces. */
final class CaffeVertexHarness {

    private final GraphVertex vertex;

    CaffeVertexHarness(CaffeVertexConf conf, int inputCount, DataType dataType) {
        vertex = conf.instantiate(null, "vertex", 0, null, false, dataType);
        vertex.setInputVertices(new VertexIndices[inputCount]);
    }

    INDArray forward(INDArray... inputs) {
        for (int i = 0; i < inputs.length; i++) {
            vertex.setInput(i, inputs[i], LayerWorkspaceMgr.noWorkspaces());
        }
        return vertex.doForward(true, LayerWorkspaceMgr.noWorkspaces());
    }

    /** The gradient with respect to each input, for the output gradient {@code outputGradient}. */
    INDArray[] backward(INDArray outputGradient, INDArray... inputs) {
        forward(inputs);
        vertex.setEpsilon(outputGradient);
        return vertex.doBackward(false, LayerWorkspaceMgr.noWorkspaces()).getSecond();
    }
}
