package ai.dilation4j.runtime.nn.conv;

import java.util.Map;

import org.deeplearning4j.nn.gradient.DefaultGradient;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.OpContext;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.io.RowMajor;

/**
 * The backward pass of a {@link GemmConvolutionLayer} through libnd4j's {@code conv2d_bp} op, which runs oneDNN's
 * backward primitives for undilated layers and libnd4j's own im2col/col2im loops for dilated ones (an undilated
 * convolution over interleaved sub-grids, which oneDNN would take, measured slower: fc6 2.7 s instead of 1.3 s).
 * DL4J's own backward pass runs the forward again, writes its im2col matrix in a permuted layout and computes the
 * column gradient in the slow order: at a 500x500 crop 12x slower than conv2d_bp on conv1_2, 1.6x on fc6.
 *
 * <p>It starts from the layer's activations, not its pre-activations: the kernels fuse the activation function, and
 * for the identity and a plain ReLU the derivative follows from the output alone (ReLU's output is positive exactly
 * where its input is), so DL4J's own {@code backprop} of the activation gives the same delta from it.
 */
final class ConvolutionBackward {

    static final String NAME = "conv2d_bp";

    /** conv2d_bp's {@code isSameMode}, {@code dataFormat} (NCHW) and {@code wFormat} ({@code [out, in, kH, kW]}). */
    private static final int NOT_SAME_MODE = 0;
    private static final int NCHW = 0;
    private static final int WEIGHTS_OUT_IN_KH_KW = 1;

    private ConvolutionBackward() {
    }

    /**
     * Whether this class runs the pass's backward: a pass the GEMM-based kernels run (stride 1, NCHW, float, no
     * dropout or weight noise) whose activation function's derivative its output determines.
     */
    static boolean supports(ConvolutionPass pass) {
        return pass.geometryIfPlain().isPresent() && derivativeFollowsFromOutput(pass.conf().getActivationFn());
    }

    private static boolean derivativeFollowsFromOutput(IActivation activation) {
        // with a threshold, slope or cap DL4J's ReLU derivative is no longer "output > 0"
        return activation instanceof ActivationIdentity
                || activation instanceof ActivationReLU relu && relu.getMax() == null && relu.getThreshold() == null
                && relu.getNegativeSlope() == null;
    }

    /**
     * Whether an array kept from an earlier pass still holds its values: not released, and when it lives in a
     * workspace, that workspace's scope is still the one it was made in (as nd4j's
     * {@code WorkspaceUtils.assertValidArray} checks, without the exception).
     */
    static boolean stillReadable(INDArray array) {
        if (array == null || array.wasClosed()) {
            return false;
        }
        if (!array.isAttached()) {
            return true;
        }
        MemoryWorkspace workspace = array.data().getParentWorkspace();
        return workspace != null && workspace.getWorkspaceType() != MemoryWorkspace.Type.CIRCULAR
                && workspace.isScopeActive() && workspace.getGenerationId() == array.data().getGenerationId();
    }

    /**
     * Writes the weight and bias gradients into the layer's gradient views and returns them with the gradient of
     * the layer's input (in {@link ArrayType#ACTIVATION_GRAD}), as DL4J's {@code ConvolutionLayer} does.
     *
     * @param activations the layer's output for the pass's input, with the current weights
     * @param epsilon     the gradient of the loss with respect to {@code activations}
     */
    static Pair<Gradient, INDArray> backward(ConvolutionPass pass, INDArray activations, INDArray epsilon,
                                            Map<String, INDArray> gradientViews, LayerWorkspaceMgr workspaceMgr) {
        ConvolutionGeometry g = pass.geometryIfPlain().orElseThrow();
        INDArray delta = ConvolutionPass.contiguous(
                pass.conf().getActivationFn().backprop(activations, epsilon.castTo(DataType.FLOAT)).getFirst());
        INDArray input = ConvolutionPass.contiguous(pass.input());
        INDArray inputGradient = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, input.shape(), 'c');
        INDArray weightGradient = gradientViews.get(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray bias = pass.bias();
        INDArray biasGradient = bias == null ? null
                : gradientViews.get(ConvolutionParamInitializer.BIAS_KEY).reshape(g.outChannels());
        INDArray[] inputs = bias == null ? new INDArray[] {input, pass.weights(), delta}
                : new INDArray[] {input, pass.weights(), bias.reshape(g.outChannels()), delta};
        INDArray[] outputs = bias == null ? new INDArray[] {inputGradient, weightGradient}
                : new INDArray[] {inputGradient, weightGradient, biasGradient};
        int[] padding = pass.conf().getPadding();
        long[] arguments = {g.kernel()[0], g.kernel()[1], 1, 1, padding[0], padding[1], g.dilation()[0],
            g.dilation()[1], NOT_SAME_MODE, NCHW, WEIGHTS_OUT_IN_KH_KW};
        DynamicCustomOp op = DynamicCustomOp.builder(NAME).build(); // the context holds its arguments
        try (OpContext context = Nd4j.getExecutioner().buildContext()) {
            context.setInputArrays(inputs);
            context.setOutputArrays(outputs);
            context.setIArguments(arguments);
            // oneDNN has no dilated backward primitive (libnd4j then fails); this switch is this call's only, unlike
            // the process-wide Environment.setUseONEDNN, so concurrent inference keeps oneDNN
            context.allowHelpers(g.dilation()[0] == 1 && g.dilation()[1] == 1);
            Nd4j.exec(op, context);
        } catch (Exception e) {
            throw new IllegalStateException(pass.layer().describe() + ": backward pass failed: " + e.getMessage(), e);
        }
        Gradient gradient = new DefaultGradient();
        if (bias != null) {
            gradient.setGradientFor(ConvolutionParamInitializer.BIAS_KEY,
                    gradientViews.get(ConvolutionParamInitializer.BIAS_KEY));
        }
        gradient.setGradientFor(ConvolutionParamInitializer.WEIGHT_KEY, weightGradient, 'c');
        // oneDNN's conv2d_bp may lay the input gradient out as [C][N][H][W] and say so only in its strides; DL4J's
        // vertices and our own native-memory readers take row-major arrays
        INDArray rowMajorInputGradient = RowMajor.isRowMajor(inputGradient) ? inputGradient
                : workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, inputGradient, 'c');
        return new Pair<>(gradient, rowMajorInputGradient);
    }
}
