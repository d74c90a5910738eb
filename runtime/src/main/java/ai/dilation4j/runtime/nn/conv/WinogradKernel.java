package ai.dilation4j.runtime.nn.conv;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

import ai.dilation4j.runtime.nn.onednn.OneDnn;

/**
 * Winograd's minimal filtering ({@link WinogradConvolution}) for square 3x3, 5x5 and 7x7 kernels over enough
 * channels, where its estimated cost is clearly lower than im2col + GEMM's at the pass's output size.
 */
final class WinogradKernel implements ConvolutionKernel {

    /** Below this many input channels the transforms cost more than the multiplications they save. */
    static final long MIN_CHANNELS = 128;
    /**
     * Winograd's algorithm is taken when its cost ({@link WinogradConvolution#cost}: multiply-adds, the per-call
     * weight transform included, plus {@link #GEMM_CALL_COST} per GEMM) is at most this fraction of im2col + GEMM's:
     * its small GEMMs, transforms and copies run at about half the speed of one large GEMM. Measured on layers
     * from 8x8 to 66x66 outputs, Winograd was faster below about 0.5 and slower above about 0.65.
     */
    static final double MAX_COST_RATIO = 0.6;

    /**
     * bf16 products only for F(2x2, 5x5) and F(2x2, 7x7): on DilatedNet-8 (random weights, 900x900) fc6 in bf16
     * Winograd ran 1.35 s against 2.05 s in fp32 Winograd and 2.1 s in oneDNN's bf16 direct convolution, labels
     * agreeing with fp32 on 98.2% of pixels (98.4% with fc6 in fp32); F(4x4, 3x3) in bf16 on the 3x3 layers as well
     * gained another 6% of the forward pass but dropped the agreement to 97.5%: its transforms amplify bf16's
     * rounding more than oneDNN's bf16 direct convolution, which keeps those layers.
     */
    static final int MIN_BF16_KERNEL = 5;

    private final long budgetBytes;
    private final double maxCostRatio;
    private final Precision precision;
    /** Built on first use: it depends on the layer's kernel and dilation only, which never change. */
    private WinogradConvolution winograd;

    /**
     * @param budgetBytes  working memory of one pass ({@link WinogradConvolution#BUDGET_BYTES}); 0 turns it off
     * @param maxCostRatio {@link #MAX_COST_RATIO}; infinite takes it wherever it applies, however small the output
     * @param precision    of the products: bf16 runs only where oneDNN has native bf16 arithmetic
     */
    WinogradKernel(long budgetBytes, double maxCostRatio, Precision precision) {
        this.budgetBytes = budgetBytes;
        this.maxCostRatio = maxCostRatio;
        this.precision = precision;
    }

    @Override
    public String name() {
        return winograd != null ? winograd.toString() : precision == Precision.BF16 ? "winograd bf16" : "winograd";
    }

    @Override
    public boolean supports(ConvolutionPass pass) {
        return pass.geometryIfPlain().filter(geometry -> geometry.isSquare()
                && geometry.inChannels() >= MIN_CHANNELS && budgetBytes > 0
                && (precision == Precision.FP32
                        || OneDnn.nativeBf16() && geometry.kernel()[0] >= MIN_BF16_KERNEL)
                && WinogradConvolution.existsFor(geometry.kernel()[0])
                // the outputs are written through a buffer
                && geometry.outChannels() * geometry.outH() * geometry.outW() <= ConvolutionPass.MAX_BUFFER_FLOATS)
                .isPresent();
    }

    /** Its multiply-adds and GEMM calls over {@link #maxCostRatio}: they run slower than one large GEMM. */
    @Override
    public double cost(ConvolutionPass pass) {
        ConvolutionGeometry geometry = pass.geometryIfPlain().orElseThrow();
        return winograd(geometry).cost(geometry.inChannels(), geometry.outChannels(), geometry.outH(),
                geometry.outW(), GEMM_CALL_COST) / maxCostRatio;
    }

    /**
     * Rounding differs more from Caffe's: in fp32 about 1e-5 of a blob's largest value per layer instead of 1e-6; bf16
     * rounds the transformed tiles and weights to 8 bits of mantissa.
     */
    @Override
    public boolean roundsLikeCaffe() {
        return false;
    }

    @Override
    public INDArray forward(ConvolutionPass pass, LayerWorkspaceMgr workspaceMgr) {
        ConvolutionGeometry geometry = pass.geometryIfPlain().orElseThrow();
        WinogradConvolution tiled = winograd(geometry);
        INDArray weights = pass.weightMatrix();
        return pass.convolveEachImage(workspaceMgr, (image, floats, result) -> tiled.convolve(floats,
                geometry.inChannels(), geometry.height(), geometry.width(), weights, result, geometry.outH(),
                geometry.outW(), workspaceMgr));
    }

    private WinogradConvolution winograd(ConvolutionGeometry geometry) {
        if (winograd == null) {
            winograd = WinogradConvolution.forKernel(geometry.kernel()[0], geometry.dilation()[0], budgetBytes,
                    OneDnnMatmul.ifAvailable(precision));
        }
        return winograd;
    }
}
