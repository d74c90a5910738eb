package ai.dilation4j.converter.graph;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.runtime.io.ArraySizes;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.layers.Layer;

/**
 * The state of a Caffe → DL4J conversion while layers are being mapped: which graph vertex currently holds
 * each Caffe blob (in-place layers move a blob to a new vertex, as Caffe overwrites it), the blob shapes
 * Caffe computes, and the weight bindings declared so far.
 */
public final class GraphBuildContext {

    private record BlobState(String vertex, FeatureShape shape) {
    }

    private final GraphBuilder builder;
    private final long batch;
    private final Map<String, BlobState> blobs = new LinkedHashMap<>();
    private final Map<String, FeatureShape> vertexShapes = new LinkedHashMap<>();
    private final Set<String> consumedVertices = new HashSet<>();
    private final Map<String, WeightBinding> bindings = new LinkedHashMap<>();
    /** Blob → what first produced it ("layer 'x' (Type)" or "the network input"), for Caffe's one-producer rule. */
    private final Map<String, String> producers = new LinkedHashMap<>();
    private long[] inputShape;

    public GraphBuildContext(GraphBuilder builder, long batch) {
        this.builder = builder;
        this.batch = batch;
    }

    /** Declares a network input blob; its vertex has the blob's name. */
    public void addInput(String blob, FeatureShape shape) throws ConversionException {
        inputShape = shape.nchw(batch);
        requireHoldable(blob, shape);
        builder.addInputs(blob);
        blobs.put(blob, new BlobState(blob, shape));
        vertexShapes.put(blob, shape);
        producers.put(blob, "the network input");
    }

    /**
     * Applies Caffe's rule that every blob has one producer: a layer may write a blob that already exists only
     * in place, that is as its top {@code i} when its bottom {@code i} is the same blob. Caffe refuses anything
     * else ("Top blob 'x' produced by multiple sources"); converting it would silently pick one of the values.
     */
    public void claimTops(LayerParameter layer) throws ConversionException {
        for (int i = 0; i < layer.getTopCount(); i++) {
            String top = layer.getTop(i);
            boolean inPlace = i < layer.getBottomCount() && layer.getBottom(i).equals(top);
            String producer = producers.get(top);
            if (producer != null && !inPlace) {
                throw new ConversionException(describe(layer) + " writes top '" + top + "', which " + producer
                        + " already produces; Caffe refuses this too (\"Top blob '" + top + "' produced by multiple "
                        + "sources\"). Give the layer a top of its own, or make it work in place by giving '" + top
                        + "' as its bottom" + (i == 0 ? "" : " " + i) + ".");
            }
            if (producer == null) {
                producers.put(top, "layer '" + layer.getName() + "' (" + layer.getType() + ")");
            }
        }
    }

    /** Checks a layer's bottom and top counts. */
    public void requireArity(LayerParameter layer, int minBottoms, int maxBottoms, int tops)
            throws ConversionException {
        int bottoms = layer.getBottomCount();
        if (bottoms < minBottoms || bottoms > maxBottoms || layer.getTopCount() != tops) {
            String expected = minBottoms == maxBottoms ? String.valueOf(minBottoms)
                    : maxBottoms == Integer.MAX_VALUE ? minBottoms + " or more" : minBottoms + ".." + maxBottoms;
            throw new ConversionException(describe(layer) + " has " + bottoms + " bottom(s) and "
                    + layer.getTopCount() + " top(s); a " + layer.getType() + " layer takes " + expected
                    + " bottom(s) and " + tops + " top(s).");
        }
    }

    public FeatureShape bottomShape(LayerParameter layer, int index) throws ConversionException {
        return bottom(layer, index).shape();
    }

    public String bottomVertex(LayerParameter layer, int index) throws ConversionException {
        return bottom(layer, index).vertex();
    }

    /**
     * Adds a DL4J layer reading the layer's first bottom and producing its first top.
     *
     * @return the vertex name, which is the Caffe layer name unless that is taken
     */
    public String addLayer(LayerParameter layer, Layer dl4jLayer, FeatureShape outputShape)
            throws ConversionException {
        return addLayer(layer, dl4jLayer, outputShape, bottomVertex(layer, 0));
    }

    /** Adds a DL4J layer reading the given vertex and producing the layer's first top. */
    public String addLayer(LayerParameter layer, Layer dl4jLayer, FeatureShape outputShape, String input)
            throws ConversionException {
        String vertex = newVertexName(layer.getName());
        builder.addLayer(vertex, dl4jLayer, input);
        consumedVertices.add(input);
        produced(layer, vertex, outputShape);
        return vertex;
    }

    /** Adds a helper vertex that is not the layer's result (e.g. a scaling step of an Eltwise SUM). */
    public String addHelperVertex(String name, GraphVertex vertex, FeatureShape outputShape, String... inputs)
            throws ConversionException {
        String unique = newVertexName(name);
        requireHoldable(unique, outputShape);
        builder.addVertex(unique, vertex, inputs);
        consumedVertices.addAll(Arrays.asList(inputs));
        vertexShapes.put(unique, outputShape);
        return unique;
    }

    /** Adds the vertex computing the layer's first top from the given input vertices. */
    public void addVertex(LayerParameter layer, GraphVertex vertex, FeatureShape outputShape, String... inputs)
            throws ConversionException {
        String name = newVertexName(layer.getName());
        builder.addVertex(name, vertex, inputs);
        consumedVertices.addAll(Arrays.asList(inputs));
        produced(layer, name, outputShape);
    }

    /** Makes the layer's top another name for its bottom's current value (identity layers such as Dropout). */
    public void aliasTopToBottom(LayerParameter layer) throws ConversionException {
        BlobState bottom = bottom(layer, 0);
        blobs.remove(layer.getTop(0));
        blobs.put(layer.getTop(0), bottom);
    }

    /**
     * Whether the layer may overwrite its first bottom's value, as DL4J's {@code ActivationLayer} does at inference:
     * only when Caffe also overwrites it (top == bottom), nothing has read that value yet, no other blob name
     * refers to it, and it is not the network input, which belongs to the caller.
     */
    public boolean mayOverwriteBottom(LayerParameter layer) throws ConversionException {
        String vertex = bottomVertex(layer, 0);
        long names = blobs.values().stream().filter(state -> state.vertex().equals(vertex)).count();
        return layer.getTop(0).equals(layer.getBottom(0)) && !consumedVertices.contains(vertex) && names == 1
                && !builder.getNetworkInputs().contains(vertex);
    }

    /** Declares the trained blobs the layer needs. */
    public void expectWeights(WeightBinding binding) {
        bindings.put(binding.layerName(), binding);
    }

    public long batch() {
        return batch;
    }

    public Map<String, WeightBinding> weightBindings() {
        return Collections.unmodifiableMap(bindings);
    }

    /** Caffe blob → vertex holding its final value, in the order the blobs were last written. */
    public Map<String, String> blobVertices() {
        Map<String, String> result = new LinkedHashMap<>();
        blobs.forEach((blob, state) -> result.put(blob, state.vertex()));
        return result;
    }

    public FeatureShape blobShape(String blob) {
        return blobs.get(blob).shape();
    }

    /** Output shape Caffe computes for each vertex, to check against DL4J's own shape inference. */
    public Map<String, FeatureShape> vertexShapes() {
        return Collections.unmodifiableMap(vertexShapes);
    }

    /** Vertices nothing reads: the network outputs, in creation order. */
    public List<String> outputVertices() {
        List<String> outputs = new ArrayList<>();
        for (String vertex : vertexShapes.keySet()) {
            if (!consumedVertices.contains(vertex) && !builder.getNetworkInputs().contains(vertex)) {
                outputs.add(vertex);
            }
        }
        return outputs;
    }

    /** The last-written blob held by a vertex. */
    public String blobOf(String vertex) {
        String found = null;
        for (Map.Entry<String, BlobState> entry : blobs.entrySet()) {
            if (entry.getValue().vertex().equals(vertex)) {
                found = entry.getKey();
            }
        }
        return found;
    }

    public static String describe(LayerParameter layer) {
        return "Layer '" + layer.getName() + "' (" + layer.getType() + ")";
    }

    private BlobState bottom(LayerParameter layer, int index) throws ConversionException {
        String blob = layer.getBottom(index);
        BlobState state = blobs.get(blob);
        if (state == null) {
            throw new ConversionException(describe(layer) + " reads blob '" + blob + "', which neither a network "
                    + "input nor an earlier layer produces. Known blobs: " + String.join(", ", blobs.keySet()));
        }
        return state;
    }

    private void produced(LayerParameter layer, String vertex, FeatureShape shape) throws ConversionException {
        String top = layer.getTop(0);
        requireHoldable(top, shape);
        vertexShapes.put(vertex, shape);
        // Re-inserting moves an overwritten blob to where Caffe recomputes it, which keeps the map in forward order.
        blobs.remove(top);
        blobs.put(top, new BlobState(vertex, shape));
    }

    /**
     * Refuses a blob that one forward pass could not hold: ND4J, OpenCV and Java buffers index at most 2^31-1
     * elements, and a blob that size is already 8 GB. Only an input far beyond the deploy size gets there.
     */
    private void requireHoldable(String blob, FeatureShape shape) throws ConversionException {
        long[] nchw = shape.nchw(batch);
        if (!ArraySizes.fitsOneArray(nchw)) {
            throw new ConversionException("Blob '" + blob + "' would be " + ArraySizes.describe(nchw)
                    + " for the network input shape " + Arrays.toString(inputShape) + ", more than the "
                    + ArraySizes.MAX_ELEMENTS + " one array can hold. Convert with the deploy input size (e.g. "
                    + "1 x 3 x 900 x 900 for DilatedNet; images of any size are segmented in tiles of it)"
                    + (blobs.isEmpty() ? "." : " and check num_output of the layers before '" + blob + "'."));
        }
    }

    /** The layer name, or the name with a numeric suffix when a vertex (or the input) already has it. */
    private String newVertexName(String wanted) {
        String base = wanted.isEmpty() ? "layer" : wanted;
        String name = base;
        for (int suffix = 2; vertexShapes.containsKey(name); suffix++) {
            name = base + "_" + suffix;
        }
        return name;
    }
}
