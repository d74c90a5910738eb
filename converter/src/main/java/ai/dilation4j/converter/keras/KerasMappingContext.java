package ai.dilation4j.converter.keras;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.nd4j.linalg.api.ndarray.INDArray;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.graph.FeatureShape;
import ai.dilation4j.converter.graph.GraphBuildContext;
import ai.dilation4j.converter.graph.WeightBinding;

/**
 * The state of a Keras → DL4J mapping: the shared graph builder state (blob → vertex and shape), the Keras layout
 * of every blob, and the weights each layer brings, already in the layout the graph takes.
 */
final class KerasMappingContext {

    private final GraphBuildContext graph;
    private final KerasKernels kernels;
    private final Path weightsFile;
    private final TensorLayout modelLayout;
    private final Map<String, TensorLayout> layouts = new HashMap<>();
    private final Map<String, List<INDArray>> weights = new LinkedHashMap<>();

    KerasMappingContext(GraphBuildContext graph, KerasKernels kernels, Path weightsFile, TensorLayout modelLayout) {
        this.graph = graph;
        this.kernels = kernels;
        this.weightsFile = weightsFile;
        this.modelLayout = modelLayout;
    }

    /** The image layout of the network input: the dimension ordering of the model's layers. */
    TensorLayout modelLayout() {
        return modelLayout;
    }

    GraphBuildContext graph() {
        return graph;
    }

    KerasKernels kernels() {
        return kernels;
    }

    Path weightsFile() {
        return weightsFile;
    }

    /** The Keras layout of the layer's (single) input. */
    TensorLayout inputLayout(KerasNode node) throws ConversionException {
        graph.requireArity(node.asLayer(), 1, 1, 1);
        return layouts.get(node.asLayer().getBottom(0));
    }

    FeatureShape inputShape(KerasNode node) throws ConversionException {
        return graph.bottomShape(node.asLayer(), 0);
    }

    /** Records the layout of the layer's output blob. */
    void produced(KerasNode node, TensorLayout layout) {
        layouts.put(node.name(), layout);
    }

    void input(String blob, TensorLayout layout) {
        layouts.put(blob, layout);
    }

    /**
     * Requires an image input laid out as the layer's own dimension ordering says ({@code dim_ordering} in Keras 1,
     * {@code data_format} in Keras 2): dilation4j maps networks that keep one ordering throughout.
     */
    TensorLayout requireImage(KerasNode node) throws ConversionException {
        TensorLayout layout = inputLayout(node);
        if (!layout.image()) {
            throw node.unsupported("reads a " + layout.rank() + "-D tensor; dilation4j maps it on images (4-D "
                    + "tensors) only, before the Reshape of the segmentation head.");
        }
        boolean firstWanted = node.spec().channelsFirst().orElse(layout.channelsFirst());
        if (firstWanted != layout.channelsFirst()) {
            throw node.unsupported("orders its input " + (firstWanted ? "channels first" : "channels last")
                    + " but the layers before it order theirs " + (layout.channelsFirst() ? "channels first"
                    : "channels last") + "; dilation4j imports networks with one ordering throughout.");
        }
        return layout;
    }

    /** Declares the weights a layer brings, already in the layout of the graph parameters the binding fills. */
    void expectWeights(WeightBinding binding, List<INDArray> arrays) {
        graph.expectWeights(binding);
        weights.put(binding.layerName(), List.copyOf(arrays));
    }

    List<INDArray> weightsOf(String layer) {
        return weights.getOrDefault(layer, List.of());
    }
}
