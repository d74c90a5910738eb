package ai.dilation4j.runtime.nn.caffe;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.AvgPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.Pooling2DDerivative;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.api.ops.impl.transforms.Pad;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import ai.dilation4j.runtime.io.RowMajor;
import ai.dilation4j.runtime.nn.onednn.OneDnnMaxPooling;

/**
 * Runs {@link CaffePoolingVertex} with libnd4j's pooling kernels. MAX ignores padding cells, as Caffe does; when
 * Caffe's rounded-up output needs windows that run past the bottom/right padding, the input is padded
 * explicitly with the lowest float, which never wins. AVE always pads explicitly with zeros, so every window
 * lies inside the array and the kernel divides by the full kernel area, as Caffe does for windows inside
 * {@code [-pad, in + pad)}; the last row and column, whose Caffe divisor stops at {@code in + pad}, are rescaled.
 * The backward pass runs libnd4j's pooling derivative on the same source.
 */
final class CaffePoolingVertexImpl extends CaffeVertex {

    private final CaffePoolingVertex conf;
    private final boolean max;
    /** MAX pooling of 16 channels or more, 5-15x faster than libnd4j's (see its measurements). */
    private final OneDnnMaxPooling oneDnnMax;
    private final CaffeMaxPoolingGradient maxGradient;

    CaffePoolingVertexImpl(ComputationGraph graph, String name, int vertexIndex, CaffePoolingVertex conf,
                           DataType dataType) {
        super(graph, name, vertexIndex, dataType);
        this.conf = conf;
        this.max = conf.getMethod() == CaffePoolingVertex.Method.MAX;
        this.oneDnnMax = max
                ? new OneDnnMaxPooling(new int[] {conf.getKernelH(), conf.getKernelW()},
                        new int[] {conf.getStrideH(), conf.getStrideW()})
                : null;
        this.maxGradient = max
                ? new CaffeMaxPoolingGradient(new int[] {conf.getKernelH(), conf.getKernelW()},
                        new int[] {conf.getStrideH(), conf.getStrideW()}, new int[] {conf.getPadH(), conf.getPadW()})
                : null;
    }

    @Override
    protected INDArray compute(LayerWorkspaceMgr workspaceMgr) {
        INDArray in = inputs[0];
        Windows windows = windows(in);
        if (max && OneDnnMaxPooling.supports(in)) {
            INDArray pooled = oneDnnMax.forward(in, windows.outH, windows.outW,
                    new int[] {conf.getPadH(), conf.getPadW()},
                    new int[] {conf.getPadH() + windows.extraH, conf.getPadW() + windows.extraW}, workspaceMgr);
            if (pooled != null) {
                return pooled;
            }
        }
        return inActivations(workspaceMgr, () -> {
            INDArray out = Nd4j.exec(max ? new MaxPooling2D(poolingSource(in, windows), poolingConfig(windows))
                    : new AvgPooling2D(poolingSource(in, windows), poolingConfig(windows)))[0];
            if (!max) {
                rescaleLastWindows(out, windows);
            }
            return out;
        });
    }

    /**
     * MAX on floats: Caffe's loops ({@link CaffeMaxPoolingGradient}). Otherwise libnd4j's pooling derivative on the
     * same (possibly padded) source as the forward pass: for MAX it routes each output gradient to the first largest
     * cell of its window, as Caffe does (padding cells never win); for AVE it spreads it evenly over the window,
     * after the same rescaling of the last row and column as forward. Gradients landing on explicit padding are cut
     * off.
     */
    @Override
    protected INDArray[] inputGradients(LayerWorkspaceMgr workspaceMgr) {
        INDArray in = inputs[0];
        Windows windows = windows(in);
        if (max && CaffeMaxPoolingGradient.takes(in)) {
            INDArray inputGradient = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, DataType.FLOAT, in.shape(), 'c');
            maxGradient.addTo(rowMajor(in, workspaceMgr), rowMajor(epsilon.castTo(DataType.FLOAT), workspaceMgr),
                    inputGradient);
            return new INDArray[] {inputGradient};
        }
        INDArray outputGradient = epsilon;
        if (!max) {
            outputGradient = epsilon.dup('c');
            rescaleLastWindows(outputGradient, windows);
        }
        Pooling2DConfig config = poolingConfig(windows);
        if (!padsExplicitly(windows)) {
            INDArray inputGradient = workspaceMgr.createUninitialized(ArrayType.ACTIVATION_GRAD, in.dataType(),
                    in.shape(), 'c');
            Nd4j.exec(new Pooling2DDerivative(in, outputGradient, inputGradient, config));
            return new INDArray[] {inputGradient};
        }
        INDArray paddedGradient = Nd4j.exec(new Pooling2DDerivative(poolingSource(in, windows), outputGradient, null,
                config))[0];
        INDArray inputWindow = paddedGradient.get(NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.interval(conf.getPadH(), conf.getPadH() + in.size(2)),
                NDArrayIndex.interval(conf.getPadW(), conf.getPadW() + in.size(3)));
        return new INDArray[] {workspaceMgr.dup(ArrayType.ACTIVATION_GRAD, inputWindow, 'c')};
    }

    /**
     * The array itself if its elements lie in row-major order (by its strides: an epsilon from libnd4j's
     * {@code conv2d_bp} can say {@code 'c'} with other strides), else such a copy in working memory.
     */
    private static INDArray rowMajor(INDArray array, LayerWorkspaceMgr workspaceMgr) {
        return RowMajor.isRowMajor(array) ? array
                : workspaceMgr.dup(ArrayType.BP_WORKING_MEM, array, 'c');
    }

    /** The output size and how far Caffe's rounded-up windows run past the bottom/right padding. */
    private record Windows(long height, long width, long outH, long outW, int extraH, int extraW) {
    }

    private Windows windows(INDArray in) {
        if (in.rank() != 4) {
            throw new IllegalStateException("Vertex " + vertexName + ": pooling needs a 4-D NCHW input, got shape "
                    + java.util.Arrays.toString(in.shape()));
        }
        long height = in.size(2);
        long width = in.size(3);
        long outH = CaffePoolingVertex.outputSize(height, conf.getKernelH(), conf.getStrideH(), conf.getPadH());
        long outW = CaffePoolingVertex.outputSize(width, conf.getKernelW(), conf.getStrideW(), conf.getPadW());
        if (outH < 1 || outW < 1) {
            throw new IllegalStateException("Vertex " + vertexName + ": input " + height + "x" + width
                    + " is smaller than the pooling kernel " + conf.getKernelH() + "x" + conf.getKernelW());
        }
        int extraH = (int) Math.max(0,
                (outH - 1) * conf.getStrideH() + conf.getKernelH() - (height + 2L * conf.getPadH()));
        int extraW = (int) Math.max(0,
                (outW - 1) * conf.getStrideW() + conf.getKernelW() - (width + 2L * conf.getPadW()));
        return new Windows(height, width, outH, outW, extraH, extraW);
    }

    private boolean padsExplicitly(Windows windows) {
        return !max || windows.extraH > 0 || windows.extraW > 0;
    }

    /** The input, padded explicitly when {@link #padsExplicitly} (with the lowest float for MAX, zeros for AVE). */
    private INDArray poolingSource(INDArray in, Windows windows) {
        if (!padsExplicitly(windows)) {
            return in;
        }
        int[][] padding = {{0, 0}, {0, 0}, {conf.getPadH(), conf.getPadH() + windows.extraH},
                {conf.getPadW(), conf.getPadW() + windows.extraW}};
        return Nd4j.pad(in, padding, Pad.Mode.CONSTANT, max ? -Float.MAX_VALUE : 0.0);
    }

    /** libnd4j's pooling parameters for {@link #poolingSource}: no padding of its own if that is padded. */
    private Pooling2DConfig poolingConfig(Windows windows) {
        boolean padded = padsExplicitly(windows);
        return Pooling2DConfig.builder()
                .kH(conf.getKernelH()).kW(conf.getKernelW())
                .sH(conf.getStrideH()).sW(conf.getStrideW())
                .pH(padded ? 0 : conf.getPadH()).pW(padded ? 0 : conf.getPadW())
                .type(max ? Pooling2D.Pooling2DType.MAX : Pooling2D.Pooling2DType.AVG)
                .isNHWC(false)
                .build();
    }

    /**
     * Caffe divides a window by its extent clipped to {@code in + pad}; only the last row/column can be clipped.
     * libnd4j's kernel divides by the full kernel, so its result (and, backward, the gradient it spreads) is
     * multiplied by the full kernel over Caffe's extent.
     */
    private void rescaleLastWindows(INDArray out, Windows windows) {
        long outH = windows.outH;
        long outW = windows.outW;
        double rowScale = fullKernelOverCaffeExtent(windows.height, outH, conf.getKernelH(), conf.getStrideH(),
                conf.getPadH());
        double colScale = fullKernelOverCaffeExtent(windows.width, outW, conf.getKernelW(), conf.getStrideW(),
                conf.getPadW());
        if (rowScale != 1.0) {
            out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(outH - 1), NDArrayIndex.all())
                    .muli(rowScale);
        }
        if (colScale != 1.0) {
            out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(outW - 1))
                    .muli(colScale);
        }
    }

    private static double fullKernelOverCaffeExtent(long in, long out, int kernel, int stride, int pad) {
        return (double) kernel / CaffePoolingVertex.lastWindowExtent(in, out, kernel, stride, pad);
    }

    @Override
    public String toString() {
        return "CaffePoolingVertexImpl(name=\"" + vertexName + "\", " + conf + ")";
    }
}
