package ai.dilation4j.converter.keras;

import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.graph.FeatureShape;

/**
 * Keras {@code Reshape} in DilatedNet's head: {@code Reshape((h*w, C))} of a channels-last map (or
 * {@code Reshape((C, h*w))} of a channels-first one) lays the same values out as one row per pixel, so the softmax
 * that follows normalizes each pixel's classes. The graph keeps its N x C x H x W map, which the runtime reads, and
 * the layer becomes another name for its input; what changes is where the Keras tensor keeps the channels, which
 * decides whether the softmax is over them. Any other reshape moves values between pixels and is refused.
 */
final class ReshapeMapper implements KerasLayerMapper {

    @Override
    public List<String> kerasClasses() {
        return List.of("Reshape");
    }

    @Override
    public void map(KerasNode node, KerasMappingContext context) throws ConversionException {
        TensorLayout in = context.requireImage(node);
        FeatureShape shape = context.inputShape(node);
        List<Long> target = targetShape(node);
        long pixels = shape.height() * shape.width();
        TensorLayout out;
        if (!in.channelsFirst() && matches(target, List.of(pixels, shape.channels()))) {
            out = TensorLayout.PIXEL_ROWS;
        } else if (in.channelsFirst() && matches(target, List.of(shape.channels(), pixels))) {
            out = TensorLayout.PIXEL_COLUMNS;
        } else if (matches(target, in.channelsFirst() ? List.of(shape.channels(), shape.height(), shape.width())
                : List.of(shape.height(), shape.width(), shape.channels()))) {
            out = in;
        } else {
            throw node.unsupported("reshapes its input " + in.describe(shape.channels(), shape.height(), shape.width())
                    + " to " + target + "; dilation4j imports the Reshape of a segmentation head, to "
                    + (in.channelsFirst() ? "(C, h*w) = (" + shape.channels() + ", " + pixels + ")"
                    : "(h*w, C) = (" + pixels + ", " + shape.channels() + ")") + ".");
        }
        context.graph().aliasTopToBottom(node.asLayer());
        context.produced(node, out);
    }

    private static List<Long> targetShape(KerasNode node) throws ConversionException {
        JsonNode target = node.spec().field("target_shape").orElse(null);
        if (target == null || !target.isArray()) {
            throw new ConversionException(node.describe() + " has no target_shape; the configuration is damaged.");
        }
        List<Long> values = new ArrayList<>();
        for (JsonNode value : target) {
            values.add(value.asLong());
        }
        return values;
    }

    /** Whether a target shape (one dimension may be -1, inferred) equals the wanted one. */
    private static boolean matches(List<Long> target, List<Long> wanted) {
        if (target.size() != wanted.size()) {
            return false;
        }
        for (int i = 0; i < target.size(); i++) {
            if (target.get(i) != -1 && !target.get(i).equals(wanted.get(i))) {
                return false;
            }
        }
        return target.stream().filter(v -> v == -1).count() <= 1;
    }
}
