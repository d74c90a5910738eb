package ai.dilation4j.runtime.nn.conv;

import java.util.Locale;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * How {@link GemmConvolutionLayer}s run inference on the CPU: per graph with {@link #applyTo} (what
 * {@code SegmenterOptions.convolution} does), else from the system property {@value #PROPERTY} (read on every forward
 * pass, so it applies to models already loaded).
 */
public enum ConvolutionAlgorithm {

    /**
     * Winograd's minimal filtering where it pays: F(4x4, 3x3) for 3x3 kernels from 128 input channels, F(2x2, 5x5)
     * and F(2x2, 7x7) for 5x5 and 7x7 kernels (DilatedNet's fc6), on the dilated sub-grids, when the output is large
     * enough to repay transforming the weights on every call (all of DilatedNet-8's at 900x900; at its smallest
     * input, 373x373, fc6 and the last context layers, whose outputs are 1 to 35 pixels wide, do not); oneDNN's direct
     * convolution where it measured faster ({@link OneDnnCostModel}: up to 128 channels and layers that widen, e.g.
     * DilatedNet's conv1_1 to conv3_1, conv4_1 and its context module); im2col + GEMM elsewhere. Winograd's layers run about 2x faster,
     * oneDNN's 1.6-6x, DilatedNet-8 as a whole 1.3-1.5x; rounding differs more from Caffe's (about 1e-5 of a blob's
     * largest value per Winograd layer instead of 1e-6).
     */
    WINOGRAD,
    /** im2col + GEMM, the arithmetic Caffe itself does (bf16 passes still run in oneDNN: {@link Precision}). */
    GEMM;

    /** The system property that selects the algorithm: {@code winograd} (default) or {@code gemm}. */
    public static final String PROPERTY = "dilation4j.convolution";

    /** The algorithm the system property selects; a value that names none is an error, not a silent default. */
    public static ConvolutionAlgorithm current() {
        String value = System.getProperty(PROPERTY);
        return value == null ? WINOGRAD : parse(value);
    }

    /**
     * Fixes this algorithm for the {@link GemmConvolutionLayer}s of one graph, whatever the system property says:
     * per-graph choice for applications that run both (e.g. a service comparing them).
     */
    public void applyTo(ComputationGraph graph) {
        for (Layer layer : graph.getLayers()) {
            if (layer instanceof GemmConvolution convolution) {
                convolution.algorithm(this);
            }
        }
    }

    public static ConvolutionAlgorithm parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown convolution algorithm '" + name
                    + "': use winograd or gemm (system property " + PROPERTY + ").", e);
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
