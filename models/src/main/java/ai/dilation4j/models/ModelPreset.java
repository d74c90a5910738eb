package ai.dilation4j.models;

import java.net.URI;
import java.net.URL;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

import ai.dilation4j.runtime.DatasetSpec;

/**
 * One pretrained network the zoo knows: its dataset, the input size and pinned copy of its deploy prototxt, and
 * where and under which name its caffemodel is published.
 *
 * @param name           short name used on the command line, e.g. {@code "pascal_voc"}
 * @param modelName      the network's own name, e.g. {@code "dilation8_pascal_voc"}
 * @param dataset        classes, palette, mean, margin and zoom
 * @param inputHeight    network input height of the deploy prototxt
 * @param inputWidth     network input width of the deploy prototxt
 * @param prototxt       where the pinned deploy prototxt is (a resource in the jar for the bundled presets)
 * @param prototxtSha256 SHA-256 the prototxt must have
 * @param weightsFile    the caffemodel's official file name, also its name on mirrors
 * @param weightsSize    the caffemodel's size in bytes, or -1 when not known
 * @param weightsUrl     official location of the caffemodel
 * @param weightsSha256  SHA-256 of the caffemodel where one is published, else null
 */
public record ModelPreset(String name, String modelName, DatasetSpec dataset, int inputHeight, int inputWidth,
                          URL prototxt, String prototxtSha256, String weightsFile, long weightsSize, URI weightsUrl,
                          String weightsSha256) {

    public ModelPreset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(prototxt, "prototxt");
        Objects.requireNonNull(prototxtSha256, "prototxtSha256");
        Objects.requireNonNull(weightsFile, "weightsFile");
        Objects.requireNonNull(weightsUrl, "weightsUrl");
        if (!name.matches("[a-z0-9_]+") || !weightsFile.matches("[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("preset '" + name + "': names must be plain file names ([a-z0-9_] for "
                    + "the preset, [A-Za-z0-9_.-] for the weights file)");
        }
    }

    /** The published SHA-256 of the caffemodel, when there is one. */
    public Optional<String> knownWeightsSha256() {
        return Optional.ofNullable(weightsSha256);
    }

    /** The caffemodel's size in bytes, when known. */
    public OptionalLong knownWeightsSize() {
        return weightsSize < 0 ? OptionalLong.empty() : OptionalLong.of(weightsSize);
    }
}
