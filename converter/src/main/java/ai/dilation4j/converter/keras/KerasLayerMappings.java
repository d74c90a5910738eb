package ai.dilation4j.converter.keras;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import ai.dilation4j.converter.api.UnsupportedLayerException;

/**
 * Which mapper imports which Keras layer class; the graph it builds is the one the Caffe converter builds for the
 * same network (NCHW input, {@code GemmConvolutionLayer}s, the per-pixel softmax), so the runtime runs both alike.
 *
 * <pre>
 * Keras class                          DL4J
 * InputLayer                           network input, NCHW (the Keras input shape, reordered)
 * Convolution2D, AtrousConvolution2D   GemmConvolutionLayer, NCHW; dilation from atrous_rate (Keras 1) or
 *   (Keras 1), Conv2D (Keras 2)          dilation_rate (Keras 2); 'valid' (and Keras 1 'full') as explicit padding,
 *                                        'same' as explicit symmetric padding (odd dilated kernels, stride 1);
 *                                        activation linear or relu fused; kernels permuted (and flipped for Theano)
 *                                        to [out, in, kh, kw]
 * MaxPooling2D                         SubsamplingLayer MAX, Truncate: Keras's 'valid' output size rounds down
 *                                        (Caffe's rounds up); 'same' only where it needs no padding
 * ZeroPadding2D                        ZeroPaddingLayer, NCHW
 * UpSampling2D                         Upsampling2D, NCHW (interpolation 'nearest'; 'bilinear' is refused)
 * Dropout                              identity (no vertex)
 * Activation                           linear: identity; relu: ActivationLayer RELU; softmax: the per-pixel softmax
 *                                        (CnnLossLayer MCXENT SOFTMAX) when its last axis holds the channels
 * ReLU (Keras 2)                       ActivationLayer RELU, or leaky ReLU with negative_slope (no max_value/threshold)
 * Softmax (Keras 2)                    the per-pixel softmax when its axis holds the channels, refused otherwise
 * Reshape                              identity when it only lays the pixels out as rows, (h*w, C) channels last or
 *                                        (C, h*w) channels first, as DilatedNet's head does; refused otherwise
 * </pre>
 *
 * Every layer's graph vertex, and its blob for {@code forward --blobs}, has the Keras layer's name.
 */
final class KerasLayerMappings {

    private final Map<String, KerasLayerMapper> mappers = new TreeMap<>();

    KerasLayerMappings(List<KerasLayerMapper> mappers) {
        for (KerasLayerMapper mapper : mappers) {
            for (String kerasClass : mapper.kerasClasses()) {
                if (this.mappers.put(kerasClass, mapper) != null) {
                    throw new IllegalArgumentException("two mappers for Keras class " + kerasClass);
                }
            }
        }
    }

    static KerasLayerMappings standard() {
        return new KerasLayerMappings(List.of(new InputMapper(), new ConvolutionMapper(), new MaxPoolingMapper(),
                new ZeroPaddingMapper(), new UpSamplingMapper(), new DropoutMapper(), new ActivationMapper(),
                new ReluMapper(), new SoftmaxMapper(), new ReshapeMapper()));
    }

    KerasLayerMapper mapperFor(KerasArchitecture.LayerSpec layer, Object source) throws UnsupportedLayerException {
        KerasLayerMapper mapper = mappers.get(layer.className());
        if (mapper == null) {
            throw new UnsupportedLayerException(layer.describe() + " of " + source + " cannot be imported: dilation4j "
                    + "imports the Keras layer classes " + supportedClasses() + ".");
        }
        return mapper;
    }

    String supportedClasses() {
        return String.join(", ", mappers.keySet());
    }
}
