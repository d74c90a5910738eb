package ai.dilation4j.converter.keras;

import java.util.Arrays;
import java.util.List;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.graph.FeatureShape;

/**
 * Keras {@code InputLayer} (or the input Keras adds in front of a Sequential model) → the graph's NCHW input, named
 * after the layer. Its size is the Keras input shape, {@code (h, w, C)} or {@code (C, h, w)}: the tile size the
 * runtime segments images in.
 */
final class InputMapper implements KerasLayerMapper {

    @Override
    public List<String> kerasClasses() {
        return List.of("InputLayer");
    }

    @Override
    public void map(KerasNode node, KerasMappingContext context) throws ConversionException {
        int[] shape = node.imported().getInputShape();
        if (shape == null || shape.length != 3 || Arrays.stream(shape).anyMatch(d -> d < 1)) {
            throw node.unsupported("has the input shape " + (shape == null ? "(unknown)" : Arrays.toString(shape))
                    + " (0 = None); dilation4j imports image networks with a fixed input size (h, w, C), the tile size "
                    + "it segments images in. Rebuild the model with a fixed input_shape and save it again.");
        }
        TensorLayout layout = context.modelLayout();
        FeatureShape features = layout.channelsFirst()
                ? new FeatureShape(shape[0], shape[1], shape[2])
                : new FeatureShape(shape[2], shape[0], shape[1]);
        context.graph().addInput(node.name(), features);
        context.input(node.name(), layout);
    }
}
