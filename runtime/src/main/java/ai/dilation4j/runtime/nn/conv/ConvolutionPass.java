package ai.dilation4j.runtime.nn.conv;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.Supplier;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import ai.dilation4j.runtime.io.ArraySizes;
import ai.dilation4j.runtime.io.RowMajor;

/**
 * One forward pass of a {@link GemmConvolution}: what the kernels look at to offer to run it, and the steps the
 * kernels that convolve image by image share (padding, the output array, bias and activation).
 */
final class ConvolutionPass {

    /** Arrays read or written through a Java buffer (inputs, padding included; Winograd outputs): at most 2 GB. */
    static final long MAX_BUFFER_FLOATS = Integer.MAX_VALUE / Float.BYTES;

    private final GemmConvolution layer;
    private final boolean training;
    private final INDArray input;
    private final ConvolutionLayer conf;
    private final INDArray weights;
    private final Supplier<ConvolutionAlgorithm> algorithm;
    private final Precision precision;
    private final ConvolutionGeometry geometry;

    /**
     * @param algorithm read only when a kernel that rounds unlike Caffe could run the pass (it may come from a system
     *                  property, whose invalid value is an error)
     * @param precision what this CPU runs ({@link Precision#onThisCpu()})
     * @throws IllegalStateException when the input does not fit the weights (channels) or the dilated kernel (size)
     */
    ConvolutionPass(GemmConvolution layer, boolean training, INDArray input, ConvolutionLayer conf,
                    Supplier<ConvolutionAlgorithm> algorithm, Precision precision) {
        this.layer = layer;
        this.training = training;
        this.input = input;
        this.conf = conf;
        this.weights = layer.getParam(ConvolutionParamInitializer.WEIGHT_KEY);
        this.algorithm = algorithm;
        this.precision = precision;
        this.geometry = isPlainNchw() ? geometry() : null;
    }

    GemmConvolution layer() {
        return layer;
    }

    boolean training() {
        return training;
    }

    ConvolutionAlgorithm algorithm() {
        return algorithm.get();
    }

    /** The arithmetic asked of the convolution, as this CPU runs it. */
    Precision precision() {
        return precision;
    }

    /** The layer's input, padding not included. */
    INDArray input() {
        return input;
    }

    ConvolutionLayer conf() {
        return conf;
    }

    /** {@code [outChannels, inChannels, kH, kW]}, Caffe's blob. */
    INDArray weights() {
        return weights;
    }

    /** {@code [outChannels]} (DL4J may keep it as {@code [1, outChannels]}), or null when the layer has none. */
    INDArray bias() {
        return conf.hasBias() ? layer.getParam(ConvolutionParamInitializer.BIAS_KEY) : null;
    }

    /**
     * The sizes of the pass when it convolves float NCHW data on the CPU with stride 1, whose padded input one Java
     * buffer can address, in inference or in training without dropout or weight noise (its forward values are then
     * inference's): what the GEMM-based kernels run. Empty otherwise (strides, NHWC, other types and backends,
     * dropout), which DL4J's implementation runs.
     */
    Optional<ConvolutionGeometry> geometryIfPlain() {
        return Optional.ofNullable(geometry);
    }

    /** The weights as the GEMM's left operand {@code [outChannels, inChannels*kH*kW]}, Caffe's order, not copied. */
    INDArray weightMatrix() {
        long outChannels = weights.size(0);
        return weights.reshape('c', outChannels, weights.length() / outChannels);
    }

    /**
     * Pads the input, runs {@code convolution} on each image into its slice of the output, and finishes the
     * activations as DL4J does: bias, then activation function. Needs {@link #geometryIfPlain()}.
     */
    INDArray convolveEachImage(LayerWorkspaceMgr workspaceMgr, ImageConvolution convolution) {
        ConvolutionGeometry g = geometryIfPlain().orElseThrow();
        INDArray x = contiguous(padded(input, conf.getPadding()));
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                new long[] {g.batch(), g.outChannels(), g.outH(), g.outW()}, 'c');
        FloatBuffer inputFloats = ContiguousMemory.floats(x);
        for (long image = 0; image < g.batch(); image++) {
            INDArray in = x.get(NDArrayIndex.point(image)).reshape('c', g.inChannels(), g.height() * g.width());
            INDArray result = out.get(NDArrayIndex.point(image)).reshape('c', g.outChannels(), g.outH() * g.outW());
            int imageStart = (int) (image * g.inChannels() * g.height() * g.width());
            convolution.convolve(in, inputFloats.slice(imageStart, (int) in.length()), result);
        }
        INDArray bias = bias();
        if (bias != null) {
            Nd4j.exec(new BroadcastAddOp(out, bias.reshape(g.outChannels()), out, 1));
        }
        return conf.getActivationFn().getActivation(out, false);
    }

    /** The convolution of one padded image, without bias. */
    @FunctionalInterface
    interface ImageConvolution {
        /**
         * @param image  {@code [inChannels, height*width]}, row-major
         * @param floats the same elements as a buffer
         * @param result {@code [outChannels, outH*outW]} to overwrite
         */
        void convolve(INDArray image, FloatBuffer floats, INDArray result);
    }

    private boolean isPlainNchw() {
        int[] padding = conf.getPadding();
        return (!training || conf.getIDropout() == null && conf.getWeightNoise() == null)
                && Nd4j.getEnvironment().isCPU()
                && input != null && input.rank() == 4 && input.dataType() == DataType.FLOAT
                && conf.getCnn2dDataFormat() == CNN2DFormat.NCHW
                && conf.getStride()[0] == 1 && conf.getStride()[1] == 1
                && conf.getConvolutionMode() != ConvolutionMode.Same
                && conf.getConvolutionMode() != ConvolutionMode.Causal
                && padding[0] >= 0 && padding[1] >= 0
                && ArraySizes.saturatedProduct(input.size(0), input.size(1), input.size(2) + 2L * padding[0],
                        input.size(3) + 2L * padding[1]) <= MAX_BUFFER_FLOATS;
    }

    private ConvolutionGeometry geometry() {
        int[] kernel = conf.getKernelSize();
        int[] dilation = conf.getDilation();
        int[] padding = conf.getPadding();
        long inChannels = input.size(1);
        long height = input.size(2) + 2L * padding[0];
        long width = input.size(3) + 2L * padding[1];
        if (weights.size(1) != inChannels) {
            throw new IllegalStateException(layer.describe() + ": expects " + weights.size(1) + " input channels, got "
                    + inChannels + " (input shape " + Arrays.toString(input.shape()) + ")");
        }
        long outH = height - (long) dilation[0] * (kernel[0] - 1);
        long outW = width - (long) dilation[1] * (kernel[1] - 1);
        if (outH < 1 || outW < 1) {
            throw new IllegalStateException(layer.describe() + ": input " + height + "x" + width
                    + " (padding included) is smaller than the dilated kernel");
        }
        return new ConvolutionGeometry(input.size(0), inChannels, height, width, kernel, dilation, weights.size(0),
                outH, outW);
    }

    private static INDArray padded(INDArray input, int[] padding) {
        if (padding[0] == 0 && padding[1] == 0) {
            return input;
        }
        return Nd4j.pad(input, new int[][] {{0, 0}, {0, 0}, {padding[0], padding[0]}, {padding[1], padding[1]}});
    }

    static INDArray contiguous(INDArray array) {
        return !array.isView() && RowMajor.isRowMajor(array) ? array : array.dup('c');
    }
}
