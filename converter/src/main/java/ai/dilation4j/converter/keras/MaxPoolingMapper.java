package ai.dilation4j.converter.keras;

import java.util.List;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.graph.FeatureShape;

/**
 * Keras {@code MaxPooling2D} → {@code SubsamplingLayer} MAX on NCHW in {@code Truncate} mode: Keras's
 * {@code 'valid'} pooling drops a last partial window ({@code out = floor((in - k) / s) + 1}), where Caffe's pooling
 * (and so the Caffe converter's {@code CaffePoolingVertex}) keeps it. DilatedNet's 2x2 pools differ between the two
 * on odd sizes. {@code 'same'} is imported where it needs no padding, where it equals {@code 'valid'}.
 */
final class MaxPoolingMapper implements KerasLayerMapper {

    @Override
    public List<String> kerasClasses() {
        return List.of("MaxPooling2D");
    }

    @Override
    public void map(KerasNode node, KerasMappingContext context) throws ConversionException {
        TensorLayout layout = context.requireImage(node);
        SubsamplingLayer conf = node.dl4jLayer(SubsamplingLayer.class);
        FeatureShape in = context.inputShape(node);
        int[] kernel = conf.getKernelSize();
        int[] stride = conf.getStride();
        if (kernel[0] < 1 || kernel[1] < 1 || stride[0] < 1 || stride[1] < 1) {
            throw node.unsupported("has pool size " + kernel[0] + "x" + kernel[1] + " and strides " + stride[0] + "x"
                    + stride[1] + "; both must be at least 1.");
        }
        if (conf.getConvolutionMode() == ConvolutionMode.Same
                && (samePadding(in.height(), kernel[0], stride[0]) > 0 || samePadding(in.width(), kernel[1], stride[1]) > 0)) {
            throw node.unsupported("uses padding='same' on a " + in.height() + "x" + in.width() + " input, where it pads; "
                    + "dilation4j imports 'valid' pooling, and 'same' where it needs no padding.");
        }
        if (in.height() < kernel[0] || in.width() < kernel[1]) {
            throw new ConversionException(node.describe() + ": its input " + in + " is smaller than the pool size "
                    + kernel[0] + "x" + kernel[1] + ". Use a larger network input.");
        }
        long height = (in.height() - kernel[0]) / stride[0] + 1;
        long width = (in.width() - kernel[1]) / stride[1] + 1;
        SubsamplingLayer pooling = new SubsamplingLayer.Builder(PoolingType.MAX)
                .kernelSize(kernel)
                .stride(stride)
                .padding(0, 0)
                .convolutionMode(ConvolutionMode.Truncate)
                .dataFormat(CNN2DFormat.NCHW)
                .build();
        context.graph().addLayer(node.asLayer(), pooling, new FeatureShape(in.channels(), height, width));
        context.produced(node, layout);
    }

    private static long samePadding(long in, int kernel, int stride) {
        long out = (in + stride - 1) / stride;
        return Math.max((out - 1) * stride + kernel - in, 0);
    }
}
