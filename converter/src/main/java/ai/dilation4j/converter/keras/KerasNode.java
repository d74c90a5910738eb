package ai.dilation4j.converter.keras;

import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.deeplearning4j.nn.conf.layers.Layer;
import org.deeplearning4j.nn.modelimport.keras.KerasLayer;
import org.nd4j.linalg.api.ndarray.INDArray;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.api.UnsupportedLayerException;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.converter.graph.GraphBuildContext;

/**
 * One Keras layer to map: its configuration as the file declares it, what modelimport made of it (the DL4J layer
 * configuration and the weights), and the same layer as the graph builder's node, named after the layer, typed with
 * its Keras class, reading the blobs of its inbound layers and producing the blob of its own name.
 */
record KerasNode(KerasArchitecture.LayerSpec spec, KerasLayer imported, LayerParameter asLayer) {

    static KerasNode of(KerasArchitecture.LayerSpec spec, KerasLayer imported, List<String> inbound) {
        LayerParameter layer = LayerParameter.newBuilder()
                .setName(spec.name())
                .setType(spec.className())
                .addAllBottom(inbound)
                .addTop(spec.name())
                .build();
        return new KerasNode(spec, imported, layer);
    }

    String name() {
        return spec.name();
    }

    String describe() {
        return GraphBuildContext.describe(asLayer);
    }

    /** The DL4J layer configuration modelimport built, of the type the mapper expects. */
    <T extends Layer> T dl4jLayer(Class<T> type) throws ConversionException {
        Layer layer = imported == null ? null : imported.getLayer();
        if (!type.isInstance(layer)) {
            throw new ConversionException(describe() + ": modelimport produced "
                    + (layer == null ? "no DL4J layer" : "a " + layer.getClass().getSimpleName())
                    + " where dilation4j expects a " + type.getSimpleName() + ". Please report this with the model.");
        }
        return type.cast(layer);
    }

    /** The weights modelimport read for the layer, by DL4J parameter name ({@code W}, {@code b}). */
    Map<String, INDArray> importedWeights() {
        Map<String, INDArray> weights = imported == null ? null : imported.getWeights();
        return weights == null ? Map.of() : weights;
    }

    /** Refuses a layer option dilation4j does not map, naming the option and what is supported. */
    UnsupportedLayerException unsupported(String what) {
        return new UnsupportedLayerException(describe() + " " + what);
    }

    Optional<String> textField(String field) {
        return spec.field(field).map(value -> value.asText());
    }
}
