package ai.dilation4j.models;

import java.util.Objects;
import java.util.Optional;

/**
 * One pretrained network the registry knows: its dataset, the input size of its deploy prototxt, and where
 * its official files are published.
 *
 * @param name          short name used on the command line, e.g. {@code "pascal_voc"}
 * @param modelName     the network's own name, e.g. {@code "dilation8_pascal_voc"}
 * @param dataset       classes, palette, mean, margin and zoom
 * @param inputHeight   network input height of the deploy prototxt
 * @param inputWidth    network input width of the deploy prototxt
 * @param prototxtUrl   official location of the deploy prototxt
 * @param weightsUrl    official location of the trained caffemodel
 * @param weightsSha256 SHA-256 of the caffemodel, when known
 */
public record ModelPreset(String name, String modelName, DatasetSpec dataset, int inputHeight, int inputWidth,
                          String prototxtUrl, String weightsUrl, String weightsSha256) {

    public ModelPreset {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(modelName, "modelName");
        Objects.requireNonNull(dataset, "dataset");
    }

    public Optional<String> knownWeightsSha256() {
        return Optional.ofNullable(weightsSha256);
    }
}
