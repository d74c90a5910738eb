package ai.dilation4j.cli;

import ai.dilation4j.runtime.image.ImageLimits;
import picocli.CommandLine;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * What one image may cost, for every command that segments: checked from the image header before decoding, so
 * an image over a limit is refused in milliseconds, with its size in the message.
 */
final class LimitOptions {

    @Spec(Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec mixee;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "" + ImageLimits.DEFAULT_MAX_PIXELS,
            description = "Largest image (width x height) accepted (default: ${DEFAULT-VALUE}; the class "
                    + "probabilities take 4 bytes per class and pixel).")
    long maxPixels;

    @Option(names = "--max-tiles", paramLabel = "N", defaultValue = "" + ImageLimits.DEFAULT_MAX_TILES,
            description = "Most network tiles (forward passes) one image may need after the label margin is added "
                    + "(default: ${DEFAULT-VALUE}).")
    long maxTiles;

    @Option(names = "--max-aspect-ratio", paramLabel = "R", defaultValue = "" + ImageLimits.DEFAULT_MAX_ASPECT_RATIO,
            description = "Largest ratio of the longer image side to the shorter (default: ${DEFAULT-VALUE}; thin "
                    + "images cost many margin-padded tiles for few pixels).")
    double maxAspectRatio;

    @Option(names = "--max-bytes", paramLabel = "BYTES", defaultValue = "" + ImageLimits.DEFAULT_MAX_ENCODED_BYTES,
            description = "Largest encoded image (file, or request body for serve) accepted (default: ${DEFAULT-VALUE}).")
    long maxBytes;

    /** The limits given, or a usage error naming the bad value. */
    ImageLimits limits() {
        CommandLine command = mixee.commandLine();
        OptionRanges.requireAtLeast(command, "--max-pixels", maxPixels, 1);
        OptionRanges.requireAtLeast(command, "--max-tiles", maxTiles, 1);
        OptionRanges.requireAtLeast(command, "--max-aspect-ratio", maxAspectRatio, 1);
        OptionRanges.requireAtLeast(command, "--max-bytes", maxBytes, 1);
        return new ImageLimits(maxBytes, maxPixels, maxTiles, maxAspectRatio);
    }
}
