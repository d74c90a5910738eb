package ai.dilation4j.converter.graph;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;

/**
 * Maps one Caffe layer type to DL4J: adds the vertices computing the layer to the graph being built, records
 * the shapes of its tops, and declares the trained blobs it needs. One implementation per Caffe type.
 */
public interface LayerMapper {

    /** The Caffe type string this mapper handles, e.g. {@code "Convolution"}. */
    String caffeType();

    void map(LayerParameter layer, GraphBuildContext context) throws ConversionException;
}
