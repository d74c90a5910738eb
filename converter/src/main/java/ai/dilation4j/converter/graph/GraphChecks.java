package ai.dilation4j.converter.graph;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.runtime.io.ArraySizes;

/** How every converter finishes a mapped graph, and the checks it runs before anything is allocated. */
public final class GraphChecks {

    private GraphChecks() {
    }

    /** A finished network: its DL4J configuration and the blob its last output vertex holds. */
    public record FinishedGraph(ComputationGraphConfiguration configuration, String outputBlob) {
    }

    /**
     * Finishes a mapped network, as every converter does: its outputs are the vertices nothing reads, its input
     * type the input's shape; the result is checked against the shapes the source framework computes
     * ({@link #checkShapes}) and for its parameter count ({@link #checkParameterCount}).
     */
    public static FinishedGraph finish(GraphBuilder builder, GraphBuildContext context, FeatureShape input,
                                       Object source, String framework, String sourceFile, String parameterAdvice)
            throws ConversionException {
        List<String> outputs = context.outputVertices();
        if (outputs.isEmpty()) {
            throw new ConversionException(source + " has no layer producing an output.");
        }
        builder.setOutputs(outputs.toArray(String[]::new));
        builder.setInputTypes(InputType.convolutional(input.height(), input.width(), input.channels()));
        ComputationGraphConfiguration configuration = builder.build();
        checkShapes(configuration, context, input, framework, sourceFile);
        checkParameterCount(configuration, source, parameterAdvice);
        return new FinishedGraph(configuration, context.blobOf(outputs.get(outputs.size() - 1)));
    }

    /**
     * Compares DL4J's shape inference with the shapes the source framework computes for every vertex; a difference
     * is a mapping bug, found here instead of as wrong numbers.
     *
     * @param sourceFile what to send with a bug report, e.g. "the prototxt"
     */
    public static void checkShapes(ComputationGraphConfiguration configuration, GraphBuildContext context,
                                   FeatureShape input, String framework, String sourceFile)
            throws ConversionException {
        Map<String, InputType> dl4jTypes = configuration.getLayerActivationTypes(
                InputType.convolutional(input.height(), input.width(), input.channels()));
        for (Map.Entry<String, FeatureShape> entry : context.vertexShapes().entrySet()) {
            InputType type = dl4jTypes.get(entry.getKey());
            if (type == null) {
                continue;
            }
            long[] dl4j = type.getShape(false);
            long[] expected = {entry.getValue().channels(), entry.getValue().height(), entry.getValue().width()};
            if (!Arrays.equals(dl4j, expected)) {
                throw new ConversionException("Vertex '" + entry.getKey() + "': DL4J computes an output of "
                        + Arrays.toString(dl4j) + " where " + framework + " computes " + Arrays.toString(expected)
                        + ". This is a dilation4j mapping bug; please report it with " + sourceFile + ".");
            }
        }
    }

    /**
     * The graph keeps all parameters in one flat array; each layer's weights were checked when mapped, this checks
     * their sum before anything is allocated.
     *
     * @param advice what to check in the source, e.g. "Check num_output and kernel_size in the prototxt."
     */
    public static void checkParameterCount(ComputationGraphConfiguration configuration, Object source, String advice)
            throws ConversionException {
        long total = 0;
        String largest = null;
        long largestCount = -1;
        for (Map.Entry<String, GraphVertex> vertex : configuration.getVertices().entrySet()) {
            long count = vertex.getValue().numParams(false);
            total = total > Long.MAX_VALUE - count ? Long.MAX_VALUE : total + count;
            if (count > largestCount) {
                largest = vertex.getKey();
                largestCount = count;
            }
        }
        if (total > ArraySizes.MAX_ELEMENTS) {
            throw new ConversionException(source + " describes a network of " + total + " parameters, more than "
                    + "the " + ArraySizes.MAX_ELEMENTS + " one parameter array can hold (the largest layer, '"
                    + largest + "', has " + largestCount + "). " + advice);
        }
    }
}
