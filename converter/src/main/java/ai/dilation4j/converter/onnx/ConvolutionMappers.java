package ai.dilation4j.converter.onnx;

import static ai.dilation4j.converter.onnx.OnnxGraph.intAttribute;
import static ai.dilation4j.converter.onnx.OnnxGraph.intsAttribute;
import static ai.dilation4j.converter.onnx.OnnxGraph.stringAttribute;

import java.util.ArrayList;
import java.util.List;

import ai.dilation4j.converter.onnx.proto.Onnx.AttributeProto;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Convolution-type layers → ONNX {@code Conv} / {@code ConvTranspose} with their kernel, strides, dilations and pads,
 * followed by the layer's activation. DL4J's weight layouts are ONNX's except the depthwise one.
 */
final class ConvolutionMappers {

    private ConvolutionMappers() {
    }

    /**
     * {@code ConvolutionLayer} (and {@code GemmConvolutionLayer}, which runs the same configuration): {@code W}
     * {@code [out, in, kH, kW]} is ONNX's weight as it is.
     */
    static String convolution(ExportedVertex vertex, OnnxGraph graph) throws OnnxExportException {
        ConvolutionLayer conf = (ConvolutionLayer) vertex.configuration();
        INDArray w = vertex.parameter("W");
        return conv(vertex, graph, conf, "Conv", w, w.shape(), 1);
    }

    /**
     * {@code DepthwiseConvolution2D} → a {@code Conv} with one group per input channel: DL4J keeps output channel
     * {@code c*m+j}'s filter at {@code W[kH, kW, c, j]}, ONNX at {@code W[c*m+j, 0, kH, kW]}.
     */
    static String depthwise(ExportedVertex vertex, OnnxGraph graph) throws OnnxExportException {
        DepthwiseConvolution2D conf = (DepthwiseConvolution2D) vertex.configuration();
        INDArray w = vertex.parameter("W"); // [kH, kW, in, multiplier]
        long in = w.size(2);
        long multiplier = w.size(3);
        INDArray onnx = w.permute(2, 3, 0, 1).dup('c');
        return conv(vertex, graph, conf, "Conv", onnx, new long[] {in * multiplier, 1, w.size(0), w.size(1)}, in);
    }

    /**
     * {@code Deconvolution2D} → {@code ConvTranspose}: {@code W} {@code [in, out, kH, kW]} is ONNX's layout, and
     * neither flips the kernel; the output is {@code s*(in-1) + d*(k-1) + 1 - 2p} in both.
     */
    static String deconvolution(ExportedVertex vertex, OnnxGraph graph) throws OnnxExportException {
        Deconvolution2D conf = (Deconvolution2D) vertex.configuration();
        if (conf.getConvolutionMode() == ConvolutionMode.Same) {
            throw vertex.unsupported("uses ConvolutionMode.Same; ONNX export covers deconvolutions with explicit "
                    + "padding (Truncate or Strict).");
        }
        INDArray w = vertex.parameter("W");
        return conv(vertex, graph, conf, "ConvTranspose", w, w.shape(), 1);
    }

    private static String conv(ExportedVertex vertex, OnnxGraph graph, ConvolutionLayer conf, String opType,
                               INDArray weights, long[] weightShape, long group) throws OnnxExportException {
        vertex.requireNchw(conf.getCnn2dDataFormat());
        int[] kernel = conf.getKernelSize();
        int[] stride = conf.getStride();
        int[] dilation = conf.getDilation();
        List<String> inputs = new ArrayList<>(List.of(vertex.input(), graph.weights(vertex.name() + "/W", weights,
                weightShape)));
        INDArray bias = conf.hasBias() ? vertex.parameter("b") : null;
        if (bias != null) {
            inputs.add(graph.weights(vertex.name() + "/b", bias, bias.length()));
        }
        List<AttributeProto> attributes = new ArrayList<>(List.of(
                intsAttribute("kernel_shape", kernel[0], kernel[1]),
                intsAttribute("strides", stride[0], stride[1]),
                intsAttribute("dilations", dilation[0], dilation[1]),
                intAttribute("group", group)));
        attributes.add(padding(vertex, conf.getConvolutionMode(), conf.getPadding(), kernel, stride, dilation));
        String convolved = graph.node(PointwiseMappers.isIdentity(conf.getActivationFn()) ? vertex.name()
                : vertex.name() + "/" + opType, opType, inputs,
                attributes.toArray(AttributeProto[]::new));
        return PointwiseMappers.activation(vertex, conf.getActivationFn(), convolved, graph);
    }

    /**
     * Explicit symmetric pads for Truncate/Strict; for Same, DL4J's padding (total {@code (out-1)*s + d*(k-1)+1 - in}
     * with {@code out = ceil(in/s)}, the odd cell at the bottom/right), which is ONNX's {@code SAME_UPPER}.
     */
    static AttributeProto padding(ExportedVertex vertex, ConvolutionMode mode, int[] pad, int[] kernel,
                                          int[] stride, int[] dilation) throws OnnxExportException {
        switch (mode) {
            case Truncate, Strict -> {
                return intsAttribute("pads", pad[0], pad[1], pad[0], pad[1]);
            }
            case Same -> {
                if (vertex.dynamicSize()) {
                    return stringAttribute("auto_pad", "SAME_UPPER");
                }
                long[] in = vertex.inputShape();
                long[] head = new long[2];
                long[] tail = new long[2];
                for (int axis = 0; axis < 2; axis++) {
                    long size = in[axis + 1];
                    long out = (size + stride[axis] - 1) / stride[axis];
                    long total = Math.max(0, (out - 1) * stride[axis] + (long) dilation[axis] * (kernel[axis] - 1) + 1
                            - size);
                    head[axis] = total / 2;
                    tail[axis] = total - head[axis];
                }
                return intsAttribute("pads", head[0], head[1], tail[0], tail[1]);
            }
            default -> throw vertex.unsupported("uses ConvolutionMode." + mode + "; ONNX export covers Truncate, "
                    + "Strict and Same.");
        }
    }
}
