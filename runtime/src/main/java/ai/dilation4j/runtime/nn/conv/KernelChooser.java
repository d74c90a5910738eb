package ai.dilation4j.runtime.nn.conv;

import java.util.List;

/**
 * Picks the kernel for each forward pass of one layer: the cheapest of the fp32 kernels that support the pass and that
 * the pass's {@link ConvolutionAlgorithm} admits, or oneDNN in bf16 when the pass asks for {@link Precision#BF16} and
 * that is not estimated slower (on DilatedNet-8 only fc6 keeps fp32: Winograd's algorithm is as fast there). DL4J's implementation supports every pass at an infinite cost, so it runs
 * exactly the passes no other kernel can.
 */
final class KernelChooser {

    /**
     * On equal cost the earlier kernel wins: a 1x1 GEMM before im2col's one band, Winograd at its cost limit. oneDNN
     * comes after every kernel that supports what it supports, so its infinite costs never win.
     */
    private final List<ConvolutionKernel> kernels;
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
                new WinogradKernel(winogradBudgetBytes, winogradMaxCostRatio),
                new Im2colKernel(columnBudgetBytes),
                oneDnn,
                new Dl4jKernel());
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
        ConvolutionKernel fp32 = cheapestFp32(pass);
        if (pass.precision() == Precision.BF16 && oneDnnBf16.supports(pass)
                && !(oneDnnBf16.cost(pass) > fp32.cost(pass))) {
            return oneDnnBf16;
        }
        return fp32;
    }

    private ConvolutionKernel cheapestFp32(ConvolutionPass pass) {
        ConvolutionKernel best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (ConvolutionKernel kernel : kernels) {
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
     * {@link ConvolutionAlgorithm#GEMM} keeps Caffe's arithmetic: it admits only kernels that round like it. Asked
     * after {@link ConvolutionKernel#supports}, so the algorithm (maybe a system property) is read only when it
     * matters.
     */
    private static boolean admitted(ConvolutionKernel kernel, ConvolutionPass pass) {
        return kernel.roundsLikeCaffe() || pass.algorithm() != ConvolutionAlgorithm.GEMM;
    }
}
