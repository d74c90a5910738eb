package ai.dilation4j.converter.keras;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import ai.dilation4j.converter.api.ConversionException;

/**
 * Keras 2 {@code Softmax(axis)} → the Caffe converter's per-pixel softmax over the channels (CnnLossLayer MCXENT
 * SOFTMAX on NCHW), when {@code axis} is where the Keras tensor keeps the channels: {@code -1} for channels-last
 * images and {@code (h*w, C)} rows, {@code 1} for channels-first ones. modelimport ignores {@code axis} (it always
 * normalizes the last one); a softmax over any other axis is refused.
 */
final class SoftmaxMapper implements KerasLayerMapper {

    @Override
    public List<String> kerasClasses() {
        return List.of("Softmax");
    }

    @Override
    public void map(KerasNode node, KerasMappingContext context) throws ConversionException {
        JsonNode axis = node.spec().field("axis").orElse(null);
        if (axis != null && !axis.canConvertToInt()) {
            throw node.unsupported("normalizes over the axes " + axis + "; dilation4j imports a softmax over the "
                    + "channel axis only.");
        }
        addPerPixelSoftmax(node, context, axis == null ? -1 : axis.asInt());
    }

    /** Adds the per-pixel softmax for a Keras softmax over {@code kerasAxis}, which must hold the channels. */
    static void addPerPixelSoftmax(KerasNode node, KerasMappingContext context, int kerasAxis)
            throws ConversionException {
        TensorLayout layout = context.inputLayout(node);
        if (layout.axis(kerasAxis) != layout.channelAxis()) {
            var shape = context.inputShape(node);
            throw node.unsupported("normalizes over axis " + kerasAxis + " of its input " + layout.describe(
                    shape.channels(), shape.height(), shape.width()) + ", which does not hold the channels (axis "
                    + layout.channelAxis() + "); dilation4j imports the softmax over the channels of every pixel.");
        }
        context.graph().addLayer(node.asLayer(), ai.dilation4j.converter.mappers.SoftmaxMapper.perPixelSoftmax(),
                context.inputShape(node));
        context.produced(node, layout);
    }
}
