package ai.dilation4j.runtime.nn.conv;

import java.util.List;

/**
 * Picks the kernel for each forward pass of one layer: the cheapest of the fp32 kernels that support the pass and that
 * the pass's {@link ConvolutionAlgorithm} admits, or, when the pass asks for {@link Precision#BF16}, the cheapest bf16
 * kernel (oneDNN's direct convolution, Winograd's algorithm with bf16 products) unless it is estimated slower. DL4J's
 * implementation supports every pass at an infinite cost, so it runs exactly the passes no other kernel can.
 */
final class KernelChooser {

    /**
     * On equal cost the earlier kernel wins: a 1x1 GEMM before im2col's one band, Winograd at its cost limit. oneDNN
     * comes after every kernel that supports what it supports, so its infinite costs never win.
     */
    private final List<ConvolutionKernel> kernels;
    private final List<ConvolutionKernel> bf16Kernels;
    private final OneDnnKernel oneDnn;
    private final OneDnnKernel oneDnnBf16;

    /**
     * @param columnBudgetBytes   {@link Im2colKernel#COLUMN_BUDGET_BYTES} unless a test wants many small bands
     * @param winogradBudgetBytes {@link WinogradConvolution#BUDGET_BYTES}; 0 turns Winograd's algorithm off
     * @param winogradMaxCostRatio {@link WinogradKernel#MAX_COST_RATIO}
     */
    KernelChooser(long columnBudgetBytes, long winogradBudgetBytes, double winogradMaxCostRatio,
                  OneDnnCostModel oneDnnCosts) {
        this.oneDnn = new OneDnnKernel(Precision.FP32, oneDnnCosts);
        this.oneDnnBf16 = new OneDnnKernel(Precision.BF16, oneDnnCosts);
        this.kernels = List.of(
                new PointwiseKernel(),
                new WinogradKernel(winogradBudgetBytes, winogradMaxCostRatio, Precision.FP32),
                new Im2colKernel(columnBudgetBytes),
                oneDnn,
                new Dl4jKernel());
        this.bf16Kernels = List.of(
                new WinogradKernel(winogradBudgetBytes, winogradMaxCostRatio, Precision.BF16),
                oneDnnBf16);
    }

    KernelChooser() {
        this(Im2colKernel.COLUMN_BUDGET_BYTES, WinogradConvolution.BUDGET_BYTES, WinogradKernel.MAX_COST_RATIO,
                OneDnnCostModel.MEASURED);
    }

    /** Drops what kernels keep converted from the layer's weights: they changed. */
    void forgetWeights() {
        oneDnn.forgetWeights();
        oneDnnBf16.forgetWeights();
    }

    ConvolutionKernel choose(ConvolutionPass pass) {
        ConvolutionKernel fp32 = cheapest(kernels, pass);
        if (pass.precision() == Precision.BF16) {
            ConvolutionKernel bf16 = cheapest(bf16Kernels, pass);
            if (bf16 != null && !(bf16.cost(pass) > fp32.cost(pass))) {
                return bf16;
            }
        }
        return fp32;
    }

    private static ConvolutionKernel cheapest(List<ConvolutionKernel> candidates, ConvolutionPass pass) {
        ConvolutionKernel best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (ConvolutionKernel kernel : candidates) {
            if (!kernel.supports(pass) || !admitted(kernel, pass)) {
                continue;
            }
            double cost = kernel.cost(pass);
            if (best == null || cost < bestCost) {
                best = kernel;
                bestCost = cost;
            }
        }
        return best;
    }

    /**
     * {@link ConvolutionAlgorithm#GEMM} keeps Caffe's arithmetic: in fp32 it admits only kernels that round like it;
     * with bf16, which was asked for itself, it rules out Winograd's algorithm only. Asked after
     * {@link ConvolutionKernel#supports}, so the algorithm (maybe a system property) is read only when it matters.
     */
    private static boolean admitted(ConvolutionKernel kernel, ConvolutionPass pass) {
        if (pass.precision() == Precision.BF16 && !(kernel instanceof WinogradKernel)) {
            return true;
        }
        return kernel.roundsLikeCaffe() || pass.algorithm() != ConvolutionAlgorithm.GEMM;
    }
}
