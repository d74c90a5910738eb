package ai.dilation4j.runtime;

/**
 * Time one graph vertex took in a profiled forward pass.
 *
 * @param vertex       vertex name (the Caffe layer name)
 * @param kind         DL4J layer or vertex class
 * @param algorithm    the kernel a convolution ran (e.g. {@code winograd F(4x4,3x3)}, {@code im2col+gemm}), else empty
 * @param milliseconds wall time of the vertex alone
 * @param flops        multiply-adds times two for convolutions and deconvolutions, 0 for other vertices
 */
public record LayerTiming(String vertex, String kind, String algorithm, double milliseconds, double flops) {
}
