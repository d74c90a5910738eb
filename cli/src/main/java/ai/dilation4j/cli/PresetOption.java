package ai.dilation4j.cli;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.models.ModelPreset;
import ai.dilation4j.models.ModelRegistry;
import ai.dilation4j.runtime.InvalidInputException;
import picocli.CommandLine.Option;

/** The {@code --preset} option of the commands that segment: dataset fields overriding the model's. */
final class PresetOption {

    @Option(names = "--preset", paramLabel = "NAME",
            description = "Dataset fields (mean, margin, zoom, classes, palette) to use instead of those stored "
                    + "in the model; needed for models converted without --preset.")
    String preset;

    /** The overriding dataset, or null to use the model's. */
    DatasetSpec dataset() throws InvalidInputException {
        return preset == null ? null : find(preset).dataset();
    }

    /** A preset by name, or an error listing the known ones. */
    static ModelPreset find(String name) throws InvalidInputException {
        return ModelRegistry.find(name).orElseThrow(() -> new InvalidInputException("Unknown preset '" + name
                + "'. Known presets: " + ModelRegistry.names() + "."));
    }
}
