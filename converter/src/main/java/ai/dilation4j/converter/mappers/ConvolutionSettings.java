package ai.dilation4j.converter.mappers;

import java.util.List;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.api.UnsupportedLayerException;
import ai.dilation4j.converter.caffe.proto.Caffe.ConvolutionParameter;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.graph.FeatureShape;
import ai.dilation4j.converter.graph.GraphBuildContext;
import ai.dilation4j.converter.graph.GraphParams;
import ai.dilation4j.converter.graph.KernelGeometry;
import ai.dilation4j.converter.graph.WeightBinding;
import ai.dilation4j.runtime.io.ArraySizes;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.activations.Activation;

/**
 * The {@code convolution_param} of a Convolution or Deconvolution layer, checked: channels, groups, geometry,
 * bias. Both layer types share Caffe's parameter message and its rules; other importers (Keras) build one from
 * their own layer description to get the same DL4J layer and weight binding.
 */
public record ConvolutionSettings(long inChannels, int outChannels, int group, KernelGeometry geometry, boolean bias) {

    static ConvolutionSettings read(LayerParameter layer, GraphBuildContext context) throws ConversionException {
        context.requireArity(layer, 1, 1, 1);
        ConvolutionParameter p = layer.getConvolutionParam();
        if (p.getAxis() != 1) {
            throw new UnsupportedLayerException(GraphBuildContext.describe(layer) + " works over axis " + p.getAxis()
                    + "; dilation4j converts channel-axis (axis 1) layers only.");
        }
        if (p.getNumOutput() < 1) {
            // uint32 in caffe.proto: values from 2^31 on arrive as negative ints
            throw new ConversionException(GraphBuildContext.describe(layer) + " has num_output "
                    + Integer.toUnsignedString(p.getNumOutput()) + "; it must be 1 to " + Integer.MAX_VALUE + ".");
        }
        long inChannels = context.bottomShape(layer, 0).channels();
        int group = p.getGroup();
        if (group < 1 || inChannels % group != 0 || p.getNumOutput() % group != 0) {
            throw new ConversionException(GraphBuildContext.describe(layer) + ": group " + group + " must divide both "
                    + "the input channels (" + inChannels + ") and num_output (" + p.getNumOutput() + ").");
        }
        return new ConvolutionSettings(inChannels, p.getNumOutput(), group, KernelGeometry.of(layer, p),
                p.getBiasTerm());
    }

    /** The output shape for an input shape (Caffe's floor rule); refuses an input smaller than the dilated kernel. */
    public FeatureShape outputShape(LayerParameter layer, FeatureShape in) throws ConversionException {
        KernelGeometry g = geometry;
        long h = KernelGeometry.convolutionOutput(in.height(), g.kernelH(), g.strideH(), g.padH(), g.dilationH());
        long w = KernelGeometry.convolutionOutput(in.width(), g.kernelW(), g.strideW(), g.padW(), g.dilationW());
        if (h < 1 || w < 1) {
            throw new ConversionException(GraphBuildContext.describe(layer) + ": its input " + in
                    + " is smaller than its dilated kernel (" + g + "). Use a larger network input.");
        }
        return new FeatureShape(outChannels, h, w);
    }

    /** Applies geometry, channels and bias to a DL4J convolution-type layer builder; no activation. */
    public <B extends ConvolutionLayer.BaseConvBuilder<B>> B configure(B builder) {
        builder.kernelSize(geometry.kernel()).stride(geometry.stride()).padding(geometry.padding())
                .dilation(geometry.dilation()).convolutionMode(ConvolutionMode.Truncate).hasBias(bias);
        builder.nIn(inChannels).nOut(outChannels).activation(Activation.IDENTITY);
        // On CUDA, cuDNN's fastest algorithms may ask for workspaces of tens of GB on a large fully convolutional
        // input (DL4J issue #3148); inference does not need them.
        builder.cudnnAlgoMode(ConvolutionLayer.AlgoMode.NO_WORKSPACE);
        return builder;
    }

    /**
     * Refuses weights that one array cannot hold, in Caffe's grouped shape or in the dense shape DL4J gets,
     * before the layer is added and anything is allocated.
     */
    public void requireHoldableWeights(LayerParameter layer, long[] caffeShape, long[] denseShape)
            throws ConversionException {
        for (long[] shape : List.of(caffeShape, denseShape)) {
            if (!ArraySizes.fitsOneArray(shape)) {
                throw new ConversionException(GraphBuildContext.describe(layer) + ": num_output " + outChannels
                        + " with " + inChannels + " input channels, group " + group + " and a " + geometry.kernelH()
                        + "x" + geometry.kernelW() + " kernel makes weights of " + ArraySizes.describe(shape)
                        + ", more than the " + ArraySizes.MAX_ELEMENTS + " one array can hold. Check num_output "
                        + "and kernel_size in the prototxt.");
            }
        }
    }

    /**
     * Declares the layer's Caffe blobs: the weights with the given shape, then the bias when {@code bias_term}
     * is set, which goes to the DL4J parameter {@code b} of {@code vertex} unchanged.
     */
    public WeightBinding weights(LayerParameter layer, String vertex, long[] weightShape, WeightBinding.Binder weights) {
        if (!bias) {
            return new WeightBinding(layer.getName(), layer.getType(), List.of("weights"), List.of(weightShape),
                    weights);
        }
        return new WeightBinding(layer.getName(), layer.getType(), List.of("weights", "bias"),
                List.of(weightShape, new long[] {outChannels}), (graph, blobs) -> {
                    weights.bind(graph, blobs);
                    GraphParams.assign(graph, vertex, "b", blobs.get(1));
                });
    }
}
