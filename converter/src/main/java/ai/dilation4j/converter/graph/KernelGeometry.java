package ai.dilation4j.converter.graph;

import java.util.List;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.caffe.proto.Caffe.ConvolutionParameter;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.caffe.proto.Caffe.PoolingParameter;

/**
 * Kernel, stride, padding and dilation of a 2-D Caffe convolution or pooling, read with Caffe's rules: a
 * single value applies to both axes, two values are (height, width), and the {@code *_h}/{@code *_w} fields
 * take precedence.
 */
public record KernelGeometry(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW,
                             int dilationH, int dilationW) {

    public static KernelGeometry of(LayerParameter layer, ConvolutionParameter p) throws ConversionException {
        int[] kernel = p.hasKernelH() || p.hasKernelW()
                ? explicit(layer, "kernel", p.hasKernelH(), p.getKernelH(), p.hasKernelW(), p.getKernelW(),
                        !p.getKernelSizeList().isEmpty())
                : perAxis(layer, "kernel_size", p.getKernelSizeList(), -1);
        int[] stride = p.hasStrideH() || p.hasStrideW()
                ? explicit(layer, "stride", p.hasStrideH(), p.getStrideH(), p.hasStrideW(), p.getStrideW(),
                        !p.getStrideList().isEmpty())
                : perAxis(layer, "stride", p.getStrideList(), 1);
        int[] pad = p.hasPadH() || p.hasPadW()
                ? explicit(layer, "pad", p.hasPadH(), p.getPadH(), p.hasPadW(), p.getPadW(), !p.getPadList().isEmpty())
                : perAxis(layer, "pad", p.getPadList(), 0);
        int[] dilation = perAxis(layer, "dilation", p.getDilationList(), 1);
        return validated(layer, new KernelGeometry(kernel[0], kernel[1], stride[0], stride[1], pad[0], pad[1],
                dilation[0], dilation[1]));
    }

    public static KernelGeometry of(LayerParameter layer, PoolingParameter p, FeatureShape input)
            throws ConversionException {
        if (p.getGlobalPooling()) {
            if (p.hasKernelSize() || p.hasKernelH() || p.hasKernelW()) {
                throw new ConversionException(GraphBuildContext.describe(layer)
                        + ": global_pooling takes no kernel size; remove kernel_size/kernel_h/kernel_w.");
            }
            return validated(layer, new KernelGeometry((int) input.height(), (int) input.width(), 1, 1, 0, 0, 1, 1));
        }
        int[] kernel = p.hasKernelH() || p.hasKernelW()
                ? explicit(layer, "kernel", p.hasKernelH(), p.getKernelH(), p.hasKernelW(), p.getKernelW(),
                        p.hasKernelSize())
                : perAxis(layer, "kernel_size", p.hasKernelSize() ? List.of(p.getKernelSize()) : List.of(), -1);
        int[] stride = p.hasStrideH() || p.hasStrideW()
                ? explicit(layer, "stride", p.hasStrideH(), p.getStrideH(), p.hasStrideW(), p.getStrideW(),
                        p.hasStride())
                : new int[] {p.getStride(), p.getStride()};
        int[] pad = p.hasPadH() || p.hasPadW()
                ? explicit(layer, "pad", p.hasPadH(), p.getPadH(), p.hasPadW(), p.getPadW(), p.hasPad())
                : new int[] {p.getPad(), p.getPad()};
        return validated(layer, new KernelGeometry(kernel[0], kernel[1], stride[0], stride[1], pad[0], pad[1], 1, 1));
    }

    /** Output size of a convolution along one axis (Caffe: floor). */
    public static long convolutionOutput(long in, int kernel, int stride, int pad, int dilation) {
        long extent = (long) dilation * (kernel - 1) + 1;
        return Math.floorDiv(in + 2L * pad - extent, stride) + 1;
    }

    /** Output size of a deconvolution along one axis. */
    public static long deconvolutionOutput(long in, int kernel, int stride, int pad, int dilation) {
        return (long) stride * (in - 1) + (long) dilation * (kernel - 1) + 1 - 2L * pad;
    }

    public int[] kernel() {
        return new int[] {kernelH, kernelW};
    }

    public int[] stride() {
        return new int[] {strideH, strideW};
    }

    public int[] padding() {
        return new int[] {padH, padW};
    }

    public int[] dilation() {
        return new int[] {dilationH, dilationW};
    }

    @Override
    public String toString() {
        return "kernel " + kernelH + "x" + kernelW + ", stride " + strideH + "x" + strideW + ", pad " + padH + "x"
                + padW + ", dilation " + dilationH + "x" + dilationW;
    }

    private static int[] explicit(LayerParameter layer, String what, boolean hasH, int h, boolean hasW, int w,
                                  boolean alsoGeneric) throws ConversionException {
        if (!hasH || !hasW) {
            throw new ConversionException(GraphBuildContext.describe(layer) + ": give both " + what + "_h and "
                    + what + "_w, or neither.");
        }
        if (alsoGeneric) {
            throw new ConversionException(GraphBuildContext.describe(layer) + ": " + what + "_h/" + what
                    + "_w and the generic form are both given; Caffe accepts only one.");
        }
        return new int[] {h, w};
    }

    private static int[] perAxis(LayerParameter layer, String field, List<Integer> values, int defaultValue)
            throws ConversionException {
        return switch (values.size()) {
            case 0 -> {
                if (defaultValue < 0) {
                    throw new ConversionException(GraphBuildContext.describe(layer) + " has no " + field
                            + "; Caffe requires it.");
                }
                yield new int[] {defaultValue, defaultValue};
            }
            case 1 -> new int[] {values.get(0), values.get(0)};
            case 2 -> new int[] {values.get(0), values.get(1)};
            default -> throw new ConversionException(GraphBuildContext.describe(layer) + " gives " + values.size()
                    + " " + field + " values; dilation4j converts 2-D layers, which take 1 or 2.");
        };
    }

    /** The geometry if kernel, stride and dilation are at least 1 and padding at least 0, else an error. */
    public static KernelGeometry validated(LayerParameter layer, KernelGeometry g) throws ConversionException {
        if (g.kernelH < 1 || g.kernelW < 1 || g.strideH < 1 || g.strideW < 1 || g.dilationH < 1 || g.dilationW < 1
                || g.padH < 0 || g.padW < 0) {
            throw new ConversionException(GraphBuildContext.describe(layer) + " has an invalid geometry (" + g
                    + "): kernel, stride and dilation must be >= 1.");
        }
        return g;
    }
}
