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
 * Base of the parameter-free vertices that reproduce Caffe layers DL4J has no exact equivalent for: a forward
 * pass and the gradient with respect to the inputs, so a converted network can be fine-tuned end to end.
 */
abstract class CaffeVertex extends BaseGraphVertex {

    CaffeVertex(ComputationGraph graph, String name, int vertexIndex, DataType dataType) {
        super(graph, name, vertexIndex, null, null, dataType);
    }

    /**
     * Computes the vertex output from {@link #inputs}, allocated through the manager as {@link ArrayType#ACTIVATIONS}
     * (or inside {@link #inActivations}); scratch arrays go to {@link ArrayType#FF_WORKING_MEM}.
     */
    protected abstract INDArray compute(LayerWorkspaceMgr workspaceMgr);

    /**
     * The gradient with respect to each input, given {@link #epsilon} (the gradient with respect to the output) and
     * the {@link #inputs} of the last forward pass; allocated through the manager as {@link ArrayType#ACTIVATION_GRAD},
     * scratch arrays in the current ({@link ArrayType#BP_WORKING_MEM}) scope. Every input gets an array, zeros where
     * the output does not depend on it: DL4J drops a gradient that another path adds to a vertex whose first gradient
     * was null.
     */
    protected abstract INDArray[] inputGradients(LayerWorkspaceMgr workspaceMgr);

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
    public final Pair<Gradient, INDArray[]> doBackward(boolean tbptt, LayerWorkspaceMgr workspaceMgr) {
        if (!canDoBackward()) {
            throw new IllegalStateException("Vertex " + vertexName + ": inputs or output gradient not set");
        }
        return new Pair<>(null, inputGradients(workspaceMgr)); // no parameters, so no parameter gradient
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
