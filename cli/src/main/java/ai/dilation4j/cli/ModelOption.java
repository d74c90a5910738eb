package ai.dilation4j.cli;

import java.nio.file.Path;

import ai.dilation4j.runtime.ModelCache;
import ai.dilation4j.runtime.ModelFileException;
import picocli.CommandLine.Option;

/** The {@code --model} option shared by the commands: a model file, or the name of a fetched preset. */
final class ModelOption {

    @Option(names = "--model", required = true, paramLabel = "FILE|PRESET",
            description = "Model file written by `convert`, or a preset name (pascal_voc, camvid, kitti, cityscapes) "
                    + "fetched with `fetch` into the cache (~/.cache/dilation4j, or $DILATION4J_CACHE).")
    String model;

    /** The model file the option names. */
    Path file() throws ModelFileException {
        return ModelCache.standard().resolve(model);
    }
}
