package ai.dilation4j.converter.keras;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.ndarray.INDArray;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.graph.FeatureShape;
import ai.dilation4j.converter.graph.GraphParams;
import ai.dilation4j.converter.graph.KernelGeometry;
import ai.dilation4j.converter.mappers.ConvolutionSettings;
import ai.dilation4j.runtime.nn.conv.GemmConvolutionLayer;

/**
 * Keras {@code Convolution2D} / {@code AtrousConvolution2D} (Keras 1) and {@code Conv2D} (Keras 2) →
 * {@link GemmConvolutionLayer} on NCHW, the layer a Caffe convolution becomes, with the geometry modelimport read
 * (dilation from {@code atrous_rate} or {@code dilation_rate}). Padding is explicit so the fast path applies:
 * {@code 'same'} becomes the symmetric padding it amounts to. A {@code linear} or {@code relu} activation is fused
 * into the layer, so the vertex named after the Keras layer holds the Keras layer's output.
 */
final class ConvolutionMapper implements KerasLayerMapper {

    @Override
    public List<String> kerasClasses() {
        return List.of("Convolution2D", "AtrousConvolution2D", "Conv2D");
    }

    @Override
    public List<String> weightRoles(KerasArchitecture.LayerSpec layer) {
        // Keras 1 calls the option "bias", Keras 2 "use_bias"; both default to true.
        boolean bias = layer.field("use_bias").or(() -> layer.field("bias")).map(v -> v.asBoolean(true)).orElse(true);
        return bias ? List.of("kernel", "bias") : List.of("kernel");
    }

    @Override
    public void map(KerasNode node, KerasMappingContext context) throws ConversionException {
        TensorLayout layout = context.requireImage(node);
        ConvolutionLayer conf = node.dl4jLayer(ConvolutionLayer.class);
        FeatureShape in = context.inputShape(node);
        LayerParameter layer = node.asLayer();
        int[] kernel = conf.getKernelSize();
        int[] stride = conf.getStride();
        int[] dilation = conf.getDilation();
        int[] padding = padding(node, conf, in);
        KernelGeometry geometry = KernelGeometry.validated(layer, new KernelGeometry(kernel[0], kernel[1], stride[0],
                stride[1], padding[0], padding[1], dilation[0], dilation[1]));
        ConvolutionSettings settings = new ConvolutionSettings(in.channels(), Math.toIntExact(conf.getNOut()), 1,
                geometry, conf.hasBias());
        long[] weightShape = {conf.getNOut(), in.channels(), kernel[0], kernel[1]};
        // The weights read are as large as the file; comparing them first refuses an architecture declaring absurd
        // sizes by what its weights really are.
        List<INDArray> weights = weights(node, context, weightShape);
        settings.requireHoldableWeights(layer, weightShape, weightShape);
        FeatureShape out = settings.outputShape(layer, in);
        ConvolutionLayer dl4j = settings.configure(new GemmConvolutionLayer.Builder().dataFormat(CNN2DFormat.NCHW))
                .activation(activation(node, conf))
                .build();
        String vertex = context.graph().addLayer(layer, dl4j, out);
        context.expectWeights(settings.weights(layer, vertex, weightShape,
                (graph, arrays) -> GraphParams.assign(graph, vertex, "W", arrays.get(0))), weights);
        context.produced(node, layout);
    }

    private static int[] padding(KerasNode node, ConvolutionLayer conf, FeatureShape in) throws ConversionException {
        ConvolutionMode mode = conf.getConvolutionMode();
        if (mode == ConvolutionMode.Same) {
            int[] kernel = conf.getKernelSize();
            int[] stride = conf.getStride();
            int[] dilation = conf.getDilation();
            return new int[] {samePadding(node, in.height(), kernel[0], stride[0], dilation[0]),
                    samePadding(node, in.width(), kernel[1], stride[1], dilation[1])};
        }
        if (mode != ConvolutionMode.Truncate && mode != ConvolutionMode.Strict) {
            throw node.unsupported("uses padding mode " + mode + "; dilation4j imports 'valid' and 'same'.");
        }
        int[] padding = conf.getPadding();
        return padding == null ? new int[] {0, 0} : padding;
    }

    /**
     * The padding on each side that Keras's {@code 'same'} adds: TensorFlow pads {@code total} rows, the extra one (if
     * any) at the bottom. Only a symmetric padding is an explicit padding, which the fast convolution takes.
     */
    private static int samePadding(KerasNode node, long in, int kernel, int stride, int dilation)
            throws ConversionException {
        long extent = (long) dilation * (kernel - 1) + 1;
        long out = (in + stride - 1) / stride;
        long total = Math.max((out - 1) * stride + extent - in, 0);
        if (total % 2 != 0) {
            throw node.unsupported("uses padding='same' with a kernel that needs " + total + " rows or columns of "
                    + "padding, more on one side than the other; dilation4j imports 'same' convolutions with odd "
                    + "(dilated) kernels and stride 1.");
        }
        return (int) (total / 2);
    }

    private static IActivation activation(KerasNode node, ConvolutionLayer conf) throws ConversionException {
        IActivation activation = conf.getActivationFn();
        if (activation == null || activation instanceof ActivationIdentity) {
            return Activation.IDENTITY.getActivationFunction();
        }
        if (activation instanceof ActivationReLU) {
            return Activation.RELU.getActivationFunction();
        }
        throw node.unsupported("has the activation " + node.textField("activation").orElse(activation.toString())
                + "; dilation4j imports convolutions with the activation linear or relu (a softmax goes in its own "
                + "layer after the Reshape of the segmentation head).");
    }

    /** The kernel (and bias) as the graph takes them, checked against the shape the architecture implies. */
    private static List<INDArray> weights(KerasNode node, KerasMappingContext context, long[] weightShape)
            throws ConversionException {
        INDArray imported = node.importedWeights().get("W");
        if (imported == null || imported.rank() != 4) {
            throw new ConversionException(node.describe() + " has no 4-D kernel in " + context.weightsFile()
                    + ". The weights do not belong to this architecture.");
        }
        INDArray kernel = context.kernels().convolutionWeights(imported, node.imported().getDimOrder());
        if (!Arrays.equals(kernel.shape(), weightShape)) {
            throw new ConversionException(node.describe() + ": its kernel in " + context.weightsFile() + " is "
                    + Arrays.toString(kernel.shape()) + " (out, in, rows, columns) but the architecture implies "
                    + Arrays.toString(weightShape) + ". The weights do not belong to this architecture.");
        }
        List<INDArray> weights = new ArrayList<>(List.of(kernel));
        if (((ConvolutionLayer) node.imported().getLayer()).hasBias()) {
            INDArray bias = node.importedWeights().get("b");
            if (bias == null || bias.length() != weightShape[0]) {
                throw new ConversionException(node.describe() + ": its bias in " + context.weightsFile() + " has "
                        + (bias == null ? "no values" : Arrays.toString(bias.shape())) + " where the architecture "
                        + "implies " + weightShape[0] + " values. The weights do not belong to this architecture.");
            }
            weights.add(bias.reshape(weightShape[0]));
        }
        return weights;
    }
}
