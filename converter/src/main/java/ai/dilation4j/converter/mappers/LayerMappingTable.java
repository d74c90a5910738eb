package ai.dilation4j.converter.mappers;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import ai.dilation4j.converter.api.UnsupportedLayerException;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.graph.LayerMapper;

/**
 * Which mapper converts which Caffe layer type. Adding a type is one {@link LayerMapper} and one line here.
 *
 * <pre>
 * Caffe type      DL4J
 * Convolution     ConvolutionLayer / DepthwiseConvolution2D (group = channels) / block-diagonal ConvolutionLayer
 * Deconvolution   Deconvolution2D (block-diagonal weights when grouped)
 * Pooling         CaffePoolingVertex (MAX, AVE; Caffe's rounded-up output size)
 * ReLU            ActivationLayer RELU / LeakyReLU
 * Dropout         identity (no vertex)
 * Softmax         CnnLossLayer(MCXENT, SOFTMAX): per-pixel softmax over channels
 * Crop            CaffeCropVertex
 * Eltwise         ElementWiseVertex Add (+ ScaleVertex per coefficient) / Product / Max
 * Concat          MergeVertex
 * Input           network input (handled by the prototxt reader)
 * </pre>
 */
public final class LayerMappingTable {

    private final Map<String, LayerMapper> mappers;

    public LayerMappingTable(List<LayerMapper> mappers) {
        this.mappers = mappers.stream().collect(Collectors.toMap(LayerMapper::caffeType, m -> m, (a, b) -> {
            throw new IllegalArgumentException("two mappers for Caffe type " + a.caffeType());
        }, TreeMap::new));
    }

    public static LayerMappingTable standard() {
        return new LayerMappingTable(List.of(new ConvolutionMapper(), new DeconvolutionMapper(), new PoolingMapper(),
                new ReluMapper(), new DropoutMapper(), new SoftmaxMapper(), new CropMapper(), new EltwiseMapper(),
                new ConcatMapper()));
    }

    public LayerMapper mapperFor(LayerParameter layer) throws UnsupportedLayerException {
        LayerMapper mapper = mappers.get(layer.getType());
        if (mapper == null) {
            throw new UnsupportedLayerException("Layer '" + layer.getName() + "' has type '" + layer.getType()
                    + "', which dilation4j cannot convert. Supported types: " + supportedTypes()
                    + ". Remove the layer from the deploy prototxt if it is only used for training.");
        }
        return mapper;
    }

    public String supportedTypes() {
        return String.join(", ", mappers.keySet()) + ", Input";
    }
}
