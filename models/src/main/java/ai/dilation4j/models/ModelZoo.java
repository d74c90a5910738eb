package ai.dilation4j.models;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ai.dilation4j.converter.CaffeConverter;
import ai.dilation4j.converter.ConversionOptions;
import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.models.download.Download;
import ai.dilation4j.models.download.DownloadFailedException;
import ai.dilation4j.models.download.Downloader;
import ai.dilation4j.models.download.Failure;
import ai.dilation4j.models.download.Source;
import ai.dilation4j.models.download.Sources;
import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.ModelFileException;
import ai.dilation4j.runtime.io.Sha256;
import ai.dilation4j.runtime.model.SegmentationModel;

/**
 * The pretrained DilatedNet models, fetched on first use: the caffemodel comes from the first source that delivers it
 * (the official server, the Internet Archive's copy, then the mirrors), is verified (against its published SHA-256,
 * else against the first one this cache accepted for the preset), converted against the deploy prototxt bundled in
 * this jar, and cached as a dilation4j model. Immutable and safe for concurrent use; two processes fetching one preset
 * wait for each other.
 *
 * <pre>{@code
 * try (SegmentationModel model = ModelZoo.standard().load("pascal_voc")) { ... }
 * ModelZoo offline = ModelZoo.builder().offline(true).build();   // never touches the network
 * }</pre>
 */
public final class ModelZoo {

    public static final String MIRRORS_ENVIRONMENT = "DILATION4J_MIRRORS";
    public static final String OFFLINE_ENVIRONMENT = "DILATION4J_OFFLINE";
    /**
     * Replaces the official server's base URL ({@code http://dl.yf.io/dilation/models/}), e.g. for a private copy of
     * it or a test; the Internet Archive's copy of the official server is then not tried.
     */
    public static final String OFFICIAL_BASE_PROPERTY = "dilation4j.weights.base";
    /** Preset files of your own (JSON, as the bundled ones; comma separated paths) added to the bundled presets. */
    public static final String EXTRA_PRESETS_PROPERTY = "dilation4j.presets";

    private static final Logger LOG = LoggerFactory.getLogger(ModelZoo.class);

    private final ModelCache cache;
    private final boolean offline;
    private final List<URI> mirrors;
    private final ZooListener listener;
    private final boolean acceptChangedWeights;
    private final List<ModelPreset> presets;
    private final URI officialBase;
    private final Duration connectTimeout;
    private final Duration stallTimeout;

    private ModelZoo(Builder builder) {
        this.cache = builder.cache;
        this.offline = builder.offline;
        this.mirrors = List.copyOf(builder.mirrors);
        this.listener = builder.listener;
        this.acceptChangedWeights = builder.acceptChangedWeights;
        this.presets = List.copyOf(builder.presets);
        this.officialBase = builder.officialBase;
        this.connectTimeout = builder.connectTimeout;
        this.stallTimeout = builder.stallTimeout;
    }

    /**
     * The zoo as this process is configured: the cache of {@link ModelCache#standard()}, mirrors from
     * {@value #MIRRORS_ENVIRONMENT} ({@code URL,URL}), offline when {@value #OFFLINE_ENVIRONMENT} is {@code 1} or
     * {@code true}.
     */
    public static ModelZoo standard() {
        return builder().build();
    }

    /** A builder starting from the {@link #standard()} settings. */
    public static Builder builder() {
        return new Builder();
    }

    public ModelCache cache() {
        return cache;
    }

    public List<ModelPreset> presets() {
        return presets;
    }

    /** A preset by short name or model name. */
    public Optional<ModelPreset> preset(String name) {
        return ModelRegistry.find(presets, name);
    }

    /** Loads a model file, or the model of a preset, fetching the preset on first use. */
    public SegmentationModel load(String presetOrFile) throws DilationException {
        return SegmentationModel.load(resolve(presetOrFile));
    }

    /** An existing model file as given, or the model file of a preset, fetched on first use. */
    public Path resolve(String presetOrFile) throws DilationException {
        Path file = Path.of(presetOrFile);
        if (preset(presetOrFile).isEmpty() || Files.isRegularFile(file)) {
            if (!Files.isRegularFile(file)) {
                throw new ModelFileException("Model file " + presetOrFile + " does not exist, and '" + presetOrFile
                        + "' is not a preset (" + ModelRegistry.names(presets) + "). Give a model file written by "
                        + "`dilation4j convert`, or a preset name.");
            }
            return file;
        }
        return modelFile(presetOrFile);
    }

    /** The converted model of a preset: fetched, verified and converted on first use, then taken from the cache. */
    public Path modelFile(String preset) throws DilationException {
        return fetch(preset, Optional.empty()).model();
    }

    /**
     * Makes sure a preset's model is in the cache. With {@code weights} (a URL, or the path of a caffemodel you have)
     * that file is verified, converted and cached, replacing the cached model; without, the model is fetched from the
     * preset's sources unless it is cached already.
     */
    public FetchedModel fetch(String presetName, Optional<String> weights) throws DilationException {
        ModelPreset preset = preset(presetName).orElseThrow(() -> new ModelFileException("Unknown preset '"
                + presetName + "'. Known presets: " + ModelRegistry.names(presets) + "."));
        Path model = cache.modelFile(preset);
        if (weights.isEmpty() && Files.isRegularFile(model)) {
            return new FetchedModel(preset, model, Optional.empty());
        }
        List<Source> sources = weights.isPresent() ? List.of(Sources.parse(weights.get())) : sources(preset);
        if (offline && sources.stream().allMatch(Source::isNetwork)) {
            throw unavailable(preset, sources.stream().map(s -> new Failure(s, "offline")).toList());
        }
        List<Path> created = missingDirectories(cache.directory(preset));
        boolean fetched = false;
        try (PresetLock lock = PresetLock.acquire(cache.lockFile(preset),
                () -> listener.message("Waiting for another fetch of " + preset.name() + " to finish..."))) {
            if (weights.isEmpty() && Files.isRegularFile(model)) {
                fetched = true;
                return new FetchedModel(preset, model, Optional.empty());
            }
            Files.createDirectories(cache.directory(preset));
            FetchedModel result = fetchLocked(preset, sources, model);
            fetched = true;
            return result;
        } catch (IOException e) {
            throw new ModelFetchException("Cannot fetch preset " + preset.name() + " into " + cache.root() + ": " + e
                    + ". Check that the cache directory is writable.", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ModelFetchException("The fetch of preset " + preset.name() + " was interrupted.", e);
        } finally {
            if (!fetched) {
                deleteIfEmpty(created);
            }
        }
    }

    /** What {@link #fetch} did: the model, and the download it was converted from (empty when it was cached). */
    public record FetchedModel(ModelPreset preset, Path model, Optional<Download> download) {
    }

    private FetchedModel fetchLocked(ModelPreset preset, List<Source> sources, Path model)
            throws DilationException, IOException, InterruptedException {
        Path target = cache.download(preset);
        listener.message("Fetching " + preset.weightsFile() + " for preset " + preset.name() + " ("
                + preset.knownWeightsSize().stream().mapToObj(ModelZoo::megabytes).findFirst().orElse("size not known")
                + "); sources, in order: " + sources.stream().map(Source::toString).collect(Collectors.joining(", ")));
        Download download;
        try {
            download = downloader().fetch(sources, target, preset.knownWeightsSha256());
        } catch (DownloadFailedException e) {
            throw unavailable(preset, e.failures());
        }
        try {
            listener.message(String.format(Locale.ROOT, "Got %s from %s: %s, SHA-256 %s", preset.weightsFile(),
                    download.source(), megabytes(download.size()), download.sha256()));
            Optional<String> trusted = preset.knownWeightsSha256().isPresent() ? Optional.empty() : recordedSha256(preset);
            if (trusted.isPresent() && !trusted.get().equalsIgnoreCase(download.sha256()) && !acceptChangedWeights) {
                throw new ModelFetchException("The " + preset.weightsFile() + " from " + download.source()
                        + " has SHA-256 " + download.sha256() + ", but the first one this cache accepted for preset "
                        + preset.name() + " had " + trusted.get() + " (recorded in " + cache.weightsRecord(preset)
                        + "). It was not used, and is deleted. If you trust the new file, run `dilation4j fetch "
                        + preset.name() + " --accept-new-weights` (in Java: ModelZoo.builder()"
                        + ".acceptChangedWeights(true)).");
            }
            convert(preset, download, model);
            record(preset, download);
            return new FetchedModel(preset, model, Optional.of(download));
        } finally {
            Files.deleteIfExists(download.file());
        }
    }

    private void convert(ModelPreset preset, Download download, Path model) throws DilationException, IOException {
        Path prototxt = Files.createTempFile(cache.directory(preset), "." + preset.modelName(), "_deploy.prototxt");
        try {
            Files.write(prototxt, pinnedPrototxt(preset));
            listener.message("Converting " + preset.weightsFile() + " against the bundled "
                    + preset.modelName() + "_deploy.prototxt");
            long started = System.nanoTime();
            try {
                new CaffeConverter().convertTo(prototxt, download.file(), ConversionOptions.builder()
                        .preset(preset.name(), preset.dataset()).name(preset.modelName())
                        .progress(listener::conversion).build(), model);
            } catch (ConversionException e) {
                throw new ModelFetchException("The " + preset.weightsFile() + " from " + download.source()
                        + " (SHA-256 " + download.sha256() + ") does not convert against the pinned deploy prototxt of "
                        + preset.name() + ": " + e.getMessage() + " It was not accepted, and is deleted.", e);
            }
            LOG.info("Converted {} in {} ms", preset.name(), (System.nanoTime() - started) / 1_000_000);
        } finally {
            Files.deleteIfExists(prototxt);
        }
    }

    /** The bundled prototxt, checked against its pinned SHA-256 (a jar repacked with another one fails here). */
    static byte[] pinnedPrototxt(ModelPreset preset) throws IOException {
        byte[] bytes;
        try (InputStream in = preset.prototxt().openStream()) {
            bytes = in.readAllBytes();
        }
        String sha256 = Sha256.of(bytes);
        if (!sha256.equalsIgnoreCase(preset.prototxtSha256())) {
            throw new IOException("The deploy prototxt of preset " + preset.name() + " (" + preset.prototxt()
                    + ") has SHA-256 " + sha256 + " instead of the pinned " + preset.prototxtSha256()
                    + "; the installation is damaged");
        }
        return bytes;
    }

    private Optional<String> recordedSha256(ModelPreset preset) throws IOException {
        Path record = cache.weightsRecord(preset);
        if (!Files.isRegularFile(record) || Files.size(record) > 4096) {
            return Optional.empty();
        }
        String[] fields = Files.readString(record, StandardCharsets.US_ASCII).strip().split("\\s+");
        return fields.length > 0 && fields[0].matches("[0-9a-fA-F]{64}") ? Optional.of(fields[0]) : Optional.empty();
    }

    /** Records the SHA-256 of the caffemodel the cached model came from (sha256sum's format), atomically. */
    private void record(ModelPreset preset, Download download) throws IOException {
        Path record = cache.weightsRecord(preset);
        Path partial = record.resolveSibling(record.getFileName() + ".partial");
        Files.writeString(partial, download.sha256() + "  " + preset.weightsFile() + "\n", StandardCharsets.US_ASCII);
        Files.move(partial, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private Downloader downloader() {
        AtomicReference<Source> announced = new AtomicReference<>();
        return Downloader.builder()
                .offline(offline)
                .connectTimeout(connectTimeout)
                .stallTimeout(stallTimeout)
                .progress((source, done, total, bytesPerSecond) -> {
                    if (announced.getAndSet(source) != source) {
                        listener.message("Downloading from " + source
                                + (total >= 0 ? ", " + megabytes(total) : ""));
                    }
                    listener.download(source, done, total, bytesPerSecond);
                })
                .build();
    }

    private List<Source> sources(ModelPreset preset) {
        // The Internet Archive keeps copies of dl.yf.io, not of a base URL given instead of it.
        return officialBase == null ? Sources.forWeights(preset.weightsUrl(), true, mirrors, Optional.empty())
                : Sources.forWeights(officialBase.resolve(preset.weightsFile()), false, mirrors, Optional.empty());
    }

    private ModelFetchException unavailable(ModelPreset preset, List<Failure> failures) {
        StringBuilder message = new StringBuilder("Cannot fetch ").append(preset.weightsFile())
                .append(" for preset ").append(preset.name()).append(offline ? " (offline)" : "").append(":");
        for (Failure failure : failures) {
            message.append("\n  ").append(failure);
        }
        message.append("\nIf you have the file, import it with `dilation4j fetch ").append(preset.name())
                .append(" --weights FILE`; or add a mirror serving ").append(preset.weightsFile())
                .append(" with --mirror BASE_URL (or ").append(MIRRORS_ENVIRONMENT).append("=URL,URL).");
        return new ModelFetchException(message.toString());
    }

    private static String megabytes(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** The directories {@code dir} and its missing parents that a fetch would create, deepest first. */
    private static List<Path> missingDirectories(Path dir) {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(p);
        }
        return missing;
    }

    private static void deleteIfEmpty(List<Path> directories) {
        for (Path directory : directories) {
            try {
                Files.deleteIfExists(directory);
            } catch (IOException notEmpty) {
                return;  // something else lives there now: keep it and its parents
            }
        }
    }

    /** Settings of a zoo; starts from {@link ModelZoo#standard()}'s. */
    public static final class Builder {
        private ModelCache cache = ModelCache.standard();
        private boolean offline = isSet(System.getenv(OFFLINE_ENVIRONMENT));
        private List<URI> mirrors = parseMirrors(System.getenv(MIRRORS_ENVIRONMENT));
        private ZooListener listener = ZooListener.NONE;
        private boolean acceptChangedWeights;
        private List<ModelPreset> presets = withExtraPresets(System.getProperty(EXTRA_PRESETS_PROPERTY));
        private URI officialBase = Optional.ofNullable(System.getProperty(OFFICIAL_BASE_PROPERTY))
                .filter(s -> !s.isBlank()).map(Builder::directoryUri).orElse(null);
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration stallTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        public Builder cache(Path root) {
            this.cache = new ModelCache(root);
            return this;
        }

        /** Never touch the network: only the cache and local files. */
        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        /** Mirrors serving the caffemodels under their official names ({@code BASE_URL/dilation8_pascal_voc.caffemodel}). */
        public Builder mirrors(List<URI> mirrorBases) {
            this.mirrors = List.copyOf(mirrorBases);
            return this;
        }

        public Builder listener(ZooListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /** Accept a caffemodel whose SHA-256 differs from the first one this cache accepted for the preset. */
        public Builder acceptChangedWeights(boolean accept) {
            this.acceptChangedWeights = accept;
            return this;
        }

        /** The presets this zoo knows, instead of the bundled ones (e.g. a preset of your own, or a small test one). */
        public Builder presets(List<ModelPreset> presets) {
            this.presets = List.copyOf(presets);
            return this;
        }

        /** Where the official caffemodels are, instead of dl.yf.io; the Internet Archive's copy is then not tried. */
        public Builder officialBase(URI base) {
            this.officialBase = base == null ? null : directoryUri(base.toString());
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /** How long a download may receive nothing before that source counts as failed. */
        public Builder stallTimeout(Duration timeout) {
            this.stallTimeout = timeout;
            return this;
        }

        public ModelZoo build() {
            return new ModelZoo(this);
        }

        /** {@code URL,URL} as {@value #MIRRORS_ENVIRONMENT} holds it. */
        public static List<URI> parseMirrors(String commaSeparated) {
            return parseList(commaSeparated).stream().map(URI::create).toList();
        }

        private static List<ModelPreset> withExtraPresets(String commaSeparatedFiles) {
            List<ModelPreset> presets = new ArrayList<>(ModelRegistry.presets());
            for (String file : parseList(commaSeparatedFiles)) {
                try {
                    presets.add(ModelRegistry.read(Path.of(file).toUri().toURL()));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            return presets;
        }

        private static List<String> parseList(String commaSeparated) {
            if (commaSeparated == null || commaSeparated.isBlank()) {
                return List.of();
            }
            return Arrays.stream(commaSeparated.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }

        private static boolean isSet(String flag) {
            return flag != null && (flag.equals("1") || flag.equalsIgnoreCase("true"));
        }

        private static URI directoryUri(String base) {
            return URI.create(base.endsWith("/") ? base : base + "/");
        }
    }
}
