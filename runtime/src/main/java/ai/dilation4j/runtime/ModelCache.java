package ai.dilation4j.runtime;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import ai.dilation4j.models.ModelPreset;
import ai.dilation4j.models.ModelRegistry;

/**
 * Where fetched and converted preset models live: {@code <root>/<preset>/}, root {@code ~/.cache/dilation4j} unless
 * the environment variable {@value #ENVIRONMENT} (or the system property {@value #PROPERTY}) names another.
 */
public final class ModelCache {

    public static final String ENVIRONMENT = "DILATION4J_CACHE";
    public static final String PROPERTY = "dilation4j.cache";
    public static final String MODEL_FILE = "model.zip";

    private final Path root;

    public ModelCache(Path root) {
        this.root = root.toAbsolutePath();
    }

    /** The cache configured for this process (system property, then environment, then the default). */
    public static ModelCache standard() {
        String configured = Optional.ofNullable(System.getProperty(PROPERTY)).orElse(System.getenv(ENVIRONMENT));
        if (configured != null && !configured.isBlank()) {
            return new ModelCache(Path.of(configured));
        }
        return new ModelCache(Path.of(System.getProperty("user.home"), ".cache", "dilation4j"));
    }

    public Path root() {
        return root;
    }

    /** The directory holding a preset's downloads and converted model. */
    public Path directory(ModelPreset preset) {
        return root.resolve(preset.name());
    }

    /** The converted model of a preset (which may not exist yet). */
    public Path modelFile(ModelPreset preset) {
        return directory(preset).resolve(MODEL_FILE);
    }

    /**
     * Resolves a {@code --model} argument: an existing file, or a preset name whose model has been fetched.
     */
    public Path resolve(String model) throws ModelFileException {
        Path file = Path.of(model);
        if (Files.isRegularFile(file)) {
            return file;
        }
        Optional<ModelPreset> preset = ModelRegistry.find(model);
        if (preset.isPresent()) {
            Path cached = modelFile(preset.get());
            if (Files.isRegularFile(cached)) {
                return cached;
            }
            throw new ModelFileException("Preset '" + preset.get().name() + "' has not been fetched into " + root
                    + ". Run `dilation4j fetch " + preset.get().name() + "` first, or give a model file.");
        }
        throw new ModelFileException("Model file " + model + " does not exist, and '" + model + "' is not a preset ("
                + ModelRegistry.names() + "). Give a model file written by `dilation4j convert`, or a preset fetched "
                + "with `dilation4j fetch`.");
    }
}
