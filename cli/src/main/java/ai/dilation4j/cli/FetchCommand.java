package ai.dilation4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;

import ai.dilation4j.models.ModelZoo;
import ai.dilation4j.models.download.Download;
import ai.dilation4j.models.download.Sources;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "fetch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Download a preset's caffemodel (or import one you have), verify it, convert it against the "
                + "deploy prototxt bundled with dilation4j (fyu/dilation 0f105742) and keep the model in the cache, "
                + "so that `--model PRESET` works offline. The other commands do the same on first use.",
                "Sources, in order: the official server (dl.yf.io), the Internet Archive's copy, each --mirror. "
                        + "The caffemodel must match its published SHA-256 (cityscapes) or else the one the cache "
                        + "accepted first, and must convert; nothing else is kept."})
final class FetchCommand implements Callable<Integer> {

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "PRESET", description = "pascal_voc, camvid, kitti or cityscapes.")
    String presetName;

    @Option(names = "--weights", paramLabel = "FILE|URL",
            description = "Import this caffemodel instead of downloading: a path, a file: URL, or an http(s) URL.")
    String weights;

    @Option(names = "--accept-new-weights", description = "Accept a caffemodel whose SHA-256 differs from the one "
            + "this cache accepted first for the preset (the fyu/dilation files have no published checksum but "
            + "cityscapes').")
    boolean acceptNewWeights;

    @Option(names = "--cache", paramLabel = "DIR",
            description = "Cache directory (default: $DILATION4J_CACHE, else ~/.cache/dilation4j).")
    Path cacheDir;

    @Mixin
    ZooOptions zooOptions;

    @Override
    public Integer call() throws Exception {
        if (weights != null) {
            try {
                Sources.parse(weights);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println("dilation4j fetch: error: --weights " + e.getMessage() + ".");
                return CommandLine.ExitCode.USAGE;
            }
        }
        ModelZoo zoo = zooOptions.builder(cacheDir).acceptChangedWeights(acceptNewWeights).build();
        ModelZoo.FetchedModel fetched = zoo.fetch(presetName, Optional.ofNullable(weights));
        var out = spec.commandLine().getOut();
        Optional<Download> download = fetched.download();
        if (download.isPresent()) {
            Download d = download.get();
            out.printf(Locale.ROOT, "%s: from %s, %d bytes, SHA-256 %s%n", fetched.preset().weightsFile(),
                    d.source(), d.size(), d.sha256());
            String prototxt = fetched.preset().prototxt().getPath();
            out.printf(Locale.ROOT, "%s: bundled pinned copy (never downloaded), SHA-256 %s%n",
                    prototxt.substring(prototxt.lastIndexOf('/') + 1), fetched.preset().prototxtSha256());
        } else {
            out.printf("%s was already in the cache%n", fetched.preset().name());
        }
        out.printf("%s is ready: %s%nUse it with --model %s%n", fetched.preset().modelName(), fetched.model(),
                fetched.preset().name());
        return 0;
    }
}
