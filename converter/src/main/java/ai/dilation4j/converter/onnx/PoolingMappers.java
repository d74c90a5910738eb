package ai.dilation4j.converter.onnx;

import static ai.dilation4j.converter.onnx.OnnxGraph.intAttribute;
import static ai.dilation4j.converter.onnx.OnnxGraph.intsAttribute;
import static ai.dilation4j.converter.onnx.OnnxGraph.stringAttribute;

import java.util.ArrayList;
import java.util.List;

import ai.dilation4j.converter.onnx.proto.Onnx.AttributeProto;
import ai.dilation4j.runtime.nn.caffe.CaffePoolingVertex;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;

/**
 * Pooling → ONNX {@code MaxPool} / {@code AveragePool}.
 *
 * <p>Caffe's pooled size is {@code ceil((in + 2p - k) / s) + 1}, minus one when that last window would start in
 * the bottom/right padding ({@code (out-1)*s >= in + p}). ONNX's {@code ceil_mode=1} is the same rounding, and the
 * ONNX spec (since 2023) and ONNX Runtime 1.24 drop such a window too, but older runtimes keep it. So for a fixed
 * input size, {@code ceil_mode=1} is written where the last window starts inside the image (every rule agrees),
 * and where Caffe drops a window, explicit pads ending where Caffe's last window ends, in floor mode: exact in any
 * runtime. Caffe's average divides by the window clipped to {@code [-p, in + p)}, which ONNX Runtime's
 * {@code AveragePool} does not for the last, clipped window in ceil mode: the average is written as a zero
 * {@code Pad} (to where the windows end), an {@code AveragePool} without padding, and a {@code Mul} of the last
 * row/column by {@code k / clipped extent} where that differs from 1, as {@code CaffePoolingVertex} computes it.
 */
final class PoolingMappers {

    private PoolingMappers() {
    }

    static String caffePooling(ExportedVertex vertex, OnnxGraph graph) throws OnnxExportException {
        CaffePoolingVertex pooling = (CaffePoolingVertex) vertex.configuration();
        int[] kernel = {pooling.getKernelH(), pooling.getKernelW()};
        int[] stride = {pooling.getStrideH(), pooling.getStrideW()};
        int[] pad = {pooling.getPadH(), pooling.getPadW()};
        boolean max = pooling.getMethod() == CaffePoolingVertex.Method.MAX;
        AttributeProto kernelShape = intsAttribute("kernel_shape", kernel[0], kernel[1]);
        AttributeProto strides = intsAttribute("strides", stride[0], stride[1]);
        if (vertex.dynamicSize()) {
            if (!max) {
                // ONNX Runtime 1.24's AveragePool with ceil_mode divides the last window by the kernel, not by the
                // cells Caffe counts, and the divisor of a window clipped at a size known only at run time cannot be
                // written as a constant.
                throw vertex.unsupported("averages with Caffe's divisor for windows clipped at the input's end, which "
                        + "ONNX export writes for a fixed input size only; export without a dynamic size.");
            }
            return anySizeMax(vertex, graph, kernel, stride, pad);
        }
        long[] in = {vertex.inputShape()[1], vertex.inputShape()[2]};
        long[] out = new long[2];
        boolean ceilModeAgrees = true;
        for (int axis = 0; axis < 2; axis++) {
            out[axis] = CaffePoolingVertex.outputSize(in[axis], kernel[axis], stride[axis], pad[axis]);
            ceilModeAgrees &= out[axis] == CaffePoolingVertex.ceilModeSize(in[axis], kernel[axis], stride[axis],
                    pad[axis]);
        }
        // Padding after the image up to where Caffe's last window ends (none where the windows end inside it).
        long[] tail = new long[2];
        for (int axis = 0; axis < 2; axis++) {
            tail[axis] = Math.max(0, (out[axis] - 1) * stride[axis] + kernel[axis] - pad[axis] - in[axis]);
        }
        if (max) {
            if (ceilModeAgrees) {
                return graph.node(vertex.name(), "MaxPool", List.of(vertex.input()), kernelShape, strides,
                        intsAttribute("pads", pad[0], pad[1], pad[0], pad[1]), intAttribute("ceil_mode", 1));
            }
            if (tail[0] >= kernel[0] || tail[1] >= kernel[1]) {
                throw vertex.unsupported("has a window starting past the end of its " + in[0] + "x" + in[1]
                        + " input (kernel " + kernel[0] + "x" + kernel[1] + ", stride " + stride[0] + "x" + stride[1]
                        + "), which ONNX pooling cannot express; export for another input size (--size).");
            }
            return graph.node(vertex.name(), "MaxPool", List.of(vertex.input()), kernelShape, strides,
                    intsAttribute("pads", pad[0], pad[1], tail[0], tail[1]));
        }
        String padded = vertex.input();
        if (pad[0] > 0 || pad[1] > 0 || tail[0] > 0 || tail[1] > 0) {
            padded = graph.node(vertex.name() + "/pad", "Pad", List.of(vertex.input(),
                    graph.ints(vertex.name() + "/pads", 0, 0, pad[0], pad[1], 0, 0, tail[0], tail[1])),
                    stringAttribute("mode", "constant"));
        }
        float[] rowScale = lastWindowScale(in[0], out[0], kernel[0], stride[0], pad[0]);
        float[] columnScale = lastWindowScale(in[1], out[1], kernel[1], stride[1], pad[1]);
        boolean rescaled = rowScale != null || columnScale != null;
        String averaged = graph.node(rescaled ? vertex.name() + "/average" : vertex.name(), "AveragePool",
                List.of(padded), kernelShape, strides);
        if (rowScale != null) {
            String scale = graph.floats(vertex.name() + "/row_scale", new long[] {out[0], 1}, rowScale);
            averaged = graph.node(columnScale == null ? vertex.name() : vertex.name() + "/rows", "Mul",
                    List.of(averaged, scale));
        }
        if (columnScale != null) {
            String scale = graph.floats(vertex.name() + "/column_scale", new long[] {out[1]}, columnScale);
            averaged = graph.node(vertex.name(), "Mul", List.of(averaged, scale));
        }
        return averaged;
    }

    /**
     * Max pooling for any input size: {@code ceil_mode=1}, then a {@code Slice} to Caffe's size, which ends at the
     * last window starting inside the image ({@code floor((in + p - 1) / s) + 1} windows), whether or not the runtime
     * drops a window starting in the padding itself (ONNX Runtime 1.24 does).
     */
    private static String anySizeMax(ExportedVertex vertex, OnnxGraph graph, int[] kernel, int[] stride, int[] pad) {
        boolean mayDropWindow = pad[0] > 0 || pad[1] > 0 || kernel[0] < stride[0] || kernel[1] < stride[1];
        String pooled = graph.node(mayDropWindow ? vertex.name() + "/pool" : vertex.name(), "MaxPool",
                List.of(vertex.input()), intsAttribute("kernel_shape", kernel[0], kernel[1]),
                intsAttribute("strides", stride[0], stride[1]), intsAttribute("pads", pad[0], pad[1], pad[0], pad[1]),
                intAttribute("ceil_mode", 1));
        if (!mayDropWindow) {
            return pooled;
        }
        String shape = graph.node(vertex.name() + "/input_shape", "Shape", List.of(vertex.input()));
        String size = graph.node(vertex.name() + "/input_size", "Slice", List.of(shape,
                graph.ints(vertex.name() + "/size_start", 2), graph.ints(vertex.name() + "/size_end", 4)));
        String shifted = graph.node(vertex.name() + "/shifted", "Add", List.of(size,
                graph.ints(vertex.name() + "/pad_minus_one", pad[0] - 1, pad[1] - 1)));
        String starts = graph.node(vertex.name() + "/window_starts", "Div", List.of(shifted,
                graph.ints(vertex.name() + "/stride", stride[0], stride[1])));
        String ends = graph.node(vertex.name() + "/ends", "Add", List.of(starts,
                graph.ints(vertex.name() + "/one", 1, 1)));
        return graph.node(vertex.name(), "Slice", List.of(pooled, graph.ints(vertex.name() + "/starts", 0, 0), ends,
                graph.ints(vertex.name() + "/axes", 2, 3)));
    }

    /**
     * The factor turning the full-kernel average of each output row (or column) into Caffe's, whose last window
     * divides by its extent clipped to {@code in + pad}; null when every factor is 1.
     */
    private static float[] lastWindowScale(long in, long out, int kernel, int stride, int pad) {
        long extent = CaffePoolingVertex.lastWindowExtent(in, out, kernel, stride, pad);
        if (extent == kernel) {
            return null;
        }
        float[] scale = new float[Math.toIntExact(out)];
        java.util.Arrays.fill(scale, 1f);
        scale[scale.length - 1] = (float) kernel / extent;
        return scale;
    }

    /** DL4J's {@code SubsamplingLayer}, MAX or AVG, rounding down (Truncate, Strict) or padding as Same does. */
    static String subsampling(ExportedVertex vertex, OnnxGraph graph) throws OnnxExportException {
        SubsamplingLayer conf = (SubsamplingLayer) vertex.configuration();
        vertex.requireNchw(conf.getCnn2dDataFormat());
        int[] kernel = conf.getKernelSize();
        int[] stride = conf.getStride();
        int[] dilation = conf.getDilation();
        List<AttributeProto> attributes = new ArrayList<>(List.of(
                intsAttribute("kernel_shape", kernel[0], kernel[1]),
                intsAttribute("strides", stride[0], stride[1]),
                ConvolutionMappers.padding(vertex, conf.getConvolutionMode(), conf.getPadding(), kernel, stride,
                        dilation)));
        boolean dilated = dilation[0] != 1 || dilation[1] != 1;
        if (conf.getPoolingType() == PoolingType.MAX) {
            if (dilated) {
                attributes.add(intsAttribute("dilations", dilation[0], dilation[1]));
            }
            return graph.node(vertex.name(), "MaxPool", List.of(vertex.input()),
                    attributes.toArray(AttributeProto[]::new));
        }
        if (conf.getPoolingType() != PoolingType.AVG) {
            throw vertex.unsupported("pools by " + conf.getPoolingType() + "; ONNX export covers MAX and AVG.");
        }
        if (dilated) {
            throw vertex.unsupported("averages with dilation " + dilation[0] + "x" + dilation[1] + "; ONNX opset "
                    + OnnxExporter.OPSET + " has no dilated AveragePool.");
        }
        // Floor-mode windows never reach past the padding, so either divisor is DL4J's.
        attributes.add(intAttribute("count_include_pad", conf.isAvgPoolIncludePadInDivisor() ? 1 : 0));
        return graph.node(vertex.name(), "AveragePool", List.of(vertex.input()),
                attributes.toArray(AttributeProto[]::new));
    }
}
