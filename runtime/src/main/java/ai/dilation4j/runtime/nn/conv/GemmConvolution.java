package ai.dilation4j.runtime.nn.conv;

import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inference and training of {@link GemmConvolutionLayer}: each forward pass runs the kernel {@link KernelChooser}
 * picks for it, among a 1x1 GEMM, im2col + GEMM, Winograd's algorithm (unless {@link ConvolutionAlgorithm} says
 * {@code gemm}), oneDNN's direct convolution (in bf16 when {@link Precision} says so, in inference) and DL4J's own
 * implementation, which takes dropout and weight noise, strides other than 1, NHWC, non-float data and non-CPU
 * backends. The backward pass runs {@link ConvolutionBackward} where it applies, DL4J's otherwise.
 */
final class GemmConvolution extends ConvolutionLayer implements DescribesAlgorithm {

    private long columnBudgetBytes = Im2colKernel.COLUMN_BUDGET_BYTES;
    private long winogradBudgetBytes = WinogradConvolution.BUDGET_BYTES;
    private double winogradMaxCostRatio = WinogradKernel.MAX_COST_RATIO;
    private OneDnnCostModel oneDnnCosts = OneDnnCostModel.MEASURED;
    private KernelChooser kernels = new KernelChooser();
    private String lastAlgorithm = "";
    private String lastBackward = "";
    /**
     * The activations of the last training forward and the input they came from, kept for the backward pass, which
     * needs them for the activation's derivative. Dropped once used and whenever the parameters change.
     */
    private INDArray trainingInput;
    private INDArray trainingActivations;
    /** Set by {@link ConvolutionAlgorithm#applyTo}; null follows {@link ConvolutionAlgorithm#current()}. */
    private ConvolutionAlgorithm algorithm;
    /** Set by {@link Precision#applyTo}, as this CPU runs it; null follows {@link Precision#current()}. */
    private Precision precision;

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

    /** Lets tests take oneDNN's fp32 kernel everywhere ({@link OneDnnCostModel#ALWAYS}) or nowhere. */
    void oneDnnCosts(OneDnnCostModel costs) {
        this.oneDnnCosts = costs;
        retune();
    }

    private void retune() {
        kernels = new KernelChooser(columnBudgetBytes, winogradBudgetBytes, winogradMaxCostRatio, oneDnnCosts);
    }

    void algorithm(ConvolutionAlgorithm algorithm) {
        this.algorithm = algorithm;
    }

    void precision(Precision precision) {
        this.precision = precision;
    }

    @Override
    public String lastAlgorithm() {
        return lastAlgorithm;
    }

    @Override
    public INDArray activate(boolean training, LayerWorkspaceMgr workspaceMgr) {
        ConvolutionPass pass = pass(training);
        ConvolutionKernel kernel = kernels.choose(pass);
        INDArray activations = kernel.forward(pass, workspaceMgr);
        lastAlgorithm = kernel.name(); // after the pass: oneDNN's names its implementation once it has one
        boolean keep = training && ConvolutionBackward.supports(pass);
        trainingInput = keep ? input : null;
        trainingActivations = keep ? activations : null;
        return activations;
    }

    /**
     * Training runs in fp32 whatever {@link Precision} inference asks for: the gradients are computed in fp32 and
     * should describe the forward that ran.
     */
    private ConvolutionPass pass(boolean training) {
        return new ConvolutionPass(this, training, input, layerConf(),
                () -> algorithm != null ? algorithm : ConvolutionAlgorithm.current(),
                training ? Precision.FP32 : precision != null ? precision : Precision.current().onThisCpu());
    }

    /*
     * Kernels may keep the weights converted (oneDNN's layouts, bf16), and the layer its training activations: every
     * way DL4J changes the parameters in place or replaces them goes through one of these (the updater runs after
     * backpropGradient), so both are dropped there. Inference reads the weights again on its next pass.
     */

    @Override
    public void setParams(INDArray params) {
        super.setParams(params);
        parametersChanged();
    }

    @Override
    public void setParam(String key, INDArray val) {
        super.setParam(key, val);
        parametersChanged();
    }

    @Override
    public void setParamTable(java.util.Map<String, INDArray> paramTable) {
        super.setParamTable(paramTable);
        if (kernels != null) { // called by the constructor chain before the field is set
            parametersChanged();
        }
    }

    @Override
    public void setParamsViewArray(INDArray params) {
        super.setParamsViewArray(params);
        if (kernels != null) {
            parametersChanged();
        }
    }

    private void parametersChanged() {
        kernels.forgetWeights();
        trainingInput = null;
        trainingActivations = null;
    }

    @Override
    public void clear() {
        super.clear();
        trainingInput = null;
        trainingActivations = null;
    }

    /**
     * Through {@link ConvolutionBackward} where it applies, from the activations of the training forward when they
     * are still there (same input, workspace not closed or reused since), else computed again by the forward kernels
     * (as DL4J's backward pass does). DL4J's backward pass otherwise.
     */
    @Override
    public Pair<Gradient, INDArray> backpropGradient(INDArray epsilon, LayerWorkspaceMgr workspaceMgr) {
        try {
            ConvolutionPass pass = input == null ? null : pass(true);
            if (pass == null || !ConvolutionBackward.supports(pass)) {
                lastBackward = "dl4j";
                return super.backpropGradient(epsilon, workspaceMgr);
            }
            INDArray activations;
            if (trainingInput == input && ConvolutionBackward.stillReadable(trainingActivations)) {
                activations = trainingActivations;
                lastBackward = ConvolutionBackward.NAME;
            } else {
                activations = kernels.choose(pass).forward(pass, workspaceMgr);
                lastBackward = ConvolutionBackward.NAME + " after another forward";
            }
            return ConvolutionBackward.backward(pass, activations, epsilon, gradientViews, workspaceMgr);
        } finally {
            parametersChanged(); // the updater changes the parameters in place after this
        }
    }

    /**
     * Which implementation ran the last backward pass: {@code conv2d_bp} (or {@code conv2d_bp after another forward}
     * when the training activations were gone) or {@code dl4j}; for tests.
     */
    String lastBackward() {
        return lastBackward;
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
