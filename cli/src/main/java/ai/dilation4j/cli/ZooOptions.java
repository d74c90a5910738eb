package ai.dilation4j.cli;

import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import ai.dilation4j.models.ModelZoo;
import ai.dilation4j.models.ZooListener;
import ai.dilation4j.models.download.Source;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** How presets are fetched: {@code --offline} and {@code --mirror}, shared by every command that takes a preset. */
class ZooOptions {

    @Spec(Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    @Option(names = "--offline", description = "Never touch the network: use the cache and local files only "
            + "(also DILATION4J_OFFLINE=1).")
    boolean offline;

    @Option(names = "--mirror", paramLabel = "BASE_URL", description = "Also try this mirror, serving each "
            + "caffemodel under its official name (BASE_URL/dilation8_pascal_voc.caffemodel); repeatable, tried after "
            + "the official server and the Internet Archive (also DILATION4J_MIRRORS=URL,URL).")
    List<URI> mirrors = new ArrayList<>();

    /** The zoo these options describe, telling on standard error what it fetches. */
    ModelZoo zoo() {
        return builder().build();
    }

    ModelZoo.Builder builder() {
        PrintWriter err = mixee.commandLine().getErr();
        ModelZoo.Builder builder = ModelZoo.builder().listener(new Listener(err));
        if (offline) {
            builder.offline(true);
        }
        if (!mirrors.isEmpty()) {
            List<URI> all = new ArrayList<>(mirrors);
            all.addAll(ModelZoo.Builder.parseMirrors(System.getenv(ModelZoo.MIRRORS_ENVIRONMENT)));
            builder.mirrors(all);
        }
        return builder;
    }

    ModelZoo.Builder builder(Path cache) {
        ModelZoo.Builder builder = builder();
        return cache == null ? builder : builder.cache(cache);
    }

    /** Messages always (they say what is downloaded from where); the progress line only on a terminal. */
    private static final class Listener implements ZooListener {
        private final PrintWriter err;
        private final ConsoleProgress progress;

        Listener(PrintWriter err) {
            this.err = err;
            this.progress = new ConsoleProgress(err);
        }

        @Override
        public void message(String text) {
            progress.interrupt();
            err.println(text);
            err.flush();
        }

        @Override
        public void download(Source source, long done, long total, double bytesPerSecond) {
            progress.download("Downloading", done, total, bytesPerSecond);
        }

        @Override
        public void conversion(String step, long done, long total) {
            progress.progress(step, done, total);
        }
    }
}
