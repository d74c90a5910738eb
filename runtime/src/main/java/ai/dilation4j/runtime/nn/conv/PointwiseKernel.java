package ai.dilation4j.runtime.nn.conv;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A 1x1 convolution as one GEMM per image: the NCHW image already is the {@code [in, pixels]} matrix, no im2col. */
final class PointwiseKernel implements ConvolutionKernel {

    @Override
    public String name() {
        return "gemm 1x1";
    }

    @Override
    public boolean supports(ConvolutionPass pass) {
        return pass.geometryIfPlain().filter(ConvolutionGeometry::isPointwise).isPresent();
    }

    @Override
    public double cost(ConvolutionPass pass) {
        return pass.geometryIfPlain().orElseThrow().directMultiplyAdds() + GEMM_CALL_COST;
    }

    @Override
    public boolean roundsLikeCaffe() {
        return true;
    }

    @Override
    public INDArray forward(ConvolutionPass pass, LayerWorkspaceMgr workspaceMgr) {
        INDArray weights = pass.weightMatrix();
        return pass.convolveEachImage(workspaceMgr,
                (image, floats, result) -> Gemm.multiply(weights, image, result, false, false));
    }
}
