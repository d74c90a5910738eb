package ai.dilation4j.converter.keras;

import java.util.Arrays;
import java.util.List;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.graph.FeatureShape;

/**
 * Keras {@code ZeroPadding2D} → {@code ZeroPaddingLayer} on NCHW, with the (top, bottom, left, right) padding
 * modelimport read; the context module's {@code ZeroPadding2D(33)} is what Caffe writes as {@code pad: 33} on the
 * first context convolution.
 */
final class ZeroPaddingMapper implements KerasLayerMapper {

    @Override
    public List<String> kerasClasses() {
        return List.of("ZeroPadding2D");
    }

    @Override
    public void map(KerasNode node, KerasMappingContext context) throws ConversionException {
        TensorLayout layout = context.requireImage(node);
        int[] padding = node.dl4jLayer(ZeroPaddingLayer.class).getPadding();
        if (padding == null || padding.length != 4 || Arrays.stream(padding).anyMatch(p -> p < 0)) {
            throw node.unsupported("has the padding " + Arrays.toString(padding) + "; dilation4j imports "
                    + "non-negative (top, bottom, left, right) padding.");
        }
        FeatureShape in = context.inputShape(node);
        FeatureShape out = new FeatureShape(in.channels(), in.height() + padding[0] + padding[1],
                in.width() + padding[2] + padding[3]);
        context.graph().addLayer(node.asLayer(), new ZeroPaddingLayer.Builder(padding)
                .dataFormat(CNN2DFormat.NCHW).build(), out);
        context.produced(node, layout);
    }
}
