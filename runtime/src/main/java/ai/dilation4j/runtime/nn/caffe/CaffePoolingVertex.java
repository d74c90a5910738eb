package ai.dilation4j.runtime.nn.caffe;

import java.util.Objects;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Caffe's Pooling layer (MAX or AVE, NCHW) with Caffe's output size rule: the output rounds <em>up</em>,
 * {@code out = ceil((in + 2*pad - kernel) / stride) + 1}, minus one when the last window would start inside
 * the bottom padding. Every DL4J {@code ConvolutionMode} rounds differently for some input sizes, so a
 * {@code SubsamplingLayer} is exact only for the size it was configured for; this vertex is exact for any
 * input size, which is what a fully convolutional network needs. It trains too: the backward pass routes gradients
 * as Caffe's does (MAX to the first largest cell of each window, AVE spread by Caffe's divisor).
 */
public class CaffePoolingVertex extends CaffeVertexConf {

    /** Caffe's pooling methods that have a deterministic inference result. */
    public enum Method { MAX, AVE }

    private final Method method;
    private final int kernelH;
    private final int kernelW;
    private final int strideH;
    private final int strideW;
    private final int padH;
    private final int padW;

    public CaffePoolingVertex(@JsonProperty("method") Method method,
                              @JsonProperty("kernelH") int kernelH, @JsonProperty("kernelW") int kernelW,
                              @JsonProperty("strideH") int strideH, @JsonProperty("strideW") int strideW,
                              @JsonProperty("padH") int padH, @JsonProperty("padW") int padW) {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("pooling needs kernel >= 1, stride >= 1 and pad >= 0");
        }
        if (padH >= kernelH || padW >= kernelW) {
            throw new IllegalArgumentException("pooling pad (" + padH + "x" + padW
                    + ") must be smaller than the kernel (" + kernelH + "x" + kernelW + "), as in Caffe");
        }
        this.method = Objects.requireNonNull(method, "method");
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padH = padH;
        this.padW = padW;
    }

    /** Caffe's pooled size along one axis (pooling_layer.cpp, Reshape). */
    public static long outputSize(long in, int kernel, int stride, int pad) {
        long out = ceilModeSize(in, kernel, stride, pad);
        return dropsLastWindow(in, out, stride, pad) ? out - 1 : out;
    }

    /** The pooled size rounded up, before Caffe drops a last window that would start in the padding. */
    public static long ceilModeSize(long in, int kernel, int stride, int pad) {
        return (long) Math.ceil((double) (in + 2L * pad - kernel) / stride) + 1;
    }

    private static boolean dropsLastWindow(long in, long ceilModeSize, int stride, int pad) {
        return pad > 0 && (ceilModeSize - 1) * stride >= in + pad;
    }

    /**
     * How many cells Caffe's average pooling divides the last window along one axis by: the kernel, clipped to
     * {@code in + pad} (padding counts, what lies beyond it does not).
     */
    public static long lastWindowExtent(long in, long out, int kernel, int stride, int pad) {
        long start = (out - 1) * stride - pad;
        return Math.min(start + kernel, in + pad) - start;
    }

    public Method getMethod() { return method; }
    public int getKernelH() { return kernelH; }
    public int getKernelW() { return kernelW; }
    public int getStrideH() { return strideH; }
    public int getStrideW() { return strideW; }
    public int getPadH() { return padH; }
    public int getPadW() { return padW; }

    @Override
    public CaffePoolingVertex clone() {
        return new CaffePoolingVertex(method, kernelH, kernelW, strideH, strideW, padH, padW);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CaffePoolingVertex v && v.method == method && v.kernelH == kernelH
                && v.kernelW == kernelW && v.strideH == strideH && v.strideW == strideW && v.padH == padH
                && v.padW == padW;
    }

    @Override
    public int hashCode() {
        return Objects.hash(method, kernelH, kernelW, strideH, strideW, padH, padW);
    }

    @Override
    public int minVertexInputs() {
        return 1;
    }

    @Override
    public int maxVertexInputs() {
        return 1;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
            INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
        return new CaffePoolingVertexImpl(graph, name, idx, this, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        InputType.InputTypeConvolutional in = Cnn2d.requireNchw(vertexInputs[0], "CaffePoolingVertex");
        long height = outputSize(in.getHeight(), kernelH, strideH, padH);
        long width = outputSize(in.getWidth(), kernelW, strideW, padW);
        if (height < 1 || width < 1) { // as DL4J's convolution layers refuse an input too small for them
            throw new InvalidInputTypeException("CaffePoolingVertex: input " + in.getHeight() + "x" + in.getWidth()
                    + " is too small for the pooling kernel " + kernelH + "x" + kernelW + " (no output)");
        }
        return InputType.convolutional(height, width, in.getChannels());
    }

    @Override
    public String toString() {
        return "CaffePoolingVertex(" + method + ", kernel " + kernelH + "x" + kernelW + ", stride " + strideH + "x"
                + strideW + ", pad " + padH + "x" + padW + ")";
    }
}
