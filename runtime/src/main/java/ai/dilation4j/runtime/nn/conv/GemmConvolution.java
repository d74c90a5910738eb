package ai.dilation4j.runtime.nn.conv;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.layers.convolution.ConvolutionLayer;
import org.deeplearning4j.nn.params.ConvolutionParamInitializer;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Inference of {@link GemmConvolutionLayer}: for each image, {@code out[oC, P] = W[oC, K] x col[K, P]} with
 * {@code K = in*kH*kW} in Caffe's order, so the parameter array is the GEMM's left operand as it is. The im2col
 * matrix is built from whole output-row segments (dilation only moves where a segment starts) in bands of at
 * most {@link #COLUMN_BUDGET_BYTES}, so memory stays bounded for large inputs. A 1x1 convolution needs no
 * im2col at all: the NCHW input already is {@code [in, P]}. Square 3x3, 5x5 and 7x7 kernels over enough channels
 * take {@link WinogradConvolution} instead where its estimated cost is clearly lower at this output size, unless
 * {@link ConvolutionAlgorithm#current()} says {@code gemm}.
 *
 * <p>Training, strides other than 1, NHWC, non-float data and non-CPU backends take DL4J's implementation.
 */
final class GemmConvolution extends ConvolutionLayer implements DescribesAlgorithm {

    /** Upper bound of one im2col band; DilatedNet's fc6 (437 MB of columns at 900x900) runs in two bands. */
    static final long COLUMN_BUDGET_BYTES = 256L << 20;
    /** Arrays read or written through a Java buffer (inputs, padding included; Winograd outputs): at most 2 GB. */
    private static final long MAX_BUFFER_FLOATS = Integer.MAX_VALUE / Float.BYTES;
    /**
     * Columns up to this size go in one band: the GEMM then writes the layer's output in place instead of each band's
     * result being copied there (DilatedNet's conv1_1: 87 MB of columns, 206 MB of output).
     */
    static final long ONE_BAND_BYTES = 128L << 20;
    /** Smallest band worth a GEMM call; about the size of a server CPU's last-level cache share. */
    static final long MIN_BAND_BYTES = 8L << 20;
    /** Below this many floats per band, copying on one thread is faster than handing out work. */
    private static final long PARALLEL_COPY_FLOATS = 1L << 20;

    /** Below this many input channels the transforms cost more than the multiplications they save. */
    static final long WINOGRAD_MIN_CHANNELS = 128;
    /**
     * What one {@code Nd4j.gemm} call costs beyond its arithmetic, in multiply-adds: about 150 us of op set-up and
     * oneDNN primitive look-up, and 50 us per view of its operands (a direct OpenBLAS call takes 4 us), at about
     * 25 G multiply-adds/s. It makes many small GEMMs, as Winograd's algorithm does on small outputs, costly.
     */
    static final double GEMM_CALL_COST = 4e6;
    /**
     * Winograd's algorithm is taken when its cost ({@link WinogradConvolution#cost}: multiply-adds, the per-call
     * weight transform included, plus {@link #GEMM_CALL_COST} per GEMM) is at most this fraction of im2col + GEMM's:
     * its small GEMMs, transforms and copies run at about half the speed of one large GEMM. Measured on layers
     * from 8x8 to 66x66 outputs, Winograd was faster below about 0.5 and slower above about 0.65.
     */
    static final double WINOGRAD_MAX_COST_RATIO = 0.6;

    private long columnBudgetBytes = COLUMN_BUDGET_BYTES;
    private long winogradBudgetBytes = WinogradConvolution.BUDGET_BYTES;
    private double winogradMaxCostRatio = WINOGRAD_MAX_COST_RATIO;
    /** Built on first use: it depends on the kernel and dilation only, which never change. */
    private WinogradConvolution winograd;
    private String lastAlgorithm = "";
    /** Set by {@link ConvolutionAlgorithm#applyTo}; null follows {@link ConvolutionAlgorithm#current()}. */
    private ConvolutionAlgorithm algorithm;

    GemmConvolution(NeuralNetConfiguration conf, DataType dataType) {
        super(conf, dataType);
    }

    /** Lets tests force many small bands. */
    void columnBudgetBytes(long bytes) {
        this.columnBudgetBytes = bytes;
    }

    /** Lets tests force many small Winograd chunks and blocks, or (with 0) the im2col path. */
    void winogradBudgetBytes(long bytes) {
        this.winogradBudgetBytes = bytes;
        this.winograd = null;
    }

    /** Lets tests take Winograd's algorithm wherever it applies, however small the output. */
    void winogradWhereverItApplies() {
        this.winogradMaxCostRatio = Double.POSITIVE_INFINITY;
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
        lastAlgorithm = "dl4j";
        if (training || !fastPathApplies()) {
            return super.activate(training, workspaceMgr);
        }
        assertInputSet(false);
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer conf = layerConf();
        INDArray weights = getParam(ConvolutionParamInitializer.WEIGHT_KEY);
        INDArray x = padded(input, conf.getPadding());
        if (x.length() > MAX_BUFFER_FLOATS) {
            return super.activate(false, workspaceMgr); // beyond what one NIO buffer can address
        }
        x = contiguous(x);
        int[] kernel = conf.getKernelSize();
        int[] dilation = conf.getDilation();
        long batch = x.size(0);
        long inChannels = x.size(1);
        long height = x.size(2);
        long width = x.size(3);
        long outChannels = weights.size(0);
        if (weights.size(1) != inChannels) {
            throw new IllegalStateException(layerId() + ": expects " + weights.size(1) + " input channels, got "
                    + inChannels + " (input shape " + java.util.Arrays.toString(input.shape()) + ")");
        }
        long outH = height - (long) dilation[0] * (kernel[0] - 1);
        long outW = width - (long) dilation[1] * (kernel[1] - 1);
        if (outH < 1 || outW < 1) {
            throw new IllegalStateException(layerId() + ": input " + height + "x" + width
                    + " (padding included) is smaller than the dilated kernel");
        }
        INDArray out = workspaceMgr.createUninitialized(ArrayType.ACTIVATIONS, DataType.FLOAT,
                new long[] {batch, outChannels, outH, outW}, 'c');
        INDArray w2d = weights.reshape('c', outChannels, weights.length() / outChannels);
        Im2col geometry = new Im2col(inChannels, height, width, kernel, dilation, outH, outW);
        boolean addressable = outChannels * outH * outW <= MAX_BUFFER_FLOATS; // Winograd writes through a buffer
        WinogradConvolution tiled = geometry.isIdentity() || !addressable ? null
                : winograd(geometry, outChannels);
        lastAlgorithm = geometry.isIdentity() ? "gemm 1x1" : tiled != null ? tiled.toString() : "im2col+gemm";
        FloatBuffer inputFloats = ContiguousMemory.floats(x);
        for (long image = 0; image < batch; image++) {
            INDArray in = x.get(NDArrayIndex.point(image)).reshape('c', inChannels, height * width);
            INDArray result = out.get(NDArrayIndex.point(image)).reshape('c', outChannels, outH * outW);
            int imageStart = (int) (image * inChannels * height * width);
            if (geometry.isIdentity()) {
                Nd4j.gemm(w2d, in, result, false, false, 1.0, 0.0);
            } else if (tiled != null) {
                tiled.convolve(inputFloats.slice(imageStart, (int) in.length()), inChannels, height, width,
                        w2d, result, outH, outW, workspaceMgr);
            } else {
                convolveInBands(geometry, w2d, inputFloats.slice(imageStart, (int) in.length()), result,
                        workspaceMgr);
            }
        }
        if (conf.hasBias()) {
            INDArray bias = getParam(ConvolutionParamInitializer.BIAS_KEY);
            Nd4j.exec(new BroadcastAddOp(out, bias.reshape(outChannels), out, 1));
        }
        return conf.getActivationFn().getActivation(out, false);
    }

    /**
     * Winograd's algorithm where the chosen {@link ConvolutionAlgorithm} asks for it and it pays for this layer at
     * this output size.
     */
    private WinogradConvolution winograd(Im2col geometry, long outChannels) {
        int[] kernel = geometry.kernel();
        int[] dilation = geometry.dilation();
        boolean applies = kernel[0] == kernel[1] && dilation[0] == dilation[1]
                && geometry.inChannels() >= WINOGRAD_MIN_CHANNELS && winogradBudgetBytes > 0
                && (algorithm != null ? algorithm : ConvolutionAlgorithm.current()) == ConvolutionAlgorithm.WINOGRAD;
        if (!applies) {
            return null;
        }
        if (winograd == null) {
            winograd = WinogradConvolution.forKernel(kernel[0], dilation[0], winogradBudgetBytes);
        }
        if (winograd == null) {
            return null;
        }
        long bandRows = bandRows(geometry, outChannels);
        double direct = (double) geometry.columnRows() * outChannels * geometry.outH() * geometry.outW()
                + GEMM_CALL_COST * ((geometry.outH() + bandRows - 1) / bandRows);
        double tiled = winograd.cost(geometry.inChannels(), outChannels, geometry.outH(), geometry.outW(),
                GEMM_CALL_COST);
        return tiled <= winogradMaxCostRatio * direct ? winograd : null;
    }

    private boolean fastPathApplies() {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer conf = layerConf();
        return Nd4j.getEnvironment().isCPU()
                && input != null && input.rank() == 4 && input.dataType() == DataType.FLOAT
                && input.length() <= MAX_BUFFER_FLOATS
                && conf.getCnn2dDataFormat() == CNN2DFormat.NCHW
                && conf.getStride()[0] == 1 && conf.getStride()[1] == 1
                && conf.getConvolutionMode() != ConvolutionMode.Same
                && conf.getConvolutionMode() != ConvolutionMode.Causal;
    }

    private void convolveInBands(Im2col geometry, INDArray w2d, FloatBuffer source, INDArray result,
                                 LayerWorkspaceMgr workspaceMgr) {
        long k = geometry.columnRows();
        long outH = geometry.outH();
        long outW = geometry.outW();
        int band = (int) bandRows(geometry, result.size(0));
        INDArray columns = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, DataType.FLOAT,
                new long[] {k * band * outW}, 'c');
        INDArray bandResult = band < outH ? workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM,
                DataType.FLOAT, new long[] {result.size(0) * band * outW}, 'c') : null;
        FloatBuffer target = ContiguousMemory.floats(columns);
        for (int firstRow = 0; firstRow < outH; firstRow += band) {
            int rows = (int) Math.min(band, outH - firstRow);
            long pixels = (long) rows * outW;
            geometry.fill(source, target, firstRow, rows);
            INDArray columnMatrix = columns.get(NDArrayIndex.interval(0, k * pixels)).reshape('c', k, pixels);
            if (bandResult == null) {
                Nd4j.gemm(w2d, columnMatrix, result, false, false, 1.0, 0.0);
            } else {
                INDArray partial = bandResult.get(NDArrayIndex.interval(0, result.size(0) * pixels))
                        .reshape('c', result.size(0), pixels);
                Nd4j.gemm(w2d, columnMatrix, partial, false, false, 1.0, 0.0);
                long first = (long) firstRow * outW;
                result.get(NDArrayIndex.all(), NDArrayIndex.interval(first, first + pixels)).assign(partial);
            }
        }
    }

    /** Output rows per im2col band: all of them when the columns fit in one band, else {@link #bandBytes} worth. */
    private long bandRows(Im2col geometry, long outChannels) {
        long k = geometry.columnRows();
        long outH = geometry.outH();
        long outW = geometry.outW();
        boolean oneBand = k * outH * outW * Float.BYTES <= Math.min(ONE_BAND_BYTES, columnBudgetBytes);
        return oneBand ? outH : Math.max(1, Math.min(outH, bandBytes(k * outChannels) / (k * outW * Float.BYTES)));
    }

    /**
     * Bytes of im2col columns per GEMM. Small bands stay in the CPU cache between being written and being read by
     * the GEMM, but every band re-packs the weights: so a band holds about twice the weights' size, within
     * [{@link #MIN_BAND_BYTES}, the column budget]. DilatedNet's conv1_2 (147 KB of weights) then runs in 8 MB
     * bands, fc6 (411 MB) in two 256 MB bands.
     */
    private long bandBytes(long weights) {
        return Math.min(columnBudgetBytes, Math.max(MIN_BAND_BYTES, 2 * weights * Float.BYTES));
    }

    private static INDArray padded(INDArray input, int[] padding) {
        if (padding[0] == 0 && padding[1] == 0) {
            return input;
        }
        return Nd4j.pad(input, new int[][] {{0, 0}, {0, 0}, {padding[0], padding[0]}, {padding[1], padding[1]}});
    }

    private static INDArray contiguous(INDArray array) {
        return !array.isView() && ContiguousMemory.isRowMajor(array) ? array : array.dup('c');
    }

    /** Where each im2col row segment comes from, for one NCHW image and a stride-1 (dilated) kernel. */
    private record Im2col(long inChannels, long height, long width, int[] kernel, int[] dilation,
                          long outH, long outW) {

        boolean isIdentity() {
            return kernel[0] == 1 && kernel[1] == 1;
        }

        long columnRows() {
            return inChannels * kernel[0] * kernel[1];
        }

        /** Writes rows {@code [firstRow, firstRow + rows)} of the output's columns: {@code [K, rows*outW]}. */
        void fill(FloatBuffer source, FloatBuffer target, int firstRow, int rows) {
            int taps = kernel[0] * kernel[1];
            int segment = (int) outW;
            int rowBlock = rows * segment;
            IntStream channels = IntStream.range(0, (int) inChannels);
            if (columnRows() * rowBlock >= PARALLEL_COPY_FLOATS) {
                channels = channels.parallel();
            }
            channels.forEach(channel -> {
                int plane = (int) (channel * height * width);
                int to = channel * taps * rowBlock;
                for (int ky = 0; ky < kernel[0]; ky++) {
                    for (int kx = 0; kx < kernel[1]; kx++) {
                        int from = plane + (int) ((firstRow + (long) ky * dilation[0]) * width) + kx * dilation[1];
                        for (int row = 0; row < rows; row++) {
                            target.put(to, source, from, segment);
                            to += segment;
                            from += (int) width;
                        }
                    }
                }
            });
        }
    }
}
