package ai.dilation4j.converter.mappers;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.graph.FeatureShape;
import ai.dilation4j.converter.graph.GraphBuildContext;
import ai.dilation4j.converter.graph.GraphParams;
import ai.dilation4j.converter.graph.KernelGeometry;
import ai.dilation4j.converter.graph.LayerMapper;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.layers.Deconvolution2D;

/**
 * Caffe {@code Deconvolution} (any weights, not only bilinear) → {@code Deconvolution2D}, whose {@code W}
 * {@code [in, out, kh, kw]} is the Caffe blob verbatim (no kernel flip). Grouped deconvolutions, such as the
 * per-class bilinear upsampling of DilatedNet-10 (group = channels), get block-diagonal dense weights.
 */
public final class DeconvolutionMapper implements LayerMapper {

    @Override
    public String caffeType() {
        return "Deconvolution";
    }

    @Override
    public void map(LayerParameter layer, GraphBuildContext context) throws ConversionException {
        ConvolutionSettings s = ConvolutionSettings.read(layer, context);
        KernelGeometry g = s.geometry();
        long[] weightShape = {s.inChannels(), s.outChannels() / s.group(), g.kernelH(), g.kernelW()};
        s.requireHoldableWeights(layer, weightShape, new long[] {s.inChannels(), s.outChannels(), g.kernelH(),
                g.kernelW()});
        FeatureShape in = context.bottomShape(layer, 0);
        long h = KernelGeometry.deconvolutionOutput(in.height(), g.kernelH(), g.strideH(), g.padH(), g.dilationH());
        long w = KernelGeometry.deconvolutionOutput(in.width(), g.kernelW(), g.strideW(), g.padW(), g.dilationW());
        if (h < 1 || w < 1) {
            throw new ConversionException(GraphBuildContext.describe(layer) + ": padding " + g.padH() + "x" + g.padW()
                    + " leaves no output for input " + in + ".");
        }
        String vertex = context.addLayer(layer, s.configure(new Deconvolution2D.Builder()
                .dataFormat(CNN2DFormat.NCHW)).build(), new FeatureShape(s.outChannels(), h, w));
        context.expectWeights(s.weights(layer, vertex, weightShape, (graph, blobs) -> GraphParams.assign(graph,
                vertex, "W", s.group() == 1 ? blobs.get(0)
                        : GroupedWeights.blockDiagonal(blobs.get(0), s.group(), s.outChannels()))));
    }
}
