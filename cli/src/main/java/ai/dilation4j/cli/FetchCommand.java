package ai.dilation4j.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import ai.dilation4j.converter.CaffeConverter;
import ai.dilation4j.converter.ConversionException;
import ai.dilation4j.converter.ConversionOptions;
import ai.dilation4j.models.ModelPreset;
import ai.dilation4j.runtime.ModelCache;
import ai.dilation4j.runtime.ModelFile;
import ai.dilation4j.runtime.SegmentationModel;
import ai.dilation4j.runtime.SourceFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "fetch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Download a preset's official deploy prototxt and caffemodel, verify them, convert them and "
                + "keep the model in the cache, so that `--model PRESET` works in the other commands.",
                "Downloads are checked against their announced length and, where known, their SHA-256, then "
                        + "converted; only files that passed all of that are kept (with their SHA-256 in "
                        + "<file>.sha256), and a later fetch reuses only such files. A failed fetch leaves "
                        + "nothing behind."})
final class FetchCommand implements Callable<Integer> {

    /** Beside each kept source file: its SHA-256, written once the file has converted successfully. */
    static final String VERIFIED_SUFFIX = ".sha256";

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "PRESET", description = "pascal_voc, camvid, kitti or cityscapes.")
    String presetName;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Cache directory (default: $DILATION4J_CACHE, else ~/.cache/dilation4j).")
    Path cacheDir;

    @Option(names = "--prototxt-url", paramLabel = "URL",
            description = "Take the prototxt from here instead: an http, https or file:/// URL.")
    URI prototxtUrl;

    @Option(names = "--weights-url", paramLabel = "URL",
            description = "Take the caffemodel from here instead: an http, https or file:/// URL (e.g. a "
                    + "caffemodel you already have).")
    URI weightsUrl;

    @Option(names = "--weights-sha256", paramLabel = "HEX",
            description = "Expected SHA-256 of the caffemodel, 64 hex digits (default: the published one, where "
                    + "known).")
    String weightsSha256;

    @Option(names = "--force", description = "Download and convert again even if the files are cached.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        Optional<String> usageError = usageError();
        if (usageError.isPresent()) {
            spec.commandLine().getErr().println("dilation4j fetch: error: " + usageError.get());
            return CommandLine.ExitCode.USAGE;
        }
        ModelPreset preset = PresetOption.find(presetName);
        ModelCache cache = cacheDir == null ? ModelCache.standard() : new ModelCache(cacheDir);
        Path model = cache.modelFile(preset);
        if (force || !Files.isRegularFile(model)) {
            fetch(preset, cache.directory(preset), model);
        }
        spec.commandLine().getOut().printf("%s is ready: %s%nUse it with --model %s%n", preset.modelName(), model,
                preset.name());
        return 0;
    }

    /** What is wrong with the options, checked before anything is created or downloaded. */
    private Optional<String> usageError() {
        if (weightsSha256 != null && !Downloader.isSha256(weightsSha256)) {
            return Optional.of("--weights-sha256 '" + weightsSha256 + "' is not a SHA-256: give its 64 hexadecimal "
                    + "digits, as sha256sum prints them.");
        }
        return unsupported("--prototxt-url", prototxtUrl).or(() -> unsupported("--weights-url", weightsUrl));
    }

    private static Optional<String> unsupported(String option, URI url) {
        try {
            if (url != null) {
                Downloader.checkSupported(url);
            }
        } catch (IllegalArgumentException e) {
            return Optional.of(option + " " + e.getMessage() + ".");
        }
        return Optional.empty();
    }

    /**
     * Brings the preset's sources into {@code dir} and converts them to {@code model}. New files are fetched into a
     * private directory and join the cache only once the conversion has succeeded; on failure they are deleted, as
     * are the directories this call created.
     */
    private void fetch(ModelPreset preset, Path dir, Path model) throws Exception {
        ConsoleProgress progress = new ConsoleProgress(spec.commandLine().getErr());
        String expected = weightsSha256 != null ? weightsSha256.toLowerCase(Locale.ROOT)
                : preset.knownWeightsSha256().orElse(null);
        Path prototxt = dir.resolve(preset.modelName() + "_deploy.prototxt");
        Path weights = dir.resolve(preset.modelName() + ".caffemodel");
        List<Path> createdDirectories = createDirectories(dir);
        Path incoming = null;
        boolean fetched = false;
        try {
            incoming = Files.createTempDirectory(dir, ".fetch-");
            Downloader downloader = new Downloader();
            List<Path> downloaded = new ArrayList<>();
            Path prototxtSource = reuseOrDownload(downloader, prototxt, null,
                    prototxtUrl != null ? prototxtUrl : URI.create(preset.prototxtUrl()), incoming, downloaded,
                    progress);
            Path weightsSource = reuseOrDownload(downloader, weights, expected,
                    weightsUrl != null ? weightsUrl : URI.create(preset.weightsUrl()), incoming, downloaded,
                    progress);
            List<SourceFile> sources;
            try (SegmentationModel converted = new CaffeConverter().convert(prototxtSource, weightsSource,
                    ConversionOptions.builder().preset(preset).progress(progress).build())) {
                progress.step("Saving " + model);
                ModelFile.write(converted.graph(), converted.metadata(), model);
                sources = converted.metadata().sources();
            } catch (ConversionException e) {
                throw downloaded.isEmpty() ? e : new ConversionException(e.getMessage() + " Downloaded files not kept: "
                        + String.join(", ", downloaded.stream().map(p -> p.getFileName().toString()).toList())
                        + ".", e);
            }
            for (Path file : downloaded) {
                keepVerified(file, dir.resolve(file.getFileName()), sources);
            }
            fetched = true;
        } finally {
            if (incoming != null) {
                deleteTree(incoming);
            }
            if (!fetched) {
                deleteIfEmpty(createdDirectories);
            }
        }
    }

    /**
     * The cached {@code file} when an earlier fetch verified it (its recorded SHA-256 still matches, and matches
     * {@code expectedSha256} if given) and {@code --force} is not set; otherwise a fresh download in
     * {@code incoming}, added to {@code downloaded}.
     */
    private Path reuseOrDownload(Downloader downloader, Path file, String expectedSha256, URI url, Path incoming,
                                 List<Path> downloaded, ConsoleProgress progress) throws IOException {
        if (!force && isVerified(file, expectedSha256, progress)) {
            return file;
        }
        Path target = incoming.resolve(file.getFileName());
        String step = "Downloading " + file.getFileName();
        downloader.download(url, target, expectedSha256,
                (received, total) -> progress.progress(step, received, Math.max(total, received)));
        downloaded.add(target);
        return target;
    }

    private static boolean isVerified(Path file, String expectedSha256, ConsoleProgress progress) throws IOException {
        Path record = file.resolveSibling(file.getFileName() + VERIFIED_SUFFIX);
        if (!Files.isRegularFile(file) || !Files.isRegularFile(record) || Files.size(record) > 1024) {
            return false;
        }
        String recorded = Files.readString(record, StandardCharsets.US_ASCII).strip().split("\\s+")[0];
        if (!Downloader.isSha256(recorded) || (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(recorded))) {
            return false;
        }
        progress.step("Checking " + file.getFileName());
        return recorded.equalsIgnoreCase(Downloader.sha256(file));
    }

    /** Moves a converted download into the cache, then records its SHA-256 beside it (sha256sum's format). */
    private static void keepVerified(Path downloaded, Path file, List<SourceFile> sources) throws IOException {
        String name = downloaded.getFileName().toString();
        SourceFile source = sources.stream().filter(s -> s.fileName().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("The model does not record its source " + name));
        Path record = file.resolveSibling(name + VERIFIED_SUFFIX);
        Files.deleteIfExists(record);
        Files.move(downloaded, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Path partialRecord = downloaded.resolveSibling(name + VERIFIED_SUFFIX);
        Files.writeString(partialRecord, source.sha256() + "  " + name + "\n", StandardCharsets.US_ASCII);
        Files.move(partialRecord, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Creates {@code dir} and its missing parents; returns those it created, deepest first. */
    private static List<Path> createDirectories(Path dir) throws IOException {
        List<Path> missing = new ArrayList<>();
        for (Path p = dir.toAbsolutePath(); p != null && !Files.exists(p); p = p.getParent()) {
            missing.add(p);
        }
        Files.createDirectories(dir);
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

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException ignored) {
            // best effort: the fetch's own outcome is what matters
        }
    }
}
