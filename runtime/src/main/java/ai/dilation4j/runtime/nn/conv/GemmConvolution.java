package ai.dilation4j.runtime.nn.conv;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inference of {@link GemmConvolutionLayer}: each forward pass runs the kernel {@link KernelChooser} picks for it,
 * among a 1x1 GEMM, im2col + GEMM, Winograd's algorithm (unless {@link ConvolutionAlgorithm} says {@code gemm}) and
 * DL4J's own implementation, which takes training, strides other than 1, NHWC, non-float data and non-CPU backends.
 */
final class GemmConvolution extends ConvolutionLayer implements DescribesAlgorithm {

    private long columnBudgetBytes = Im2colKernel.COLUMN_BUDGET_BYTES;
    private long winogradBudgetBytes = WinogradConvolution.BUDGET_BYTES;
    private double winogradMaxCostRatio = WinogradKernel.MAX_COST_RATIO;
    private KernelChooser kernels = new KernelChooser();
    private String lastAlgorithm = "";
    /** Set by {@link ConvolutionAlgorithm#applyTo}; null follows {@link ConvolutionAlgorithm#current()}. */
    private ConvolutionAlgorithm algorithm;

    GemmConvolution(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Lets tests force many small bands. */
    void columnBudgetBytes(long bytes) {
        this.columnBudgetBytes = bytes;
        retune();
    }

    /** Lets tests force many small Winograd chunks and blocks, or (with 0) the im2col path. */
    void winogradBudgetBytes(long bytes) {
        this.winogradBudgetBytes = bytes;
        retune();
    }

    /** Lets tests take Winograd's algorithm wherever it applies, however small the output. */
    void winogradWhereverItApplies() {
        this.winogradMaxCostRatio = Double.POSITIVE_INFINITY;
        retune();
    }

    private void retune() {
        kernels = new KernelChooser(columnBudgetBytes, winogradBudgetBytes, winogradMaxCostRatio);
    }

    void algorithm(ConvolutionAlgorithm algorithm) {
        this.algorithm = algorithm;
    }

    @Override
    public String lastAlgorithm() {
        return lastAlgorithm;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        ConvolutionPass pass = new ConvolutionPass(this, training, input, layerConf(),
                () -> algorithm != null ? algorithm : ConvolutionAlgorithm.current());
        ConvolutionKernel kernel = kernels.choose(pass);
        lastAlgorithm = kernel.name();
        return kernel.forward(pass, workspaceMgr);
    }

    /** DL4J's own implementation, for {@link Dl4jKernel}. */
    INDArray activateWithDl4j(boolean training, LayerWorkspaceMgr workspaceMgr) {
        return super.activate(training, workspaceMgr);
    }

    /** The layer's name, index and type, for error messages. */
    String describe() {
        return layerId();
    }
}
