package ai.dilation4j.converter.keras;

import java.util.List;

import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;

import ai.dilation4j.converter.api.ConversionException;

/**
 * Keras 2 {@code ReLU} → {@code ActivationLayer} RELU, or leaky ReLU with {@code negative_slope}; a
 * {@code max_value} or {@code threshold} is refused.
 */
final class ReluMapper implements KerasLayerMapper {

    @Override
    public List<String> kerasClasses() {
        return List.of("ReLU");
    }

    @Override
    public void map(KerasNode node, KerasMappingContext context) throws ConversionException {
        TensorLayout layout = context.inputLayout(node);
        double threshold = node.spec().field("threshold").map(v -> v.asDouble()).orElse(0.0);
        if (node.spec().field("max_value").isPresent() || threshold != 0.0) {
            throw node.unsupported("has a max_value or threshold; dilation4j imports ReLU with negative_slope only.");
        }
        double slope = node.spec().field("negative_slope").map(v -> v.asDouble()).orElse(0.0);
        ai.dilation4j.converter.mappers.ReluMapper.addActivation(node.asLayer(), context.graph(),
                slope == 0.0 ? Activation.RELU.getActivationFunction() : new ActivationLReLU(slope));
        context.produced(node, layout);
    }
}
