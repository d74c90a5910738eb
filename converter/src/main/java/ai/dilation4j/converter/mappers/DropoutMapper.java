package ai.dilation4j.converter.mappers;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.graph.GraphBuildContext;
import ai.dilation4j.converter.graph.LayerMapper;

/**
 * Caffe {@code Dropout} is the identity at inference (Caffe scales during training), so it adds no vertex:
 * its top becomes another name for its bottom.
 */
public final class DropoutMapper implements LayerMapper {

    @Override
    public String caffeType() {
        return "Dropout";
    }

    @Override
    public void map(LayerParameter layer, GraphBuildContext context) throws ConversionException {
        context.requireArity(layer, 1, 1, 1);
        context.aliasTopToBottom(layer);
    }
}
