package ai.dilation4j.converter.mappers;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.api.UnsupportedLayerException;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.graph.GraphBuildContext;
import ai.dilation4j.converter.graph.LayerMapper;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.lossfunctions.LossFunctions;

/**
 * Caffe {@code Softmax} over channels → the per-pixel softmax head. An {@code ActivationLayer(SOFTMAX)} on an
 * NCHW map normalizes over the last axis (width), which is wrong; {@code CnnLossLayer} reshapes the map to one
 * row per pixel, applies softmax over the channels and reshapes back, for any N, H and W, and it serializes
 * with the graph.
 */
public final class SoftmaxMapper implements LayerMapper {

    @Override
    public String caffeType() {
        return "Softmax";
    }

    @Override
    public void map(LayerParameter layer, GraphBuildContext context) throws ConversionException {
        context.requireArity(layer, 1, 1, 1);
        int axis = layer.getSoftmaxParam().getAxis();
        if (axis != 1 && axis != -3) {
            throw new UnsupportedLayerException(GraphBuildContext.describe(layer) + " normalizes over axis " + axis
                    + "; dilation4j converts the softmax over channels (axis 1) only.");
        }
        context.addLayer(layer, perPixelSoftmax(), context.bottomShape(layer, 0));
    }

    /** The softmax over the channels of every pixel of an NCHW map, whatever its N, H and W. */
    public static CnnLossLayer perPixelSoftmax() {
        return new CnnLossLayer.Builder(LossFunctions.LossFunction.MCXENT)
                .activation(Activation.SOFTMAX)
                .format(CNN2DFormat.NCHW)
                .build();
    }
}
