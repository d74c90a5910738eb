package ai.dilation4j.runtime.nn.conv;

import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One way to run a {@link GemmConvolutionLayer}'s forward pass. {@link KernelChooser} asks each kernel whether it
 * can run a pass and at what cost, and runs the cheapest: a new kernel is a new implementation and one entry in its
 * list.
 */
interface ConvolutionKernel {

    /**
     * What one {@code Nd4j.gemm} call costs beyond its arithmetic, in multiply-adds: about 150 us of op set-up and
     * oneDNN primitive look-up, and 50 us per view of its operands (a direct OpenBLAS call takes 4 us), at about
     * 25 G multiply-adds/s. It makes many small GEMMs, as Winograd's algorithm does on small outputs, costly.
     */
    double GEMM_CALL_COST = 4e6;

    /** Shown by profiles and {@code bench}, e.g. {@code im2col+gemm}; part of their output, so kept stable. */
    String name();

    /** Whether this kernel can compute the pass; asked before {@link #cost}. */
    boolean supports(ConvolutionPass pass);

    /**
     * The estimated time of one image of the pass, in multiply-adds at the speed of one large GEMM (so work that runs
     * slower than a GEMM counts for more than its multiply-adds). Only compared between kernels that support the
     * pass.
     */
    double cost(ConvolutionPass pass);

    /**
     * Whether the kernel sums the products as im2col + GEMM does, so its rounding stays as close to Caffe's;
     * {@link ConvolutionAlgorithm#GEMM} admits only such kernels.
     */
    boolean roundsLikeCaffe();

    /** The layer's activations for the pass: convolution, bias and activation function. */
    INDArray forward(ConvolutionPass pass, LayerWorkspaceMgr workspaceMgr);
}
