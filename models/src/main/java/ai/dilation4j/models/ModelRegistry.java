package ai.dilation4j.models;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.InvalidInputException;

/**
 * The four DilatedNet models of Yu &amp; Koltun (ICLR 2016) as published in fyu/dilation, read from one JSON
 * resource per preset under {@code ai/dilation4j/models/presets/} (listed in {@code presets.list}); each names its
 * deploy prototxt, bundled under {@code prototxt/} and pinned to fyu/dilation commit 0f105742. The label margin of 186
 * is the receptive-field half-width of the DilatedNet front end that fyu/dilation's {@code predict.py} pads every
 * image with.
 */
public final class ModelRegistry {

    public static final int DILATED_NET_LABEL_MARGIN = 186;

    private static final String PRESETS_DIRECTORY = "presets/";
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    private static final List<ModelPreset> PRESETS = readBundled();

    private ModelRegistry() {
    }

    /** All bundled presets, in a stable order. */
    public static List<ModelPreset> presets() {
        return PRESETS;
    }

    /** Looks a preset up by its short name ({@code pascal_voc}) or model name ({@code dilation8_pascal_voc}). */
    public static Optional<ModelPreset> find(String name) {
        return find(PRESETS, name);
    }

    static Optional<ModelPreset> find(List<ModelPreset> presets, String name) {
        return presets.stream().filter(p -> p.name().equals(name)).findFirst()
                .or(() -> presets.stream().filter(p -> p.modelName().equals(name)).findFirst());
    }

    /** The preset names, comma separated, for error messages and help texts. */
    public static String names() {
        return names(PRESETS);
    }

    static String names(List<ModelPreset> presets) {
        return presets.stream().map(ModelPreset::name).collect(Collectors.joining(", "));
    }

    /**
     * Reads one preset description; its prototxt is resolved against {@code json}, so a preset file and its prototxt
     * can sit side by side in a directory or a jar.
     *
     * @throws IOException naming the file and what is wrong
     */
    public static ModelPreset read(URL json) throws IOException {
        JsonNode root;
        try (InputStream in = json.openStream()) {
            root = JSON.readTree(in);
        } catch (IOException e) {
            throw new IOException("Preset file " + json + " cannot be read: " + e.getMessage(), e);
        }
        String where = "Preset file " + json;
        try {
            DatasetSpec dataset = DatasetFields.read(root, where);
            ObjectNode presetOnly = ((ObjectNode) root).deepCopy();
            presetOnly.remove(DatasetFields.NAMES.stream().filter(field -> !field.equals("name")).toList());
            PresetJson preset = JSON.treeToValue(presetOnly, PresetJson.class);
            Weights weights = preset.weights();
            return new ModelPreset(preset.name(), preset.modelName(), dataset, preset.inputHeight(),
                    preset.inputWidth(), new URL(json, preset.prototxt().resource()), preset.prototxt().sha256(),
                    weights.file(), weights.size() == null ? -1 : weights.size(), URI.create(weights.url()),
                    weights.sha256());
        } catch (InvalidInputException e) {
            throw new IOException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            throw new IOException(where + " is not valid: " + e.getMessage(), e);
        }
    }

    /** The fields of a preset file that are not dataset fields: where the network comes from and its input size. */
    static List<String> presetOnlyFields() {
        return Arrays.stream(PresetJson.class.getRecordComponents()).map(RecordComponent::getName)
                .filter(field -> !DatasetFields.NAMES.contains(field)).toList();
    }

    private static List<ModelPreset> readBundled() {
        URL list = ModelRegistry.class.getResource(PRESETS_DIRECTORY + "presets.list");
        if (list == null) {
            throw new IllegalStateException("The jar lacks ai/dilation4j/models/presets/presets.list");
        }
        List<ModelPreset> presets = new ArrayList<>();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(list.openStream(),
                StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                String file = line.strip();
                if (!file.isEmpty() && !file.startsWith("#")) {
                    presets.add(read(new URL(list, file)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("The bundled presets cannot be read", e);
        }
        return List.copyOf(presets);
    }

    /** A preset file's fields beside the dataset fields (but its name), which {@link DatasetFields} reads. */
    private record PresetJson(String name, String modelName, int inputHeight, int inputWidth, Prototxt prototxt,
                              Weights weights) {
    }

    private record Prototxt(String resource, String sha256) {
    }

    private record Weights(String file, Long size, String url, String sha256, String sha256Source) {
    }
}
