package ai.dilation4j.converter.keras;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import ai.dilation4j.converter.api.ConversionException;

/**
 * A Keras model configuration (what {@code model.to_json()} returns and a full-model file keeps in its
 * {@code model_config} attribute), read far enough to check it before modelimport builds anything: the model class,
 * each layer's name, class and configuration, and the Keras version and backend it records.
 */
final class KerasArchitecture {

    /** One layer as the configuration declares it. */
    record LayerSpec(String name, String className, JsonNode config) {

        /** A field of the layer's {@code config}, if present and not null. */
        Optional<JsonNode> field(String name) {
            JsonNode value = config.get(name);
            return value == null || value.isNull() ? Optional.empty() : Optional.of(value);
        }

        String describe() {
            return "Layer '" + name + "' (" + className + ")";
        }

        /**
         * Whether the layer orders images channels first, as its {@code data_format} (Keras 2) or
         * {@code dim_ordering} (Keras 1) says; empty for layers without either.
         */
        Optional<Boolean> channelsFirst() {
            return field("data_format").or(() -> field("dim_ordering"))
                    .map(JsonNode::asText)
                    .filter(order -> List.of("channels_first", "th", "channels_last", "tf").contains(order))
                    .map(order -> order.equals("channels_first") || order.equals("th"));
        }
    }

    static final long MAX_JSON_BYTES = 16L << 20;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode root;
    private final String modelClass;
    private final List<LayerSpec> layers;

    private KerasArchitecture(ObjectNode root, String modelClass, List<LayerSpec> layers) {
        this.root = root;
        this.modelClass = modelClass;
        this.layers = List.copyOf(layers);
    }

    /** Parses a model configuration; {@code source} names where it came from, for messages. */
    static KerasArchitecture parse(String json, String source) throws ConversionException {
        JsonNode parsed;
        try {
            parsed = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ConversionException(source + " is not valid JSON (" + e.getOriginalMessage() + "). Give the "
                    + "architecture Keras wrote with model.to_json().");
        }
        if (!(parsed instanceof ObjectNode root) || !root.path("class_name").isTextual()) {
            throw new ConversionException(source + " is not a Keras model configuration: it has no \"class_name\". "
                    + "Give the architecture Keras wrote with model.to_json().");
        }
        String modelClass = root.get("class_name").asText();
        JsonNode config = root.path("config");
        // Keras 1 and Keras 2 before 2.2.3 write a Sequential model's layers as the config itself.
        JsonNode layerList = config.isArray() ? config : config.path("layers");
        if (!List.of("Sequential", "Model", "Functional").contains(modelClass) || !layerList.isArray()
                || layerList.isEmpty()) {
            throw new ConversionException(source + " describes a Keras '" + modelClass + "' without a layer list; "
                    + "dilation4j imports Sequential and functional (Model) networks.");
        }
        List<LayerSpec> layers = new ArrayList<>();
        for (JsonNode layer : layerList) {
            JsonNode layerConfig = layer.path("config");
            String className = layer.path("class_name").asText("");
            String name = layerConfig.path("name").asText(layer.path("name").asText(""));
            if (className.isEmpty() || name.isEmpty() || !layerConfig.isObject()) {
                throw new ConversionException(source + ": layer " + (layers.size() + 1) + " has no class_name, name "
                        + "or config; the configuration is damaged.");
            }
            layers.add(new LayerSpec(name, className, layerConfig));
        }
        return new KerasArchitecture(root, modelClass, layers);
    }

    boolean sequential() {
        return modelClass.equals("Sequential");
    }

    List<LayerSpec> layers() {
        return layers;
    }

    /** The Keras version the configuration records ({@code to_json} writes it), if any. */
    Optional<String> kerasVersion() {
        return text("keras_version");
    }

    /** The backend the configuration records, if any. */
    Optional<String> backend() {
        return text("backend");
    }

    /**
     * The configuration as modelimport reads it: with the Keras version and backend that a full-model file keeps
     * beside it, since modelimport decides field names and dimension order from them.
     */
    String forModelImport(String kerasVersion, String backend) {
        ObjectNode copy = root.deepCopy();
        copy.put("keras_version", kerasVersion);
        if (backend != null) {
            copy.put("backend", backend);
        }
        return copy.toString();
    }

    private Optional<String> text(String field) {
        JsonNode value = root.get(field);
        return value != null && value.isTextual() && !value.asText().isEmpty()
                ? Optional.of(value.asText()) : Optional.empty();
    }
}
