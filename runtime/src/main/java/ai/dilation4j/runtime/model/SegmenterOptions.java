package ai.dilation4j.runtime.model;

import java.util.OptionalInt;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.image.ImageLimits;
import ai.dilation4j.runtime.nn.conv.ConvolutionAlgorithm;
import ai.dilation4j.runtime.nn.conv.Precision;

/**
 * Settings of a {@link Segmenter}; immutable, built with {@link #builder()}.
 *
 * <ul>
 *   <li>{@code threads}: forward passes that may run at once, each on its own graph over the shared weights
 *       (default 1: on a small CPU one pass already uses every core through BLAS);</li>
 *   <li>{@code nativeThreads}: the most threads one forward pass's native code uses (default: not set, ND4J's
 *       thread count, i.e. every core); with {@code threads} passes at once, {@code threads * nativeThreads} cores
 *       at most (see {@link Builder#nativeThreads} for what it does not cover);</li>
 *   <li>{@code tileBatch}: tiles of one image per network call (default 1);</li>
 *   <li>{@code outputResolution}: {@link OutputResolution#IMAGE} (predict.py's zoomed output, the default) or
 *       {@link OutputResolution#NETWORK} (the network's own resolution, zoom times fewer pixels per side);</li>
 *   <li>{@code limits}: largest encoded input, pixel count, aspect ratio and tile count accepted, checked from the
 *       image header before decoding (default {@link ImageLimits#DEFAULT});</li>
 *   <li>{@code dataset}: mean, margin, zoom and palette to use instead of the model's;</li>
 *   <li>{@code convolution} and {@code precision}: how the convolutions run on the CPU (default: as the system
 *       properties {@value ConvolutionAlgorithm#PROPERTY} and {@value Precision#PROPERTY} say).</li>
 * </ul>
 */
public final class SegmenterOptions {

    /** The resolution of the label map and probabilities returned. */
    public enum OutputResolution { IMAGE, NETWORK }

    private final int threads;
    /** 0: not set. */
    private final int nativeThreads;
    private final int tileBatch;
    private final boolean tileBatchChosen;
    private final OutputResolution outputResolution;
    private final ImageLimits limits;
    private final DatasetSpec dataset;
    private final ConvolutionAlgorithm convolution;
    private final Precision precision;

    private SegmenterOptions(Builder builder) {
        this.threads = builder.threads;
        this.nativeThreads = builder.nativeThreads;
        this.tileBatch = builder.tileBatch;
        this.tileBatchChosen = builder.tileBatchChosen;
        this.outputResolution = builder.outputResolution;
        this.limits = builder.limits;
        this.dataset = builder.dataset;
        this.convolution = builder.convolution;
        this.precision = builder.precision;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static SegmenterOptions defaults() {
        return builder().build();
    }

    public int threads() {
        return threads;
    }

    /** The most native threads one forward pass uses ({@link Builder#nativeThreads}), or empty when not set. */
    public OptionalInt nativeThreads() {
        return nativeThreads == 0 ? OptionalInt.empty() : OptionalInt.of(nativeThreads);
    }

    /** Whether {@link Builder#tileBatch} was set; if not, a GPU run sizes the batch from free device memory. */
    public boolean tileBatchChosen() {
        return tileBatchChosen;
    }

    public int tileBatch() {
        return tileBatch;
    }

    public OutputResolution outputResolution() {
        return outputResolution;
    }

    public ImageLimits limits() {
        return limits;
    }

    /** Dataset fields overriding the model's, or null. */
    public DatasetSpec dataset() {
        return dataset;
    }

    /** The convolution algorithm of this segmenter's graphs, or null to follow {@link ConvolutionAlgorithm#current()}. */
    public ConvolutionAlgorithm convolution() {
        return convolution;
    }

    /** The precision asked of this segmenter's convolutions, or null to follow {@link Precision#current()}. */
    public Precision precision() {
        return precision;
    }

    public static final class Builder {
        private int threads = 1;
        private int nativeThreads;
        private int tileBatch = 1;
        private boolean tileBatchChosen;
        private OutputResolution outputResolution = OutputResolution.IMAGE;
        private ImageLimits limits = ImageLimits.DEFAULT;
        private DatasetSpec dataset;
        private ConvolutionAlgorithm convolution;
        private Precision precision;

        private Builder() {
        }

        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be >= 1");
            }
            this.threads = threads;
            return this;
        }

        /**
         * The most threads the native code of one forward pass uses, like ONNX Runtime's
         * {@code setIntraOpNumThreads}: libnd4j's ops, this runtime's oneDNN convolutions, pooling and matrix
         * products, its GEMMs (which then run in oneDNN instead of ND4J's {@code gemm}) and its Java copies, while
         * the network runs ({@link Segmenter#infer}: the forward passes, the tiles' copies and the stitching). They
         * run on the calling thread, which gets its previous OpenMP setting back afterwards. Not set (the default):
         * ND4J's thread count, every core or OMP_NUM_THREADS. With {@code threads} calls at once, keep
         * {@code threads * nativeThreads} to the cores the process may use (e.g. a Spark executor running
         * {@code spark.executor.cores / spark.task.cpus} tasks at once: {@code nativeThreads = spark.task.cpus}).
         * Results equal the unlimited ones up to float rounding.
         *
         * <p>Not covered: pools shared by the whole process, which have one thread count each: OpenBLAS's (ND4J's
         * matrix products in libnd4j builds without oneDNN, e.g. in DL4J's own layers; the default
         * {@code -onednn} build does them in oneDNN, and a DilatedNet forward pass spent no measurable time in
         * OpenBLAS) and OpenCV's (decoding and preprocessing: {@code opencv_core.setNumThreads}); nor decoding and
         * post-processing, which run outside {@link Segmenter#infer}.
         *
         * @throws IllegalArgumentException if {@code nativeThreads < 1}
         */
        public Builder nativeThreads(int nativeThreads) {
            if (nativeThreads < 1) {
                throw new IllegalArgumentException("nativeThreads must be >= 1, got " + nativeThreads);
            }
            this.nativeThreads = nativeThreads;
            return this;
        }

        public Builder tileBatch(int tileBatch) {
            if (tileBatch < 1) {
                throw new IllegalArgumentException("tileBatch must be >= 1");
            }
            this.tileBatch = tileBatch;
            this.tileBatchChosen = true;
            return this;
        }

        public Builder outputResolution(OutputResolution outputResolution) {
            this.outputResolution = java.util.Objects.requireNonNull(outputResolution);
            return this;
        }

        /** All limits at once. */
        public Builder limits(ImageLimits limits) {
            this.limits = java.util.Objects.requireNonNull(limits);
            return this;
        }

        public Builder maxEncodedBytes(long bytes) {
            this.limits = limits.withMaxEncodedBytes(bytes);
            return this;
        }

        public Builder maxInputPixels(long pixels) {
            this.limits = limits.withMaxPixels(pixels);
            return this;
        }

        /** Most network tiles (forward passes) one image may take once the label margin is added. */
        public Builder maxTiles(long tiles) {
            this.limits = limits.withMaxTiles(tiles);
            return this;
        }

        /** Largest ratio of an image's longer side to its shorter one. */
        public Builder maxAspectRatio(double ratio) {
            this.limits = limits.withMaxAspectRatio(ratio);
            return this;
        }

        public Builder dataset(DatasetSpec dataset) {
            this.dataset = dataset;
            return this;
        }

        /** Fixes the convolution algorithm for this segmenter, whatever the system property says. */
        public Builder convolution(ConvolutionAlgorithm convolution) {
            this.convolution = java.util.Objects.requireNonNull(convolution);
            return this;
        }

        /**
         * Fixes the precision of this segmenter's convolutions, whatever the system property says. {@link
         * Precision#BF16} on a CPU without AVX512_BF16 runs fp32, with one logged warning.
         */
        public Builder precision(Precision precision) {
            this.precision = java.util.Objects.requireNonNull(precision);
            return this;
        }

        public SegmenterOptions build() {
            return new SegmenterOptions(this);
        }
    }
}
