package ai.dilation4j.converter.onnx;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import ai.dilation4j.runtime.nn.caffe.CaffeCropVertex;
import ai.dilation4j.runtime.nn.caffe.CaffePoolingVertex;
import ai.dilation4j.runtime.nn.conv.GemmConvolutionLayer;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.MergeVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.DropoutLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.conf.layers.Upsampling2D;
import org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer;

/**
 * The mapper of each exported layer and vertex type, by exact class: a subclass may compute something else (e.g.
 * {@code Deconvolution2D} extends {@code ConvolutionLayer}), so it is exported only once it is listed here.
 */
final class OnnxMappingTable {

    private static final Map<Class<?>, VertexMapper> MAPPERS = Map.ofEntries(
            Map.entry(ConvolutionLayer.class, ConvolutionMappers::convolution),
            Map.entry(GemmConvolutionLayer.class, ConvolutionMappers::convolution),
            Map.entry(DepthwiseConvolution2D.class, ConvolutionMappers::depthwise),
            Map.entry(Deconvolution2D.class, ConvolutionMappers::deconvolution),
            Map.entry(CaffePoolingVertex.class, PoolingMappers::caffePooling),
            Map.entry(SubsamplingLayer.class, PoolingMappers::subsampling),
            Map.entry(CaffeCropVertex.class, ShapeMappers::caffeCrop),
            Map.entry(ZeroPaddingLayer.class, ShapeMappers::zeroPadding),
            Map.entry(Upsampling2D.class, ShapeMappers::upsampling),
            Map.entry(MergeVertex.class, ShapeMappers::merge),
            Map.entry(ActivationLayer.class, PointwiseMappers::activationLayer),
            Map.entry(ElementWiseVertex.class, PointwiseMappers::elementWise),
            Map.entry(ScaleVertex.class, PointwiseMappers::scale),
            Map.entry(DropoutLayer.class, PointwiseMappers::identity),
            Map.entry(CnnLossLayer.class, PointwiseMappers::softmaxHead));

    private OnnxMappingTable() {
    }

    static Optional<VertexMapper> mapperFor(Object configuration) {
        return Optional.ofNullable(MAPPERS.get(configuration.getClass()));
    }

    /** The simple names of the types exported, for error messages. */
    static Set<String> exportedTypes() {
        Set<String> names = new TreeSet<>();
        MAPPERS.keySet().forEach(type -> names.add(type.getSimpleName()));
        return names;
    }
}
