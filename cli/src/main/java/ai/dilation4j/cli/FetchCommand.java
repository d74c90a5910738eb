package ai.dilation4j.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

import ai.dilation4j.converter.CaffeConverter;
import ai.dilation4j.converter.ConversionOptions;
import ai.dilation4j.models.ModelPreset;
import ai.dilation4j.runtime.ModelCache;
import ai.dilation4j.runtime.ModelFile;
import ai.dilation4j.runtime.SegmentationModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "fetch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Download a preset's official deploy prototxt and caffemodel, verify them, convert them and "
                + "keep the model in the cache, so that `--model PRESET` works in the other commands.",
                "Downloads go to <file>.partial and get their real name only when complete and verified (length, "
                        + "and SHA-256 where known), so an interrupted download is never taken for a complete one."})
final class FetchCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "PRESET", description = "pascal_voc, camvid, kitti or cityscapes.")
    String presetName;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Cache directory (default: $DILATION4J_CACHE, else ~/.cache/dilation4j).")
    Path cacheDir;

    @Option(names = "--prototxt-url", paramLabel = "URL", description = "Download the prototxt from here instead.")
    URI prototxtUrl;

    @Option(names = "--weights-url", paramLabel = "URL", description = "Download the caffemodel from here instead.")
    URI weightsUrl;

    @Option(names = "--weights-sha256", paramLabel = "HEX",
            description = "Expected SHA-256 of the caffemodel (default: the published one, where known).")
    String weightsSha256;

    @Option(names = "--force", description = "Download and convert again even if the files are cached.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        ModelPreset preset = PresetOption.find(presetName);
        ModelCache cache = cacheDir == null ? ModelCache.standard() : new ModelCache(cacheDir);
        Path dir = cache.directory(preset);
        Path prototxt = dir.resolve(preset.modelName() + "_deploy.prototxt");
        Path weights = dir.resolve(preset.modelName() + ".caffemodel");
        Path model = cache.modelFile(preset);
        ConsoleProgress progress = new ConsoleProgress(spec.commandLine().getErr());
        Downloader downloader = new Downloader();
        String expected = weightsSha256 != null ? weightsSha256 : preset.knownWeightsSha256().orElse(null);

        if (force || !Files.isRegularFile(prototxt)) {
            downloader.download(prototxtUrl != null ? prototxtUrl : URI.create(preset.prototxtUrl()), prototxt, null,
                    progress);
        }
        if (force || !Files.isRegularFile(weights)) {
            downloader.download(weightsUrl != null ? weightsUrl : URI.create(preset.weightsUrl()), weights, expected,
                    progress);
        }
        if (force || !Files.isRegularFile(model)) {
            try (SegmentationModel converted = new CaffeConverter().convert(prototxt, weights,
                    ConversionOptions.builder().preset(preset).progress(progress).build())) {
                if (expected != null) {
                    String actual = converted.metadata().sources().get(1).sha256();
                    if (!expected.equalsIgnoreCase(actual)) {
                        throw new ai.dilation4j.runtime.DilationException("Cached " + weights + " has SHA-256 "
                                + actual + ", not " + expected + ". Run `dilation4j fetch " + preset.name()
                                + " --force`.");
                    }
                }
                progress.step("Saving " + model);
                ModelFile.write(converted.graph(), converted.metadata(), model);
            }
        }
        spec.commandLine().getOut().printf("%s is ready: %s%nUse it with --model %s%n", preset.modelName(), model,
                preset.name());
        return 0;
    }
}
