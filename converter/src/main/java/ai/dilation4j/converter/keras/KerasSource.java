package ai.dilation4j.converter.keras;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.runtime.SourceFile;
import ai.dilation4j.runtime.io.Sha256;

/**
 * What a Keras model is read from, checked as far as it can be without reading weights: the architecture, the Keras
 * version and backend recorded with it, and the declared weights.
 *
 * @param architecture the model configuration
 * @param kerasVersion the Keras version that wrote it, e.g. {@code "1.2.1"}
 * @param backend      the backend it was trained with, when recorded ({@code "tensorflow"}, {@code "theano"}, ...)
 * @param weightsFile  the HDF5 file holding the weights
 * @param weightsRoot  the group holding one group per layer: {@code model_weights} in a full-model file, the root
 *                     ({@code ""}) in a weights-only one
 * @param layerWeights each layer group of the weights, by layer name
 * @param modelFile    the file that names the model: the full-model file or the architecture JSON
 * @param sources      the files with their sizes and SHA-256s, for the model's metadata
 */
record KerasSource(KerasArchitecture architecture, String kerasVersion, Optional<String> backend, Path weightsFile,
                   String weightsRoot, Map<String, Hdf5Inspection.LayerWeights> layerWeights, Path modelFile,
                   List<SourceFile> sources) {

    static final String MODEL_WEIGHTS = "model_weights";
    private static final long MAX_SHORT_ATTRIBUTE_BYTES = 256;

    /** A full-model file, as {@code model.save()} and Keras's {@code ModelCheckpoint} write it. */
    static KerasSource fullModel(Path file) throws ConversionException {
        try (Hdf5Inspection h5 = Hdf5Inspection.open(file)) {
            String config = h5.stringAttribute("", "model_config", KerasArchitecture.MAX_JSON_BYTES)
                    .orElseThrow(() -> new ConversionException("Keras file " + file + " has no model_config "
                            + "attribute: it holds weights only (model.save_weights). Convert it with its "
                            + "architecture: --keras-json model.json --keras-weights " + file.getFileName() + "."));
            KerasArchitecture architecture = KerasArchitecture.parse(config, "The model_config of " + file);
            if (!h5.hasGroup(MODEL_WEIGHTS)) {
                throw new ConversionException("Keras file " + file + " has a model_config but no model_weights group: "
                        + "it was saved without weights or is damaged.");
            }
            String version = version(h5.stringAttribute("", "keras_version", MAX_SHORT_ATTRIBUTE_BYTES)
                    .or(() -> attribute(h5, MODEL_WEIGHTS, "keras_version"))
                    .or(architecture::kerasVersion), file);
            Optional<String> backend = h5.stringAttribute("", "backend", MAX_SHORT_ATTRIBUTE_BYTES)
                    .or(() -> attribute(h5, MODEL_WEIGHTS, "backend"))
                    .or(architecture::backend);
            Map<String, Hdf5Inspection.LayerWeights> layers = h5.layerWeights(MODEL_WEIGHTS);
            return new KerasSource(architecture, version, backend, file, MODEL_WEIGHTS, layers, file,
                    List.of(h5.digest().asSource("keras", file)));
        }
    }

    /** An architecture JSON ({@code model.to_json()}) and its weights ({@code model.save_weights()}). */
    static KerasSource split(Path architectureJson, Path weights) throws ConversionException {
        byte[] json = readJson(architectureJson);
        KerasArchitecture architecture = KerasArchitecture.parse(new String(json, StandardCharsets.UTF_8),
                "Keras architecture " + architectureJson);
        try (Hdf5Inspection h5 = Hdf5Inspection.open(weights)) {
            // A full-model file also serves as weights: its layer groups are under model_weights.
            String root = h5.hasGroup(MODEL_WEIGHTS) ? MODEL_WEIGHTS : "";
            String version = version(architecture.kerasVersion()
                    .or(() -> attribute(h5, root, "keras_version")), architectureJson);
            Optional<String> backend = architecture.backend().or(() -> attribute(h5, root, "backend"));
            Map<String, Hdf5Inspection.LayerWeights> layers = h5.layerWeights(root);
            return new KerasSource(architecture, version, backend, weights, root, layers, architectureJson,
                    List.of(new SourceDigest(json.length, Sha256.of(json))
                            .asSource("json", architectureJson), h5.digest().asSource("weights", weights)));
        }
    }

    int kerasMajorVersion() {
        return kerasVersion.charAt(0) - '0';
    }

    private static Optional<String> attribute(Hdf5Inspection h5, String group, String name) {
        try {
            return h5.stringAttribute(group, name, MAX_SHORT_ATTRIBUTE_BYTES);
        } catch (ConversionException e) {
            return Optional.empty(); // an optional attribute that cannot be read is as good as absent
        }
    }

    /** The recorded Keras version; files that record none are Keras 1 (before 1.0.8), as modelimport assumes. */
    private static String version(Optional<String> recorded, Path file) throws ConversionException {
        String version = recorded.orElse("1");
        if (!version.startsWith("1") && !version.startsWith("2") || version.length() > 1 && version.charAt(1) != '.') {
            throw new ConversionException(file + " was written by Keras " + version + "; dilation4j imports models "
                    + "of Keras 1.x and 2.x.");
        }
        return version;
    }

    private static byte[] readJson(Path file) throws ConversionException {
        try {
            long size = Files.size(file);
            if (size > KerasArchitecture.MAX_JSON_BYTES) {
                throw new ConversionException("Keras architecture " + file + " is " + size + " bytes, more than the "
                        + KerasArchitecture.MAX_JSON_BYTES + " a model configuration takes; give the JSON of "
                        + "model.to_json().");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ConversionException("Cannot read Keras architecture " + file + ": " + e.getMessage(), e);
        }
    }
}
