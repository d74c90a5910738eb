package ai.dilation4j.converter;

import java.nio.file.Path;
import java.time.Duration;

import ai.dilation4j.converter.api.ProgressListener;
import ai.dilation4j.runtime.ModelFileException;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.model.ModelFile;
import ai.dilation4j.runtime.model.SegmentationModel;

/**
 * A model the converter has written to a file.
 *
 * @param file       the model file
 * @param metadata   what the file records about the model
 * @param parameters the number of parameters of its graph
 * @param saving     how long writing the file took
 */
public record SavedModel(Path file, ModelMetadata metadata, long parameters, Duration saving) {

    /**
     * Writes a converted model atomically: the target appears complete or not at all, and a write that fails leaves
     * an existing target as it was.
     */
    public static SavedModel write(SegmentationModel model, ProgressListener progress, Path target)
            throws ModelFileException {
        progress.step("Saving " + target);
        long started = System.nanoTime();
        ModelFile.write(model.graph(), model.metadata(), target);
        return new SavedModel(target, model.metadata(), model.graph().numParams(),
                Duration.ofNanos(System.nanoTime() - started));
    }
}
