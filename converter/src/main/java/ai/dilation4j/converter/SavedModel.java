package ai.dilation4j.converter;

import java.nio.file.Path;
import java.time.Duration;

import ai.dilation4j.runtime.ModelMetadata;

/**
 * A model the converter has written to a file.
 *
 * @param file       the model file
 * @param metadata   what the file records about the model
 * @param parameters the number of parameters of its graph
 * @param saving     how long writing the file took
 */
public record SavedModel(Path file, ModelMetadata metadata, long parameters, Duration saving) {
}
