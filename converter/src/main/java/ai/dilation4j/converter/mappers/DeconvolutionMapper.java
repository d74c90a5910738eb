package ai.dilation4j.converter.mappers;

import java.util.List;

import ai.dilation4j.converter.ConversionException;
import ai.dilation4j.converter.UnsupportedLayerException;
import ai.dilation4j.converter.caffe.proto.Caffe.ConvolutionParameter;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.graph.FeatureShape;
import ai.dilation4j.converter.graph.GraphBuildContext;
import ai.dilation4j.converter.graph.GraphParams;
import ai.dilation4j.converter.graph.KernelGeometry;
import ai.dilation4j.converter.graph.LayerMapper;
import ai.dilation4j.converter.graph.WeightBinding;
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
        context.requireArity(layer, 1, 1, 1);
        ConvolutionParameter p = layer.getConvolutionParam();
        if (p.getAxis() != 1) {
            throw new UnsupportedLayerException(GraphBuildContext.describe(layer) + " works over axis "
                    + p.getAxis() + "; dilation4j converts channel-axis (axis 1) deconvolutions only.");
        }
        FeatureShape in = context.bottomShape(layer, 0);
        int outChannels = ConvolutionMapper.requireNumOutput(layer, p.getNumOutput());
        int group = p.getGroup();
        long inChannels = in.channels();
        if (group < 1 || inChannels % group != 0 || outChannels % group != 0) {
            throw new ConversionException(GraphBuildContext.describe(layer) + ": group " + group
                    + " must divide both the input channels (" + inChannels + ") and num_output (" + outChannels + ").");
        }
        KernelGeometry g = KernelGeometry.of(layer, p);
        long h = KernelGeometry.deconvolutionOutput(in.height(), g.kernelH(), g.strideH(), g.padH(), g.dilationH());
        long w = KernelGeometry.deconvolutionOutput(in.width(), g.kernelW(), g.strideW(), g.padW(), g.dilationW());
        if (h < 1 || w < 1) {
            throw new ConversionException(GraphBuildContext.describe(layer) + ": padding " + g.padH() + "x" + g.padW()
                    + " leaves no output for input " + in + ".");
        }
        boolean bias = p.getBiasTerm();
        String vertex = context.addLayer(layer, ConvolutionMapper.configure(new Deconvolution2D.Builder().dataFormat(CNN2DFormat.NCHW), g,
                inChannels, outChannels, bias).build(), new FeatureShape(outChannels, h, w));

        long[] weightShape = {inChannels, outChannels / group, g.kernelH(), g.kernelW()};
        WeightBinding.Binder binder = (graph, blobs) -> {
            GraphParams.assign(graph, vertex, "W",
                    group == 1 ? blobs.get(0) : GroupedWeights.blockDiagonal(blobs.get(0), group, outChannels));
            if (bias) {
                GraphParams.assign(graph, vertex, "b", blobs.get(1));
            }
        };
        context.expectWeights(new WeightBinding(layer.getName(), layer.getType(),
                bias ? List.of("weights", "bias") : List.of("weights"),
                bias ? List.of(weightShape, new long[] {outChannels}) : List.of(weightShape), binder));
    }
}
