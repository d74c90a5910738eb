package ai.dilation4j.runtime.nn.conv;

import java.util.Locale;
import java.util.Optional;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ai.dilation4j.runtime.nn.onednn.OneDnn;

/**
 * The arithmetic of {@link GemmConvolutionLayer}s' inference on the CPU: per graph with {@link #applyTo} (what
 * {@code SegmenterOptions.precision} does), else from the system property {@value #PROPERTY} (read on every forward
 * pass, so it applies to models already loaded). Every other layer computes in fp32 either way.
 */
public enum Precision {

    /** Float32 throughout, with the kernels {@link ConvolutionAlgorithm} admits. */
    FP32,
    /**
     * Convolutions in oneDNN with bfloat16 inputs and weights (8 bits of mantissa), float32 accumulation and a float32
     * output: about twice the multiply-adds per instruction on a CPU with AVX512_BF16 ({@code vdpbf16ps}), outputs
     * within about 1e-2 of fp32's (relative). On a CPU without it oneDNN would emulate bf16 3-4x slower than fp32, so
     * fp32 runs instead ({@link #onThisCpu()}). The weights are converted once per layer and kept beside the fp32
     * parameters (which the graph's other users, its copies and any training still read): half their size more.
     */
    BF16;

    /** The system property that selects the precision: {@code fp32} (default) or {@code bf16}. */
    public static final String PROPERTY = "dilation4j.precision";

    private static final Logger LOG = LoggerFactory.getLogger(Precision.class);

    /** The precision the system property selects; a value that names none is an error, not a silent default. */
    public static Precision current() {
        String value = System.getProperty(PROPERTY);
        return value == null ? FP32 : parse(value);
    }

    public static Precision parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Unknown precision '" + name + "': use fp32 or bf16 (system property "
                    + PROPERTY + ").", e);
        }
    }

    /**
     * The precision that runs for this request on this CPU: {@link #BF16} only where oneDNN reports native bf16
     * arithmetic (AVX512_BF16 or newer), else {@link #FP32}, never oneDNN's slow emulation.
     */
    public Precision onThisCpu() {
        return this == FP32 ? FP32 : onCpu(OneDnn.nativeBf16()); // fp32 needs no look at oneDNN
    }

    /** {@link #onThisCpu()} for a CPU that has, or lacks, native bf16 arithmetic. */
    Precision onCpu(boolean nativeBf16) {
        return this == BF16 && !nativeBf16 ? FP32 : this;
    }

    /**
     * Why this precision does not run here, in one line, when {@link #onThisCpu()} differs from it: e.g.
     * {@code this CPU has no AVX512_BF16 (oneDNN finds avx512_core): running fp32}.
     */
    public Optional<String> fallbackMessage() {
        return onThisCpu() == this ? Optional.empty() : Optional.of(OneDnn.noBf16Reason() + ": running fp32");
    }

    /**
     * Fixes this precision ({@link #onThisCpu() as this CPU runs it}) for the {@link GemmConvolutionLayer}s of one
     * graph, whatever the system property says; logs the {@link #fallbackMessage()} when there is one.
     */
    public void applyTo(ComputationGraph graph) {
        fallbackMessage().ifPresent(LOG::warn);
        Precision running = onThisCpu();
        for (Layer layer : graph.getLayers()) {
            if (layer instanceof GemmConvolution convolution) {
                convolution.precision(running);
            }
        }
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
