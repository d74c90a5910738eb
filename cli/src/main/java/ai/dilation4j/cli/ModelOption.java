package ai.dilation4j.cli;

import java.nio.file.Path;

import ai.dilation4j.runtime.DilationException;
import picocli.CommandLine.Option;

/** The {@code --model} option shared by the commands: a model file, or a preset fetched on first use. */
final class ModelOption extends ZooOptions {

    @Option(names = "--model", required = true, paramLabel = "FILE|PRESET",
            description = "Model file written by `convert`, or a preset name (pascal_voc, camvid, kitti, cityscapes), "
                    + "fetched, verified and converted on first use into the cache (~/.cache/dilation4j, or "
                    + "$DILATION4J_CACHE).")
    String model;

    /** The model file the option names, fetching a preset on first use (saying so on standard error). */
    Path file() throws DilationException {
        return zoo().resolve(model);
    }
}
