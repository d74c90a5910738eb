package ai.dilation4j.converter.keras;

import java.util.List;

import org.nd4j.linalg.activations.Activation;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.mappers.ReluMapper;

/**
 * Keras {@code Activation}: {@code linear} is the identity (no vertex), {@code relu} an {@code ActivationLayer}, and
 * {@code softmax} the per-pixel softmax over the channels when the last axis of its input holds them (after the
 * {@code Reshape((h*w, C))} of DilatedNet's head, or on a channels-last image); other activations are refused.
 */
final class ActivationMapper implements KerasLayerMapper {

    @Override
    public List<String> kerasClasses() {
        return List.of("Activation");
    }

    @Override
    public void map(KerasNode node, KerasMappingContext context) throws ConversionException {
        String activation = node.textField("activation").orElse("linear");
        TensorLayout layout = context.inputLayout(node);
        switch (activation) {
            case "linear" -> {
                context.graph().aliasTopToBottom(node.asLayer());
                context.produced(node, layout);
            }
            case "relu" -> {
                ReluMapper.addActivation(node.asLayer(), context.graph(), Activation.RELU.getActivationFunction());
                context.produced(node, layout);
            }
            case "softmax" -> SoftmaxMapper.addPerPixelSoftmax(node, context, -1);
            default -> throw node.unsupported("applies '" + activation + "'; dilation4j imports the activations "
                    + "linear, relu and softmax.");
        }
    }
}
