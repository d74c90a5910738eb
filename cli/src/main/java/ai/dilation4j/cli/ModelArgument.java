package ai.dilation4j.cli;

import java.nio.file.Path;

import ai.dilation4j.runtime.ModelCache;
import ai.dilation4j.runtime.ModelFileException;

/** The {@code --model} option shared by the commands: a model file, or the name of a fetched preset. */
final class ModelArgument {

    static final String DESCRIPTION = "Model file written by `convert`, or a preset name (pascal_voc, camvid, "
            + "kitti, cityscapes) fetched with `fetch` into the cache (~/.cache/dilation4j, or $DILATION4J_CACHE).";

    private ModelArgument() {
    }

    static Path resolve(String model) throws ModelFileException {
        return ModelCache.standard().resolve(model);
    }
}
