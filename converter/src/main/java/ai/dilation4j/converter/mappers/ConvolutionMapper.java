package ai.dilation4j.converter.mappers;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.graph.FeatureShape;
import ai.dilation4j.converter.graph.GraphBuildContext;
import ai.dilation4j.converter.graph.GraphParams;
import ai.dilation4j.converter.graph.KernelGeometry;
import ai.dilation4j.converter.graph.LayerMapper;
import ai.dilation4j.converter.graph.WeightBinding;
import ai.dilation4j.runtime.nn.conv.GemmConvolutionLayer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;

/**
 * Caffe {@code Convolution} (2-D, any pad/kernel/stride/dilation, optional bias, groups) →
 * {@code ConvolutionLayer}; the Caffe weight blob {@code [out, in/group, kh, kw]} is DL4J's {@code W} verbatim.
 * DL4J has no groups: group = input channels becomes a {@code DepthwiseConvolution2D}; other group counts
 * become one convolution with block-diagonal weights, exact at group times the arithmetic.
 */
public final class ConvolutionMapper implements LayerMapper {

    @Override
    public String caffeType() {
        return "Convolution";
    }

    @Override
    public void map(LayerParameter layer, GraphBuildContext context) throws ConversionException {
        ConvolutionSettings s = ConvolutionSettings.read(layer, context);
        KernelGeometry g = s.geometry();
        long[] weightShape = {s.outChannels(), s.inChannels() / s.group(), g.kernelH(), g.kernelW()};
        // A depthwise layer keeps Caffe's weights; other groups become dense block-diagonal weights.
        s.requireHoldableWeights(layer, weightShape, s.group() == 1 || s.group() == s.inChannels() ? weightShape
                : new long[] {s.outChannels(), s.inChannels(), g.kernelH(), g.kernelW()});
        FeatureShape out = s.outputShape(layer, context.bottomShape(layer, 0));
        String vertex;
        WeightBinding.Binder weights;
        if (s.group() == 1) {
            vertex = context.addLayer(layer, s.configure(new GemmConvolutionLayer.Builder().dataFormat(CNN2DFormat.NCHW))
                    .build(), out);
            weights = (graph, blobs) -> GraphParams.assign(graph, vertex, "W", blobs.get(0));
        } else if (s.group() == s.inChannels()) {
            int multiplier = (int) (s.outChannels() / s.inChannels());
            vertex = context.addLayer(layer, s.configure(new DepthwiseConvolution2D.Builder()
                    .depthMultiplier(multiplier).dataFormat(CNN2DFormat.NCHW)).build(), out);
            // Caffe output channel c*m+j reads input c; DL4J keeps that filter at W[kh, kw, c, j].
            weights = (graph, blobs) -> GraphParams.assign(graph, vertex, "W", blobs.get(0)
                    .reshape('c', s.inChannels(), multiplier, g.kernelH(), g.kernelW()).permute(2, 3, 0, 1).dup('c'));
        } else {
            vertex = context.addLayer(layer, s.configure(new GemmConvolutionLayer.Builder().dataFormat(CNN2DFormat.NCHW))
                    .build(), out);
            weights = (graph, blobs) -> GraphParams.assign(graph, vertex, "W",
                    GroupedWeights.blockDiagonal(blobs.get(0), s.group(), s.inChannels()));
        }
        context.expectWeights(s.weights(layer, vertex, weightShape, weights));
    }
}
