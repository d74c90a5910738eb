package ai.dilation4j.runtime;

import java.util.List;

/**
 * One vertex of a converted graph as {@code inspect} shows it.
 *
 * @param name        vertex name (the Caffe layer name, or the input blob name)
 * @param kind        DL4J layer or vertex class, e.g. {@code ConvolutionLayer}
 * @param inputs      names of the vertices it reads
 * @param outputShape NCHW output shape for the model's input shape
 * @param parameters  number of parameters
 * @param details     kernel, stride, dilation, activation and similar settings, human readable
 */
public record VertexSummary(String name, String kind, List<String> inputs, long[] outputShape, long parameters,
                            String details) {
}
