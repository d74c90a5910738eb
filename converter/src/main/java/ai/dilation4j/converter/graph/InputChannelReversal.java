package ai.dilation4j.converter.graph;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.transforms.custom.Reverse;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.runtime.nn.caffe.CaffeCropVertex;
import ai.dilation4j.runtime.nn.conv.GemmConvolutionLayer;

/**
 * Turns a network trained on RGB images into one that takes BGR, the order every dilation4j model takes, without
 * touching the runtime's preprocessing: a convolution that reads input channel {@code c} of an RGB image reads
 * channel {@code 2 - c} of the BGR image, so reversing the input-channel axis of its kernel ({@code W} =
 * {@code [out, in, kh, kw]}) gives the same outputs from BGR input. Every layer that reads the input's values must be
 * such a convolution; a crop's reference input only lends its shape, which the order does not change.
 */
public final class InputChannelReversal {

    /** Convolutions whose kernel is {@code [out, in, kh, kw]} with every output reading every input. */
    private static final Set<Class<?>> DENSE_CONVOLUTIONS = Set.of(ConvolutionLayer.class, GemmConvolutionLayer.class);
    private static final String KERNEL = "W";

    private final List<String> convolutions;

    private InputChannelReversal(List<String> convolutions) {
        this.convolutions = List.copyOf(convolutions);
    }

    /**
     * Finds the convolutions to reverse, before anything is allocated.
     *
     * @param input      the graph's input vertex
     * @param inputShape its shape, which must have 3 channels
     * @throws ConversionException if the input has not 3 channels or a layer other than a plain convolution reads it
     */
    public static InputChannelReversal plan(ComputationGraphConfiguration configuration, String input,
                                            FeatureShape inputShape) throws ConversionException {
        String refusal = "Input order RGB: dilation4j converts an RGB network by reversing the input channels of the "
                + "convolutions that read the image";
        if (inputShape.channels() != 3) {
            throw new ConversionException(refusal + ", but the input '" + input + "' has " + inputShape.channels()
                    + " channels, not 3. Convert it with the input order BGR.");
        }
        List<String> convolutions = new ArrayList<>();
        for (Map.Entry<String, List<String>> reader : configuration.getVertexInputs().entrySet()) {
            List<String> inputs = reader.getValue();
            int slot = inputs.indexOf(input);
            if (slot < 0) {
                continue;
            }
            GraphVertex vertex = configuration.getVertices().get(reader.getKey());
            if (vertex instanceof CaffeCropVertex && slot == 1 && inputs.lastIndexOf(input) == 1) {
                continue; // the reference of a crop: its shape is read, not its values
            }
            Object layer = vertex instanceof LayerVertex layerVertex ? layerVertex.getLayerConf().getLayer() : vertex;
            if (!DENSE_CONVOLUTIONS.contains(layer.getClass())) {
                throw new ConversionException(refusal + ", but '" + reader.getKey() + "' ("
                        + layer.getClass().getSimpleName() + ") reads the input '" + input + "'. The input must "
                        + "feed convolutions only (not depthwise ones); convert with the input order BGR otherwise.");
            }
            convolutions.add(reader.getKey());
        }
        if (convolutions.isEmpty()) {
            throw new ConversionException(refusal + ", but no convolution reads the input '" + input + "'.");
        }
        return new InputChannelReversal(convolutions);
    }

    /** The vertices whose input channels are reversed. */
    public List<String> convolutions() {
        return convolutions;
    }

    /** Reverses the input channels of the planned convolutions of the graph, once its weights are loaded. */
    public void apply(ComputationGraph graph) {
        for (String vertex : convolutions) {
            INDArray kernel = graph.getLayer(vertex).getParam(KERNEL);
            INDArray reversed = Nd4j.createUninitialized(kernel.dataType(), kernel.shape());
            Nd4j.exec(new Reverse(kernel.dup(), reversed, 1));
            kernel.assign(reversed);
        }
    }

    /** What the conversion did, for the model's metadata. */
    public String note() {
        return "trained on RGB input: the input channels of " + String.join(", ", convolutions)
                + " were reversed, so the model takes BGR";
    }
}
