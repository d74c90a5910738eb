package ai.dilation4j.converter.keras;

import java.util.List;

import ai.dilation4j.converter.api.ConversionException;

/** Keras {@code Dropout} is the identity at inference: its output becomes another name for its input. */
final class DropoutMapper implements KerasLayerMapper {

    @Override
    public List<String> kerasClasses() {
        return List.of("Dropout");
    }

    @Override
    public void map(KerasNode node, KerasMappingContext context) throws ConversionException {
        TensorLayout layout = context.inputLayout(node);
        context.graph().aliasTopToBottom(node.asLayer());
        context.produced(node, layout);
    }
}
