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
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D;
import org.deeplearning4j.nn.conf.layers.Layer;
import org.nd4j.linalg.activations.Activation;

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
        context.requireArity(layer, 1, 1, 1);
        ConvolutionParameter p = layer.getConvolutionParam();
        if (p.getAxis() != 1) {
            throw new UnsupportedLayerException(GraphBuildContext.describe(layer) + " convolves over axis "
                    + p.getAxis() + "; dilation4j converts channel-axis (axis 1) convolutions only.");
        }
        FeatureShape in = context.bottomShape(layer, 0);
        int outChannels = requireNumOutput(layer, p.getNumOutput());
        int group = p.getGroup();
        long inChannels = in.channels();
        if (group < 1 || inChannels % group != 0 || outChannels % group != 0) {
            throw new ConversionException(GraphBuildContext.describe(layer) + ": group " + group
                    + " must divide both the input channels (" + inChannels + ") and num_output (" + outChannels + ").");
        }
        KernelGeometry g = KernelGeometry.of(layer, p);
        FeatureShape out = outputShape(layer, in, outChannels, g);
        boolean bias = p.getBiasTerm();
        long[] weightShape = {outChannels, inChannels / group, g.kernelH(), g.kernelW()};

        Layer dl4jLayer;
        WeightBinding.Binder binder;
        String vertex;
        if (group == 1) {
            dl4jLayer = configure(new ConvolutionLayer.Builder().dataFormat(CNN2DFormat.NCHW), g, inChannels, outChannels, bias).build();
            vertex = context.addLayer(layer, dl4jLayer, out);
            binder = (graph, blobs) -> GraphParams.assign(graph, vertex, "W", blobs.get(0));
        } else if (group == inChannels) {
            int multiplier = (int) (outChannels / inChannels);
            dl4jLayer = configure(new DepthwiseConvolution2D.Builder().depthMultiplier(multiplier)
                    .dataFormat(CNN2DFormat.NCHW), g, inChannels,
                    outChannels, bias).build();
            vertex = context.addLayer(layer, dl4jLayer, out);
            // Caffe output channel c*m+j reads input c; DL4J keeps that filter at W[kh, kw, c, j].
            binder = (graph, blobs) -> GraphParams.assign(graph, vertex, "W", blobs.get(0)
                    .reshape('c', inChannels, multiplier, g.kernelH(), g.kernelW()).permute(2, 3, 0, 1).dup('c'));
        } else {
            dl4jLayer = configure(new ConvolutionLayer.Builder().dataFormat(CNN2DFormat.NCHW), g, inChannels, outChannels, bias).build();
            vertex = context.addLayer(layer, dl4jLayer, out);
            binder = (graph, blobs) -> GraphParams.assign(graph, vertex, "W",
                    GroupedWeights.blockDiagonal(blobs.get(0), group, inChannels));
        }
        WeightBinding.Binder withBias = !bias ? binder : (graph, blobs) -> {
            binder.bind(graph, blobs);
            GraphParams.assign(graph, vertex, "b", blobs.get(1));
        };
        context.expectWeights(new WeightBinding(layer.getName(), layer.getType(),
                bias ? List.of("weights", "bias") : List.of("weights"),
                bias ? List.of(weightShape, new long[] {outChannels}) : List.of(weightShape), withBias));
    }

    static int requireNumOutput(LayerParameter layer, int numOutput) throws ConversionException {
        if (numOutput < 1) {
            throw new ConversionException(GraphBuildContext.describe(layer) + " needs num_output >= 1.");
        }
        return numOutput;
    }

    static <B extends ConvolutionLayer.BaseConvBuilder<B>> B configure(B builder, KernelGeometry g, long nIn,
                                                                       long nOut, boolean bias) {
        builder.kernelSize(g.kernel()).stride(g.stride()).padding(g.padding()).dilation(g.dilation())
                .convolutionMode(ConvolutionMode.Truncate).hasBias(bias);
        builder.nIn(nIn).nOut(nOut).activation(Activation.IDENTITY);
        return builder;
    }

    private static FeatureShape outputShape(LayerParameter layer, FeatureShape in, long channels, KernelGeometry g)
            throws ConversionException {
        long h = KernelGeometry.convolutionOutput(in.height(), g.kernelH(), g.strideH(), g.padH(), g.dilationH());
        long w = KernelGeometry.convolutionOutput(in.width(), g.kernelW(), g.strideW(), g.padW(), g.dilationW());
        if (h < 1 || w < 1) {
            throw new ConversionException(GraphBuildContext.describe(layer) + ": its input " + in
                    + " is smaller than its dilated kernel (" + g + "). Use a larger network input.");
        }
        return new FeatureShape(channels, h, w);
    }
}
