package ai.dilation4j.runtime.nn.caffe;

import java.util.function.Supplier;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.api.MaskState;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.BaseGraphVertex;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Base of the parameter-free vertices that reproduce Caffe layers DL4J has no exact equivalent for.
 * dilation4j runs converted networks for inference only, so backpropagation is refused with a clear message
 * instead of computing something subtly wrong.
 */
abstract class InferenceOnlyVertex extends BaseGraphVertex {

    InferenceOnlyVertex(ComputationGraph graph, String name, int vertexIndex, DataType dataType) {
        super(graph, name, vertexIndex, null, null, dataType);
    }

    /**
     * Computes the vertex output from {@link #inputs}, allocated through the manager as {@link ArrayType#ACTIVATIONS}
     * (or inside {@link #inActivations}); scratch arrays go to {@link ArrayType#FF_WORKING_MEM}.
     */
    protected abstract INDArray compute(LayerWorkspaceMgr workspaceMgr);

    /** Runs ND4J ops whose results are the vertex output: they allocate in the activations workspace. */
    protected static INDArray inActivations(LayerWorkspaceMgr workspaceMgr, Supplier<INDArray> output) {
        try (MemoryWorkspace ignored = workspaceMgr.notifyScopeBorrowed(ArrayType.ACTIVATIONS)) {
            return output.get();
        }
    }

    @Override
    public final INDArray doForward(boolean training, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoForward()) {
            throw new IllegalStateException("Vertex " + vertexName + ": inputs not set");
        }
        return compute(workspaceMgr);
    }

    @Override
    public Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        throw new UnsupportedOperationException("Vertex " + vertexName + " (" + getClass().getSimpleName()
                + ") reproduces a Caffe layer for inference only; it cannot be trained");
    }

    @Override
    public boolean hasLayer() {
        return false;
    }

    @Override
    public Layer getLayer() {
        return null;
    }

    @Override
    public void setBackpropGradientsViewArray(INDArray backpropGradientsViewArray) {
        if (backpropGradientsViewArray != null) {
            throw new IllegalStateException("Vertex " + vertexName + " has no parameters");
        }
    }

    @Override
    public Pair<INDArray, MaskState> feedForwardMaskArrays(INDArray[] maskArrays, MaskState currentMaskState,
                                                         int minibatchSize) {
        if (maskArrays == null || maskArrays.length == 0) {
            return null;
        }
        return new Pair<>(maskArrays[0], currentMaskState);
    }
}
