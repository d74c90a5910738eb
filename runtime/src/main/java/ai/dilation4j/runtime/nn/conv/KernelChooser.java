package ai.dilation4j.runtime.nn.conv;

import java.util.List;

/**
 * Picks the kernel for each forward pass of one layer: the cheapest of those that support the pass and that the
 * pass's {@link ConvolutionAlgorithm} admits. DL4J's implementation supports every pass at an infinite cost, so it
 * runs exactly the passes no other kernel can.
 */
final class KernelChooser {

    /** On equal cost the earlier kernel wins: a 1x1 GEMM before im2col's one band, Winograd at its cost limit. */
    private final List<ConvolutionKernel> kernels;

    /**
     * @param columnBudgetBytes   {@link Im2colKernel#COLUMN_BUDGET_BYTES} unless a test wants many small bands
     * @param winogradBudgetBytes {@link WinogradConvolution#BUDGET_BYTES}; 0 turns Winograd's algorithm off
     * @param winogradMaxCostRatio {@link WinogradKernel#MAX_COST_RATIO}
     */
    KernelChooser(long columnBudgetBytes, long winogradBudgetBytes, double winogradMaxCostRatio) {
        this.kernels = List.of(
                new PointwiseKernel(),
                new WinogradKernel(winogradBudgetBytes, winogradMaxCostRatio),
                new Im2colKernel(columnBudgetBytes),
                new Dl4jKernel());
    }

    KernelChooser() {
        this(Im2colKernel.COLUMN_BUDGET_BYTES, WinogradConvolution.BUDGET_BYTES, WinogradKernel.MAX_COST_RATIO);
    }

    ConvolutionKernel choose(ConvolutionPass pass) {
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
