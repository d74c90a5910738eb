package ai.dilation4j.models;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where fetched and converted preset models live, root {@code ~/.cache/dilation4j} unless the system property
 * {@value #PROPERTY} (or the environment variable {@value #ENVIRONMENT}) names another:
 * <pre>
 * &lt;root&gt;/.&lt;preset&gt;.lock          held while a process fetches the preset (removed when it is done)
 * &lt;root&gt;/&lt;preset&gt;/model.zip       the converted model, moved into place only once complete
 * &lt;root&gt;/&lt;preset&gt;/weights.sha256  SHA-256 of the caffemodel the model was converted from (sha256sum format)
 * &lt;root&gt;/&lt;preset&gt;/&lt;caffemodel&gt;   the download while it runs, and its .partial
 * </pre>
 */
public final class ModelCache {

    public static final String ENVIRONMENT = "DILATION4J_CACHE";
    public static final String PROPERTY = "dilation4j.cache";
    public static final String MODEL_FILE = "model.zip";
    public static final String WEIGHTS_RECORD = "weights.sha256";

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

    /** The directory holding a preset's converted model and its weights record. */
    public Path directory(ModelPreset preset) {
        return root.resolve(preset.name());
    }

    /** The converted model of a preset (which may not exist yet). */
    public Path modelFile(ModelPreset preset) {
        return directory(preset).resolve(MODEL_FILE);
    }

    /** The SHA-256 of the first caffemodel that converted for this preset: trust on first use. */
    public Path weightsRecord(ModelPreset preset) {
        return directory(preset).resolve(WEIGHTS_RECORD);
    }

    /** Where a caffemodel is downloaded to before it is converted. */
    public Path download(ModelPreset preset) {
        return directory(preset).resolve(preset.weightsFile());
    }

    /** The lock file of a preset; beside its directory, so that a failed first fetch can remove the directory. */
    public Path lockFile(ModelPreset preset) {
        return root.resolve("." + preset.name() + ".lock");
    }
}
