package ai.dilation4j.converter.mappers;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.graph.FeatureShape;
import ai.dilation4j.converter.graph.GraphBuildContext;
import ai.dilation4j.converter.graph.LayerMapper;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;

/**
 * Caffe {@code ReLU} → {@code ActivationLayer} RELU, or leaky ReLU when {@code negative_slope} is set. At inference
 * the DL4J layer overwrites its input array; where Caffe keeps the input blob (not in place, or read by other
 * layers) the layer reads a copy made by a {@code ScaleVertex(1)}.
 */
public final class ReluMapper implements LayerMapper {

    @Override
    public String caffeType() {
        return "ReLU";
    }

    @Override
    public void map(LayerParameter layer, GraphBuildContext context) throws ConversionException {
        context.requireArity(layer, 1, 1, 1);
        float slope = layer.getReluParam().getNegativeSlope();
        addActivation(layer, context, slope == 0f ? Activation.RELU.getActivationFunction() : new ActivationLReLU(slope));
    }

    /**
     * Adds an element-wise {@code ActivationLayer} computing the layer's first top from its first bottom; it reads a
     * copy of the bottom unless the bottom's value may be overwritten (see
     * {@link GraphBuildContext#mayOverwriteBottom}).
     */
    public static void addActivation(LayerParameter layer, GraphBuildContext context, IActivation activation)
            throws ConversionException {
        FeatureShape shape = context.bottomShape(layer, 0);
        String input = context.bottomVertex(layer, 0);
        if (!context.mayOverwriteBottom(layer)) {
            input = context.addHelperVertex(layer.getName() + "_input", new ScaleVertex(1.0), shape, input);
        }
        context.addLayer(layer, new ActivationLayer.Builder().activation(activation).build(), shape, input);
    }
}
