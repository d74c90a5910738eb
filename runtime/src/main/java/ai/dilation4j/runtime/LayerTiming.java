package ai.dilation4j.runtime;

/**
 * Time one graph vertex took in a profiled forward pass.
 *
 * @param vertex       vertex name (the Caffe layer name)
 * @param kind         DL4J layer or vertex class
 * @param milliseconds wall time of the vertex alone
 * @param flops        multiply-adds times two for convolutions and deconvolutions, 0 for other vertices
 */
public record LayerTiming(String vertex, String kind, double milliseconds, double flops) {
}
