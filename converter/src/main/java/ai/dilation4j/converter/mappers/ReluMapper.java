package ai.dilation4j.converter.mappers;

import ai.dilation4j.converter.ConversionException;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.graph.GraphBuildContext;
import ai.dilation4j.converter.graph.LayerMapper;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;

/** Caffe {@code ReLU} → {@code ActivationLayer} RELU, or leaky ReLU when {@code negative_slope} is set. */
public final class ReluMapper implements LayerMapper {

    @Override
    public String caffeType() {
        return "ReLU";
    }

    @Override
    public void map(LayerParameter layer, GraphBuildContext context) throws ConversionException {
        context.requireArity(layer, 1, 1, 1);
        float slope = layer.getReluParam().getNegativeSlope();
        ActivationLayer.Builder builder = new ActivationLayer.Builder();
        if (slope == 0f) {
            builder.activation(Activation.RELU);
        } else {
            builder.activation(new ActivationLReLU(slope));
        }
        context.addLayer(layer, builder.build(), context.bottomShape(layer, 0));
    }
}
