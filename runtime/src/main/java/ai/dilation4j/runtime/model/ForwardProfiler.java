package ai.dilation4j.runtime.model;

import java.util.ArrayList;
import java.util.List;

import ai.dilation4j.runtime.nn.conv.DescribesAlgorithm;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.layers.convolution.Deconvolution2DLayer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.LayerTiming;

/**
 * Runs a graph's vertices one at a time in topological order, as {@code ComputationGraph.output} does, timing
 * each. It keeps every activation until the end, so it needs more memory than a plain forward pass; use it to
 * see where the time goes, not to measure the total.
 */
final class ForwardProfiler {

    private static final WorkspaceConfiguration WORKING_MEMORY = WorkspaceConfiguration.builder()
            .initialSize(0).overallocationLimit(0.02).policyLearning(LearningPolicy.OVER_TIME)
            .policyReset(ResetPolicy.BLOCK_LEFT).policySpill(SpillPolicy.REALLOCATE)
            .policyAllocation(AllocationPolicy.OVERALLOCATE).build();

    private ForwardProfiler() {
    }

    static List<LayerTiming> profile(ComputationGraph graph, INDArray input) {
        try {
            return timeEachVertex(graph, input);
        } finally {
            graph.clearLayersStates(); // drop the inputs the vertices still hold
        }
    }

    private static List<LayerTiming> timeEachVertex(ComputationGraph graph, INDArray input) {
        GraphVertex[] vertices = graph.getVertices();
        INDArray[] outputs = new INDArray[vertices.length];
        // Working memory in the workspace ComputationGraph.output uses (same name, so the same per-thread
        // workspace, already sized by earlier forward passes); activations are kept outside any workspace.
        LayerWorkspaceMgr.Builder builder = LayerWorkspaceMgr.builder();
        for (ArrayType type : ArrayType.values()) {
            if (type == ArrayType.FF_WORKING_MEM) {
                builder.with(type, "WS_LAYER_WORKING_MEM", WORKING_MEMORY);
            } else {
                builder.noWorkspaceFor(type);
            }
        }
        LayerWorkspaceMgr workspaces = builder.build();
        List<LayerTiming> timings = new ArrayList<>();
        for (int index : graph.topologicalSortOrder()) {
            GraphVertex vertex = vertices[index];
            if (vertex.isInputVertex()) {
                outputs[index] = input;
                continue;
            }
            VertexIndices[] inputs = vertex.getInputVertices();
            for (int i = 0; i < inputs.length; i++) {
                vertex.setInput(i, outputs[inputs[i].getVertexIndex()], workspaces);
            }
            long start = System.nanoTime();
            INDArray output;
            try (MemoryWorkspace working = workspaces.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
                output = vertex.doForward(false, workspaces);
            }
            Nd4j.getExecutioner().commit(); // a GPU backend queues work: wait for it
            double milliseconds = (System.nanoTime() - start) / 1e6;
            outputs[index] = output;
            Layer layer = vertex.hasLayer() ? vertex.getLayer() : null;
            String kind = layer != null ? layer.conf().getLayer().getClass().getSimpleName()
                    : vertex.getClass().getSimpleName();
            String algorithm = layer instanceof DescribesAlgorithm described ? described.lastAlgorithm() : "";
            timings.add(new LayerTiming(vertex.getVertexName(), kind, algorithm, milliseconds,
                    flops(layer, outputs[inputs[0].getVertexIndex()], output)));
        }
        return timings;
    }

    /** Two per multiply-add of a convolution-like layer: {@code 2 * |W| * positions the kernel visits}. */
    private static double flops(Layer layer, INDArray input, INDArray output) {
        INDArray kernel = layer == null || layer.numParams() == 0 ? null : layer.paramTable().get("W");
        if (kernel == null || output.rank() != 4) {
            return 0;
        }
        double weights = kernel.length();
        if (layer instanceof Deconvolution2DLayer) {
            return 2 * weights * input.size(0) * input.size(2) * input.size(3);
        }
        return 2 * weights * output.size(0) * output.size(2) * output.size(3);
    }
}
