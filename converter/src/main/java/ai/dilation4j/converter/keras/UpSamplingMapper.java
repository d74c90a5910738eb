package ai.dilation4j.converter.keras;

import java.util.Arrays;
import java.util.List;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.graph.FeatureShape;

/**
 * Keras {@code UpSampling2D} with {@code interpolation='nearest'} (the only kind Keras 1 has) → {@code Upsampling2D}
 * on NCHW. modelimport ignores {@code interpolation} and would compute nearest-neighbour values for a
 * {@code 'bilinear'} layer; such a layer is refused.
 */
final class UpSamplingMapper implements KerasLayerMapper {

    @Override
    public List<String> kerasClasses() {
        return List.of("UpSampling2D");
    }

    @Override
    public void map(KerasNode node, KerasMappingContext context) throws ConversionException {
        TensorLayout layout = context.requireImage(node);
        String interpolation = node.textField("interpolation").orElse("nearest");
        if (!interpolation.equals("nearest")) {
            throw node.unsupported("uses interpolation='" + interpolation + "'; dilation4j imports nearest-neighbour "
                    + "up-sampling only (the dataset's zoom upsamples the network output bilinearly at segment time).");
        }
        int[] size = node.dl4jLayer(Upsampling2D.class).getSize();
        if (size == null || size.length != 2 || size[0] < 1 || size[1] < 1) {
            throw node.unsupported("has the size " + Arrays.toString(size) + "; it must be two factors of at least 1.");
        }
        FeatureShape in = context.inputShape(node);
        FeatureShape out = new FeatureShape(in.channels(), in.height() * size[0], in.width() * size[1]);
        context.graph().addLayer(node.asLayer(), new Upsampling2D.Builder().size(size)
                .dataFormat(CNN2DFormat.NCHW).build(), out);
        context.produced(node, layout);
    }
}
