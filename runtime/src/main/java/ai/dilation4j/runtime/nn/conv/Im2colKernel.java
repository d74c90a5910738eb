package ai.dilation4j.runtime.nn.conv;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;

import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;

import ai.dilation4j.runtime.device.NativeThreads;

/**
 * Caffe's own arithmetic, faster: for each image, {@code out[oC, P] = W[oC, K] x col[K, P]} with
 * {@code K = in*kH*kW} in Caffe's order, so the parameter array is the GEMM's left operand as it is. The im2col
 * matrix is built from whole output-row segments (dilation only moves where a segment starts) in bands of at most
 * the column budget, so memory stays bounded for large inputs. Runs any stride-1 NCHW float inference pass.
 */
final class Im2colKernel implements ConvolutionKernel {

    /** Upper bound of one im2col band; DilatedNet's fc6 (437 MB of columns at 900x900) runs in two bands. */
    static final long COLUMN_BUDGET_BYTES = 256L << 20;
    /**
     * Columns up to this size go in one band: the GEMM then writes the layer's output in place instead of each band's
     * result being copied there (DilatedNet's conv1_1: 87 MB of columns, 206 MB of output).
     */
    static final long ONE_BAND_BYTES = 128L << 20;
    /** Smallest band worth a GEMM call; about the size of a server CPU's last-level cache share. */
    static final long MIN_BAND_BYTES = 8L << 20;
    /** Below this many floats per band, copying on one thread is faster than handing out work. */
    private static final long PARALLEL_COPY_FLOATS = 1L << 20;

    private final long columnBudgetBytes;

    Im2colKernel(long columnBudgetBytes) {
        this.columnBudgetBytes = columnBudgetBytes;
    }

    @Override
    public String name() {
        return "im2col+gemm";
    }

    @Override
    public boolean supports(ConvolutionPass pass) {
        return pass.geometryIfPlain().isPresent();
    }

    @Override
    public double cost(ConvolutionPass pass) {
        ConvolutionGeometry geometry = pass.geometryIfPlain().orElseThrow();
        long bandRows = bandRows(geometry);
        return geometry.directMultiplyAdds() + GEMM_CALL_COST * ((geometry.outH() + bandRows - 1) / bandRows);
    }

    @Override
    public boolean roundsLikeCaffe() {
        return true;
    }

    @Override
    public INDArray forward(ConvolutionPass pass, LayerWorkspaceMgr workspaceMgr) {
        ConvolutionGeometry geometry = pass.geometryIfPlain().orElseThrow();
        INDArray weights = pass.weightMatrix();
        return pass.convolveEachImage(workspaceMgr,
                (image, floats, result) -> convolveInBands(geometry, weights, floats, result, workspaceMgr));
    }

    private void convolveInBands(ConvolutionGeometry geometry, INDArray w2d, FloatBuffer source, INDArray result,
                                 LayerWorkspaceMgr workspaceMgr) {
        long k = geometry.columnRows();
        long outH = geometry.outH();
        long outW = geometry.outW();
        int band = (int) bandRows(geometry);
        INDArray columns = workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM, DataType.FLOAT,
                new long[] {k * band * outW}, 'c');
        INDArray bandResult = band < outH ? workspaceMgr.createUninitialized(ArrayType.FF_WORKING_MEM,
                DataType.FLOAT, new long[] {result.size(0) * band * outW}, 'c') : null;
        FloatBuffer target = ContiguousMemory.floats(columns);
        for (int firstRow = 0; firstRow < outH; firstRow += band) {
            int rows = (int) Math.min(band, outH - firstRow);
            long pixels = (long) rows * outW;
            fill(geometry, source, target, firstRow, rows);
            INDArray columnMatrix = columns.get(NDArrayIndex.interval(0, k * pixels)).reshape('c', k, pixels);
            if (bandResult == null) {
                Gemm.multiply(w2d, columnMatrix, result, false, false);
            } else {
                INDArray partial = bandResult.get(NDArrayIndex.interval(0, result.size(0) * pixels))
                        .reshape('c', result.size(0), pixels);
                Gemm.multiply(w2d, columnMatrix, partial, false, false);
                long first = (long) firstRow * outW;
                result.get(NDArrayIndex.all(), NDArrayIndex.interval(first, first + pixels)).assign(partial);
            }
        }
    }

    /** Output rows per im2col band: all of them when the columns fit in one band, else {@link #bandBytes} worth. */
    private long bandRows(ConvolutionGeometry geometry) {
        long k = geometry.columnRows();
        long outH = geometry.outH();
        long outW = geometry.outW();
        boolean oneBand = k * outH * outW * Float.BYTES <= Math.min(ONE_BAND_BYTES, columnBudgetBytes);
        return oneBand ? outH
                : Math.max(1, Math.min(outH, bandBytes(k * geometry.outChannels()) / (k * outW * Float.BYTES)));
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

    /**
     * Writes rows {@code [firstRow, firstRow + rows)} of one image's im2col columns, {@code [K, rows*outW]}: each
     * row segment of the output comes from one contiguous run of an input row.
     */
    private static void fill(ConvolutionGeometry geometry, FloatBuffer source, FloatBuffer target, int firstRow,
                             int rows) {
        int[] kernel = geometry.kernel();
        int[] dilation = geometry.dilation();
        long height = geometry.height();
        long width = geometry.width();
        int taps = kernel[0] * kernel[1];
        int segment = (int) geometry.outW();
        int rowBlock = rows * segment;
        IntStream channels = IntStream.range(0, (int) geometry.inChannels());
        if (geometry.columnRows() * rowBlock >= PARALLEL_COPY_FLOATS) {
            channels = NativeThreads.parallelIfAllowed(channels);
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
