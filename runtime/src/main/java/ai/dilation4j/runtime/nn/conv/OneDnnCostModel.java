package ai.dilation4j.runtime.nn.conv;

import java.util.List;

import org.bytedeco.dnnl.memory;

/**
 * What oneDNN's direct convolution costs against the other kernels ({@link ConvolutionKernel#cost}), and the layouts
 * its primitive is asked to take. Measured on every layer of DilatedNet-8 at 900x900 on a 2-core AVX-512 (Zen 4) CPU,
 * all kernels alternating in one process ({@code KernelTimings} in the tests; docs/performance.md has the table).
 */
enum OneDnnCostModel {

    /** oneDNN where it beat im2col + GEMM and Winograd's algorithm: {@link #costRatio}. */
    MEASURED {
        @Override
        double cost(ConvolutionGeometry geometry) {
            return geometry.directMultiplyAdds() * costRatio(geometry) + ConvolutionKernel.GEMM_CALL_COST;
        }

        @Override
        double bf16Cost(ConvolutionGeometry geometry) {
            return geometry.directMultiplyAdds() * bf16CostRatio(geometry) + ConvolutionKernel.GEMM_CALL_COST;
        }
    },
    /** oneDNN wherever it can run: for tests. */
    ALWAYS {
        @Override
        double cost(ConvolutionGeometry geometry) {
            return 0;
        }

        @Override
        double bf16Cost(ConvolutionGeometry geometry) {
            return 0;
        }
    },
    /** Never oneDNN, in fp32 or bf16: for tests and comparisons. */
    NEVER {
        @Override
        double cost(ConvolutionGeometry geometry) {
            return Double.POSITIVE_INFINITY;
        }

        @Override
        double bf16Cost(ConvolutionGeometry geometry) {
            return Double.POSITIVE_INFINITY;
        }
    };

    /**
     * Layers with more weights than this (in fp32, or in bf16 for a bf16 copy) keep to the kernels that read them where
     * they lie: oneDNN's blocked copy would cost their size again in memory (DilatedNet's fc6: 411 MB, 205 MB in bf16,
     * where Winograd is faster anyway).
     */
    static final long MAX_COPIED_WEIGHT_BYTES = 128L << 20;

    /** Below this many input channels, the primitive takes plain NCHW (a GEMM-based one); from it, blocked. */
    static final long BLOCKED_FROM_CHANNELS = 16;

    /** The estimated cost of one fp32 image, in the units of {@link ConvolutionKernel#cost}. */
    abstract double cost(ConvolutionGeometry geometry);

    /** The same in bf16, set against the fp32 kernels' estimates ({@link KernelChooser}). */
    abstract double bf16Cost(ConvolutionGeometry geometry);

    /**
     * bf16's cost over the direct multiply-adds: oneDNN's bf16 kernels ran 1.9-2.1x faster than its fp32 ones on
     * every 3x3 and 1x1 layer of DilatedNet-8 (190-210 GFLOP/s where fp32 ran 100-110), faster than Winograd's
     * algorithm on all of them. On fc6 (7x7, 512 to 4096 channels) bf16 only matched Winograd's F(2x2,7x7) in fp32
     * (4.3 s against 4.2 s in one run), which then keeps it: as fast, fp32's rounding, and no 205 MB bf16 copy of
     * its weights.
     */
    static double bf16CostRatio(ConvolutionGeometry g) {
        if ((double) g.columnRows() * g.outChannels() * 2 > MAX_COPIED_WEIGHT_BYTES) {
            // fc6's bf16 copy would be 205 MB, kept per graph: at the smallest input it took the direct
            // convolution and raised bench's peak RSS by 600 MB
            return Double.POSITIVE_INFINITY;
        }
        if (g.kernel()[0] > 3 || g.kernel()[1] > 3) {
            return 0.65; // above Winograd F(2x2,7x7)'s estimate at large outputs (0.62), below im2col's
        }
        return (g.isPointwise() ? 1.1 : g.inChannels() <= 128 || g.outChannels() > g.inChannels() ? 0.45 : 0.7) / 2;
    }

    /**
     * oneDNN's cost over the direct multiply-adds, set against the estimates of the other kernels (im2col + GEMM:
     * about 1.0; Winograd F(4x4,3x3): 0.47-0.60, F(2x2,7x7): 0.62 on DilatedNet-8) so that the kernel that measured
     * fastest wins. oneDNN's JIT direct convolution ran at a steady 100-110 GFLOP/s on 3x3 layers of every width,
     * where im2col + GEMM's speed grows with the channels (30-45 GFLOP/s up to 256 of them, 80 at 512) and Winograd's
     * is poor when a layer widens (conv3_1 and conv4_1: 2.5x slower than oneDNN).
     */
    static double costRatio(ConvolutionGeometry g) {
        if ((double) g.columnRows() * g.outChannels() * Float.BYTES > MAX_COPIED_WEIGHT_BYTES) {
            return Double.POSITIVE_INFINITY;
        }
        if (g.isPointwise()) {
            return 1.1; // a 1x1 GEMM: as fast (fc7: oneDNN 0.9x its time) or faster (fc_final: 1.3x)
        }
        if (g.kernel()[0] > 3 || g.kernel()[1] > 3) {
            return 0.9; // fc6-like: Winograd F(2x2,7x7) 1.4x faster than oneDNN, im2col 1.1x slower
        }
        if (g.inChannels() <= 128 || g.outChannels() > g.inChannels()) {
            return 0.45; // conv1-conv2, widening layers, the context module: 1.6-3x faster than the others
        }
        return 0.7; // 3x3 over 256-512 channels: Winograd 0.9-1.2x oneDNN's time, im2col 1.3x
    }

    /**
     * The layouts of the primitive's input and output to try, best first. Blocked (16 channels together) lets its JIT
     * direct convolution run; reordering the layer's NCHW data to and from it costs a few percent. A first layer (3
     * channels) runs a GEMM-based primitive on plain NCHW instead: blocked, oneDNN has only its reference code for
     * it, and the layout it picks itself (NHWC, for its brgemm convolution) costs more to reorder back to NCHW than
     * the convolution takes. Then oneDNN's own choice, then plain NCHW.
     */
    static List<memory.format_tag> layouts(ConvolutionGeometry geometry) {
        return geometry.inChannels() < BLOCKED_FROM_CHANNELS
                ? List.of(memory.format_tag.nchw, memory.format_tag.nChw16c, memory.format_tag.any)
                : List.of(memory.format_tag.nChw16c, memory.format_tag.any, memory.format_tag.nchw);
    }
}
