package ai.dilation4j.runtime.nn.conv;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * DL4J's own {@code ConvolutionLayer} implementation: runs every pass, so it is what runs when no other kernel can
 * (training, strides, NHWC, other data types, other backends, inputs too large for a Java buffer), and only then.
 */
final class Dl4jKernel implements ConvolutionKernel {

    @Override
    public String name() {
        return "dl4j";
    }

    @Override
    public boolean supports(ConvolutionPass pass) {
        return true;
    }

    /** Last resort: about a quarter of the machine's GEMM speed on DilatedNet, and its copies cost memory. */
    @Override
    public double cost(ConvolutionPass pass) {
        return Double.POSITIVE_INFINITY;
    }

    @Override
    public boolean roundsLikeCaffe() {
        return true;
    }

    @Override
    public INDArray forward(ConvolutionPass pass, LayerWorkspaceMgr workspaceMgr) {
        return pass.layer().activateWithDl4j(pass.training(), workspaceMgr);
    }
}
