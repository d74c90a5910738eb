package ai.dilation4j.converter.mappers;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.api.UnsupportedLayerException;
import ai.dilation4j.converter.caffe.proto.Caffe.ConcatParameter;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.graph.FeatureShape;
import ai.dilation4j.converter.graph.GraphBuildContext;
import ai.dilation4j.converter.graph.LayerMapper;
import org.deeplearning4j.nn.conf.graph.MergeVertex;

/** Caffe {@code Concat} over channels → {@code MergeVertex}, which concatenates NCHW maps along channels. */
public final class ConcatMapper implements LayerMapper {

    @Override
    public String caffeType() {
        return "Concat";
    }

    @Override
    public void map(LayerParameter layer, GraphBuildContext context) throws ConversionException {
        context.requireArity(layer, 1, Integer.MAX_VALUE, 1);
        ConcatParameter p = layer.getConcatParam();
        long axis = p.hasConcatDim() && !p.hasAxis() ? p.getConcatDim() : p.getAxis();
        if (axis != 1 && axis != -3) {
            throw new UnsupportedLayerException(GraphBuildContext.describe(layer) + " concatenates along axis " + axis
                    + "; dilation4j converts channel concatenation (axis 1) only.");
        }
        FeatureShape first = context.bottomShape(layer, 0);
        long channels = 0;
        String[] inputs = new String[layer.getBottomCount()];
        for (int i = 0; i < inputs.length; i++) {
            FeatureShape shape = context.bottomShape(layer, i);
            if (shape.height() != first.height() || shape.width() != first.width()) {
                throw new ConversionException(GraphBuildContext.describe(layer) + ": bottom '" + layer.getBottom(i)
                        + "' is " + shape + " but '" + layer.getBottom(0) + "' is " + first
                        + "; concatenated blobs need equal height and width.");
            }
            channels += shape.channels();
            inputs[i] = context.bottomVertex(layer, i);
        }
        context.addVertex(layer, new MergeVertex(), new FeatureShape(channels, first.height(), first.width()), inputs);
    }
}
