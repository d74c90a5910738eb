package ai.dilation4j.runtime.nn.conv;

/** A layer that can say which kernel its last inference ran, for profiles and benchmarks. */
public interface DescribesAlgorithm {

    /** E.g. {@code winograd F(4x4,3x3)}, {@code im2col+gemm}, {@code gemm 1x1} or {@code dl4j}; empty before use. */
    String lastAlgorithm();
}
