package ai.dilation4j.runtime.model;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BaseLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.LayerTiming;
import ai.dilation4j.runtime.ModelFileException;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.VertexSummary;

/**
 * A converted Caffe network loaded for inference: the DL4J {@link ComputationGraph} and its
 * {@link ModelMetadata}. Close it to release the native memory of its parameters.
 *
 * <pre>{@code
 * try (SegmentationModel model = ModelZoo.standard().load("pascal_voc");  // ai.dilation4j.models, fetches on first use
 *      Segmenter segmenter = model.segmenter(SegmenterOptions.builder().threads(2).build())) {
 *     SegmentationResult result = segmenter.segment(Path.of("photo.jpg"));
 * }
 * }</pre>
 *
 * <p>A {@code ComputationGraph} must not run two forward passes at once (DL4J issue #9993), so the methods of
 * this class that run the network directly are synchronized; a {@link Segmenter} runs several at once.
 */
public final class SegmentationModel implements AutoCloseable {

    private final Path source;
    private final ComputationGraph graph;
    private final ModelMetadata metadata;
    private boolean closed;
    /** The last input shape whose blobs were found to fit, so repeated calls skip the shape inference. */
    private long[] lastHoldableShape;

    private SegmentationModel(Path source, ComputationGraph graph, ModelMetadata metadata) {
        this.source = source;
        this.graph = graph;
        this.metadata = metadata;
    }

    /** Loads a dilation4j model file written by {@code dilation4j convert}. */
    public static SegmentationModel load(Path file) throws ModelFileException {
        ModelMetadata metadata = ModelFile.readMetadata(file);
        ComputationGraph graph = ModelFile.readGraph(file, metadata);
        return new SegmentationModel(file, graph, metadata);
    }

    /**
     * A segmenter over this model, safe for concurrent use. The model must stay open while it is used; closing
     * the segmenter releases its extra graphs.
     */
    public Segmenter segmenter(SegmenterOptions options) throws InvalidInputException {
        return new Segmenter(this, options);
    }

    /** Wraps a graph held in memory, e.g. one the converter has just built. */
    public static SegmentationModel of(ComputationGraph graph, ModelMetadata metadata) {
        return new SegmentationModel(null, graph, metadata);
    }

    public ModelMetadata metadata() {
        return metadata;
    }

    /** The underlying graph. It is not safe for concurrent use; prefer the methods of this class. */
    public ComputationGraph graph() {
        return graph;
    }

    /** Runs the network on an NCHW input and returns its output blob. */
    public synchronized INDArray forward(INDArray input) throws InvalidInputException {
        checkInput(input);
        return graph.outputSingle(false, input);
    }

    /**
     * Runs the network and returns the final value of each requested Caffe blob, in the order Caffe computes
     * them. An empty collection means every blob.
     */
    public synchronized Map<String, INDArray> forwardBlobs(INDArray input, Collection<String> blobs)
            throws InvalidInputException {
        checkInput(input);
        List<String> wanted = new ArrayList<>();
        for (String blob : metadata.blobVertices().keySet()) {
            if (blobs.isEmpty() || blobs.contains(blob)) {
                wanted.add(blob);
            }
        }
        for (String blob : blobs) {
            if (!metadata.blobVertices().containsKey(blob)) {
                throw new InvalidInputException("The model has no blob '" + blob + "'. Its blobs are: "
                        + String.join(", ", metadata.blobVertices().keySet()));
            }
        }
        Map<String, INDArray> activations = graph.feedForward(new INDArray[] {input}, false, false);
        Map<String, INDArray> result = new LinkedHashMap<>();
        for (String blob : wanted) {
            String vertex = metadata.blobVertices().get(blob);
            INDArray value = vertex.equals(metadata.inputBlob()) ? input : activations.get(vertex);
            if (value == null) {
                throw new IllegalStateException("Graph vertex " + vertex + " of blob " + blob + " produced no output");
            }
            result.put(blob, value);
        }
        return result;
    }

    /**
     * Runs the network vertex by vertex and returns the time each took, with the arithmetic of convolutions.
     * Slower and hungrier than {@link #forward}; meant for benchmarks and for finding slow layers.
     */
    public synchronized List<LayerTiming> profileForward(INDArray input) throws InvalidInputException {
        checkInput(input);
        return ForwardProfiler.profile(graph, input);
    }

    /** The graph's vertices in topological order, with output shapes for the model's input shape. */
    public List<VertexSummary> vertices() {
        ComputationGraphConfiguration conf = graph.getConfiguration();
        long[] shape = metadata.inputShape();
        Map<String, InputType> types = conf.getLayerActivationTypes(InputType.convolutional(shape[2], shape[3], shape[1]));
        List<VertexSummary> summaries = new ArrayList<>();
        for (String input : conf.getNetworkInputs()) {
            summaries.add(new VertexSummary(input, "Input", List.of(), shape, 0, ""));
        }
        for (int index : graph.topologicalSortOrder()) {
            org.deeplearning4j.nn.graph.vertex.GraphVertex vertex = graph.getVertices()[index];
            if (vertex.isInputVertex()) {
                continue;
            }
            String name = vertex.getVertexName();
            GraphVertex vertexConf = conf.getVertices().get(name);
            InputType type = types.get(name);
            long[] outShape = type == null ? new long[0] : type.getShape(true);
            if (outShape.length > 0) {
                outShape[0] = shape[0];
            }
            summaries.add(new VertexSummary(name, kindOf(vertexConf), conf.getVertexInputs().get(name), outShape,
                    vertex.numParams(), detailsOf(vertexConf)));
        }
        return summaries;
    }

    private static String kindOf(GraphVertex vertexConf) {
        if (vertexConf instanceof LayerVertex layerVertex) {
            return layerVertex.getLayerConf().getLayer().getClass().getSimpleName();
        }
        return vertexConf.getClass().getSimpleName();
    }

    private static String detailsOf(GraphVertex vertexConf) {
        if (!(vertexConf instanceof LayerVertex layerVertex)) {
            return vertexConf.toString().replaceFirst("^[A-Za-z]+\\(", "").replaceFirst("\\)$", "");
        }
        Layer layer = layerVertex.getLayerConf().getLayer();
        StringBuilder text = new StringBuilder();
        if (layer instanceof ConvolutionLayer conv) {
            text.append("kernel ").append(pair(conv.getKernelSize()))
                    .append(" stride ").append(pair(conv.getStride()))
                    .append(" pad ").append(pair(conv.getPadding()))
                    .append(" dilation ").append(pair(conv.getDilation()));
        }
        if (layer instanceof BaseLayer base && base.getActivationFn() != null) {
            text.append(text.length() == 0 ? "" : " ").append("activation ").append(base.getActivationFn());
        } else if (layer instanceof ActivationLayer activation) {
            text.append("activation ").append(activation.getActivationFn());
        }
        return text.toString();
    }

    private static String pair(int[] values) {
        return values[0] + "x" + values[1];
    }

    private void checkInput(INDArray input) throws InvalidInputException {
        if (closed) {
            throw new IllegalStateException("The model " + describe() + " is closed");
        }
        long[] expected = metadata.inputShape();
        long[] actual = input.shape();
        if (actual.length != 4 || actual[1] != expected[1] || Arrays.stream(actual).anyMatch(d -> d < 1)) {
            throw new InvalidInputException("The model " + describe() + " takes an NCHW input with " + expected[1]
                    + " channels and at least one image row and column (converted for " + Arrays.toString(expected)
                    + "), got shape " + Arrays.toString(actual) + ".");
        }
        if (!Arrays.equals(actual, lastHoldableShape)) {
            requireHoldableBlobs(actual);
            lastHoldableShape = actual.clone();
        }
        FiniteValues.requireFinite(input, "The input");
    }

    /**
     * Refuses an input for which some blob could not be computed: too small for a kernel, or so large that a
     * blob would exceed what one array holds. Shape inference allocates nothing, so this costs a message, not
     * a failed multi-gigabyte allocation in the middle of the network.
     */
    private void requireHoldableBlobs(long[] shape) throws InvalidInputException {
        Optional<String> problem = inputProblem(graph.getConfiguration(), shape);
        if (problem.isPresent()) {
            throw new InvalidInputException("The model " + describe() + " cannot run on an input of shape "
                    + Arrays.toString(shape) + ": " + problem.get() + ". It was converted for "
                    + Arrays.toString(metadata.inputShape()) + "; give an input of about that size.");
        }
    }

    /** Why this model cannot run on an NCHW input of this shape, if it cannot (see the static twin). */
    public Optional<String> inputProblem(long[] nchw) {
        return inputProblem(graph.getConfiguration(), nchw);
    }

    /**
     * Why a network cannot run on an NCHW input of this shape, if it cannot: a blob it would compute is empty (the
     * input is smaller than its kernels) or larger than one array holds, or DL4J refuses the size. Shape inference
     * on a copy of the configuration: nothing is allocated.
     */
    public static Optional<String> inputProblem(ComputationGraphConfiguration configuration, long[] nchw) {
        try {
            return ModelConfigurationCheck.firstUnholdable(ModelConfigurationCheck.outputShapes(configuration, nchw));
        } catch (RuntimeException e) {
            return Optional.of(ModelFile.oneLine(e));
        }
    }

    private String describe() {
        return source == null ? metadata.name() : source.toString();
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            graph.close();
        }
    }
}
