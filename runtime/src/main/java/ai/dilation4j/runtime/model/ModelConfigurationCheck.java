package ai.dilation4j.runtime.model;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.Convolution1DLayer;
import org.deeplearning4j.nn.conf.layers.Convolution3D;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution3D;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.FeedForwardLayer;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.conf.layers.Subsampling1DLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;

import ai.dilation4j.runtime.ModelFileException;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.io.ArraySizes;

/**
 * Checks a model file's graph configuration before anything is allocated or run: DL4J deserializes layer
 * geometry without validating it, so an edited or damaged {@code configuration.json} would otherwise fail at
 * segment time ("/ by zero" from a zero stride) or ask for an impossible allocation.
 */
final class ModelConfigurationCheck {

    private final Path file;
    private final ComputationGraphConfiguration configuration;

    ModelConfigurationCheck(Path file, ComputationGraphConfiguration configuration) {
        this.file = file;
        this.configuration = configuration;
    }

    /**
     * Checks every layer's geometry and channel counts and returns the number of parameters the configuration
     * implies, which must fit one array.
     */
    long parameterCount() throws ModelFileException {
        long total = 0;
        for (Map.Entry<String, GraphVertex> entry : configuration.getVertices().entrySet()) {
            String vertex = entry.getKey();
            if (entry.getValue() instanceof LayerVertex layerVertex) {
                if (layerVertex.getLayerConf() == null || layerVertex.getLayerConf().getLayer() == null) {
                    throw invalid(vertex, "has no layer configuration");
                }
                checkLayer(vertex, layerVertex.getLayerConf().getLayer());
            }
            long count;
            try {
                count = entry.getValue().numParams(false);
            } catch (RuntimeException e) {
                throw invalid(vertex, "has no parameter count (" + ModelFile.oneLine(e) + ")");
            }
            if (count < 0 || count > ArraySizes.MAX_ELEMENTS) {
                throw invalid(vertex, "has " + count + " parameters");
            }
            total += count;
        }
        if (total > ArraySizes.MAX_ELEMENTS) {
            throw new ModelFileException("Model file " + file + " describes " + total + " parameters, more than the "
                    + ArraySizes.MAX_ELEMENTS + " one array can hold; the file is damaged or was edited. "
                    + "Convert the Caffe model again.");
        }
        return total;
    }

    /**
     * Checks that the metadata fits the graph: its input is the graph's only input, every vertex output at the
     * recorded input shape fits one array, convolutions get as many channels as they take, the recorded blobs
     * exist, and the output blob has the recorded number of classes. Runs after {@link #parameterCount}.
     */
    void requireFits(ModelMetadata metadata) throws ModelFileException {
        if (!List.of(metadata.inputBlob()).equals(configuration.getNetworkInputs())) {
            throw mismatch("the graph's inputs are " + configuration.getNetworkInputs() + " but the metadata names '"
                    + metadata.inputBlob() + "'");
        }
        long[] input = metadata.inputShape();
        Map<String, long[]> shapes;
        try {
            shapes = outputShapes(configuration, input);
        } catch (RuntimeException e) {
            throw mismatch("the graph does not accept the metadata's input shape " + Arrays.toString(input) + " ("
                    + ModelFile.oneLine(e) + ")");
        }
        Optional<String> unholdable = firstUnholdable(shapes);
        if (unholdable.isPresent()) {
            throw mismatch(unholdable.get() + " for the input shape " + Arrays.toString(input));
        }
        for (Map.Entry<String, long[]> entry : shapes.entrySet()) {
            GraphVertex vertex = configuration.getVertices().get(entry.getKey());
            if (vertex instanceof LayerVertex layerVertex
                    && layerVertex.getLayerConf().getLayer() instanceof ConvolutionLayer convolution) {
                String from = configuration.getVertexInputs().get(entry.getKey()).get(0);
                long[] given = shapes.get(from);
                if (given.length == 4 && given[1] != convolution.getNIn()) {
                    throw invalid(entry.getKey(), "takes " + convolution.getNIn() + " input channels but '" + from
                            + "' gives it " + given[1]);
                }
            }
        }
        for (Map.Entry<String, String> blob : metadata.blobVertices().entrySet()) {
            if (!shapes.containsKey(blob.getValue())) {
                throw mismatch("blob '" + blob.getKey() + "' is recorded at vertex '" + blob.getValue()
                        + "', which the graph does not have");
            }
        }
        long[] output = shapes.get(metadata.blobVertices().get(metadata.outputBlob()));
        if (output.length != 4) {
            throw mismatch("the output blob '" + metadata.outputBlob() + "' has shape " + Arrays.toString(output)
                    + ", not N x C x H x W");
        }
        if (output[1] != metadata.numClasses()) {
            throw mismatch("the output blob '" + metadata.outputBlob() + "' has " + output[1] + " channels but the "
                    + "metadata records " + metadata.numClasses() + " classes");
        }
    }

    /**
     * Every vertex's output shape, batch first, for an NCHW input, by DL4J's shape inference (on a copy: the
     * inference fills in missing nIn values and preprocessors). DL4J throws where the input is too small.
     */
    static Map<String, long[]> outputShapes(ComputationGraphConfiguration configuration, long[] input) {
        Map<String, InputType> types = configuration.clone().getLayerActivationTypes(false, false,
                InputType.convolutional(input[2], input[3], input[1]));
        Map<String, long[]> shapes = new LinkedHashMap<>();
        types.forEach((vertex, type) -> {
            long[] shape = type.getShape(false);
            long[] withBatch = new long[shape.length + 1];
            withBatch[0] = input[0];
            System.arraycopy(shape, 0, withBatch, 1, shape.length);
            shapes.put(vertex, withBatch);
        });
        return shapes;
    }

    /** The first output that is empty or more than one array holds, described, e.g. for an oversized input. */
    static Optional<String> firstUnholdable(Map<String, long[]> shapes) {
        for (Map.Entry<String, long[]> entry : shapes.entrySet()) {
            long[] shape = entry.getValue();
            if (Arrays.stream(shape).anyMatch(d -> d < 1)) {
                return Optional.of("vertex '" + entry.getKey() + "' would output nothing (shape "
                        + Arrays.toString(shape) + "): the input is smaller than its kernels");
            }
            if (!ArraySizes.fitsOneArray(shape)) {
                return Optional.of("vertex '" + entry.getKey() + "' would output " + ArraySizes.describe(shape)
                        + ", more than the " + ArraySizes.MAX_ELEMENTS + " one array can hold");
            }
        }
        return Optional.empty();
    }

    private void checkLayer(String vertex, Layer layer) throws ModelFileException {
        if (layer instanceof FeedForwardLayer feedForward
                && (feedForward.getNIn() < 0 || feedForward.getNIn() > ArraySizes.MAX_ELEMENTS
                || feedForward.getNOut() < 0 || feedForward.getNOut() > ArraySizes.MAX_ELEMENTS)) {
            throw invalid(vertex, "has nIn " + feedForward.getNIn() + " and nOut " + feedForward.getNOut());
        }
        if (layer instanceof ConvolutionLayer convolution) {
            int rank = spatialRank(layer);
            checkGeometry(vertex, rank, convolution.getKernelSize(), convolution.getStride(),
                    convolution.getDilation(), convolution.getPadding());
            if (convolution.getNIn() < 1 || convolution.getNOut() < 1) {
                throw invalid(vertex, "has nIn " + convolution.getNIn() + " and nOut " + convolution.getNOut()
                        + "; a convolution needs at least 1 of each");
            }
            if (layer instanceof DepthwiseConvolution2D depthwise && depthwise.getDepthMultiplier() < 1) {
                throw invalid(vertex, "has depth multiplier " + depthwise.getDepthMultiplier());
            }
            long[] weights = new long[rank + 2];
            weights[0] = convolution.getNIn();
            weights[1] = convolution.getNOut();
            for (int d = 0; d < rank; d++) {
                weights[d + 2] = convolution.getKernelSize()[d];
            }
            // DL4J's own count (nIn * nOut * kernel, in plain long arithmetic) is only safe below this bound.
            if (!ArraySizes.fitsOneArray(weights)) {
                throw invalid(vertex, "implies weights of " + ArraySizes.describe(weights) + ", more than the "
                        + ArraySizes.MAX_ELEMENTS + " one array can hold");
            }
        } else if (layer instanceof SubsamplingLayer pooling) {
            checkGeometry(vertex, spatialRank(layer), pooling.getKernelSize(), pooling.getStride(),
                    pooling.getDilation(), pooling.getPadding());
        }
    }

    private void checkGeometry(String vertex, int rank, int[] kernel, int[] stride, int[] dilation, int[] padding)
            throws ModelFileException {
        boolean valid = atLeast(kernel, rank, 1) && atLeast(stride, rank, 1) && atLeast(dilation, rank, 1)
                && atLeast(padding, rank, 0);
        if (!valid) {
            throw invalid(vertex, "has kernel " + Arrays.toString(kernel) + ", stride " + Arrays.toString(stride)
                    + ", dilation " + Arrays.toString(dilation) + " and padding " + Arrays.toString(padding)
                    + "; kernel, stride and dilation must be >= 1 and padding >= 0, one value per spatial axis");
        }
    }

    private static boolean atLeast(int[] values, int rank, int minimum) {
        return values != null && values.length >= rank && Arrays.stream(values, 0, rank).allMatch(v -> v >= minimum);
    }

    private static int spatialRank(Layer layer) {
        if (layer instanceof Convolution1DLayer || layer instanceof Subsampling1DLayer) {
            return 1;
        }
        return layer instanceof Convolution3D || layer instanceof Deconvolution3D ? 3 : 2;
    }

    private ModelFileException invalid(String vertex, String problem) {
        return new ModelFileException("Model file " + file + ": layer '" + vertex + "' " + problem
                + ". The file is damaged or was edited; convert the Caffe model again.");
    }

    private ModelFileException mismatch(String problem) {
        return new ModelFileException("Model file " + file + " does not fit its own metadata: " + problem
                + ". The file is damaged or was edited; convert the Caffe model again.");
    }
}
