package ai.dilation4j.runtime.nn.caffe;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.AvgPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.MaxPooling2D;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.api.ops.impl.transforms.Pad;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

import ai.dilation4j.runtime.nn.onednn.OneDnnMaxPooling;

/**
 * Runs {@link CaffePoolingVertex} with libnd4j's pooling kernels. MAX ignores padding cells, as Caffe does; when
 * Caffe's rounded-up output needs windows that run past the bottom/right padding, the input is padded
 * explicitly with the lowest float, which never wins. AVE always pads explicitly with zeros, so every window
 * lies inside the array and the kernel divides by the full kernel area, as Caffe does for windows inside
 * {@code [-pad, in + pad)}; the last row and column, whose Caffe divisor stops at {@code in + pad}, are rescaled.
 */
final class CaffePoolingVertexImpl extends InferenceOnlyVertex {

    private final CaffePoolingVertex conf;
    /** MAX pooling of 16 channels or more, 5-15x faster than libnd4j's (see its measurements). */
    private final OneDnnMaxPooling oneDnnMax;

    CaffePoolingVertexImpl(ComputationGraph graph, String name, int vertexIndex, CaffePoolingVertex conf,
                           DataType dataType) {
        super(graph, name, vertexIndex, dataType);
        this.conf = conf;
        this.oneDnnMax = conf.getMethod() == CaffePoolingVertex.Method.MAX
                ? new OneDnnMaxPooling(new int[] {conf.getKernelH(), conf.getKernelW()},
                        new int[] {conf.getStrideH(), conf.getStrideW()})
                : null;
    }

    @Override
    protected INDArray compute(LayerWorkspaceMgr workspaceMgr) {
        INDArray in = inputs[0];
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
        int extraH = (int) Math.max(0, (outH - 1) * conf.getStrideH() + conf.getKernelH() - (height + 2L * conf.getPadH()));
        int extraW = (int) Math.max(0, (outW - 1) * conf.getStrideW() + conf.getKernelW() - (width + 2L * conf.getPadW()));

        boolean max = conf.getMethod() == CaffePoolingVertex.Method.MAX;
        if (max && OneDnnMaxPooling.supports(in)) {
            INDArray pooled = oneDnnMax.forward(in, outH, outW, new int[] {conf.getPadH(), conf.getPadW()},
                    new int[] {conf.getPadH() + extraH, conf.getPadW() + extraW}, workspaceMgr);
            if (pooled != null) {
                return pooled;
            }
        }
        return inActivations(workspaceMgr, () -> poolWithNd4j(in, height, width, outH, outW, extraH, extraW));
    }

    private INDArray poolWithNd4j(INDArray in, long height, long width, long outH, long outW, int extraH,
                                  int extraW) {
        boolean max = conf.getMethod() == CaffePoolingVertex.Method.MAX;
        boolean padExplicitly = !max || extraH > 0 || extraW > 0;
        INDArray source = in;
        int kernelPadH = conf.getPadH();
        int kernelPadW = conf.getPadW();
        if (padExplicitly) {
            int[][] padding = {{0, 0}, {0, 0}, {conf.getPadH(), conf.getPadH() + extraH},
                    {conf.getPadW(), conf.getPadW() + extraW}};
            source = Nd4j.pad(in, padding, Pad.Mode.CONSTANT, max ? -Float.MAX_VALUE : 0.0);
            kernelPadH = 0;
            kernelPadW = 0;
        }
        Pooling2DConfig config = Pooling2DConfig.builder()
                .kH(conf.getKernelH()).kW(conf.getKernelW())
                .sH(conf.getStrideH()).sW(conf.getStrideW())
                .pH(kernelPadH).pW(kernelPadW)
                .isNHWC(false)
                .build();
        INDArray out = Nd4j.exec(max ? new MaxPooling2D(source, config) : new AvgPooling2D(source, config))[0];
        if (!max) {
            rescaleLastWindows(out, height, width, outH, outW);
        }
        return out;
    }

    /** Caffe divides a window by its extent clipped to {@code in + pad}; only the last row/column can be clipped. */
    private void rescaleLastWindows(INDArray out, long height, long width, long outH, long outW) {
        double rowScale = fullKernelOverCaffeExtent(height, outH, conf.getKernelH(), conf.getStrideH(), conf.getPadH());
        double colScale = fullKernelOverCaffeExtent(width, outW, conf.getKernelW(), conf.getStrideW(), conf.getPadW());
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
