package ai.dilation4j.runtime.evaluate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.InvalidInputException;

/** How the ground-truth label images of a data set encode classes, and how they are paired with the images. */
public enum LabelFormat {

    /**
     * One class index per pixel, 8-bit, in a gray or palette (indexed) PNG, e.g. PASCAL VOC's
     * {@code SegmentationClass}: the palette is not looked at, the stored indices are the classes. Paired with the
     * image of the same file stem in a flat directory.
     */
    INDEX,

    /**
     * Cityscapes' {@code *_gtFine_labelIds.png}: label IDs mapped to the 19 train IDs ({@link CityscapesLabels}),
     * paired with the {@code *_leftImg8bit.png} image of the same frame, in any subdirectory (the dataset's
     * {@code <split>/<city>/} layout).
     */
    CITYSCAPES;

    /** {@link #CITYSCAPES} when the directory tree holds a {@code *_gtFine_labelIds.png} file, else {@link #INDEX}. */
    public static LabelFormat detect(Path labelsDir) throws IOException {
        try (Stream<Path> files = Files.walk(labelsDir)) {
            boolean cityscapes = files.anyMatch(f -> f.getFileName().toString().endsWith(CityscapesLabels.LABEL_SUFFIX)
                    && Files.isRegularFile(f));
            return cityscapes ? CITYSCAPES : INDEX;
        }
    }

    /** The label value not scored unless told otherwise. */
    public static final int DEFAULT_IGNORE = 255;

    /**
     * The label value not scored: {@code requested} (-1 for none; {@link #DEFAULT_IGNORE} when null), or for Cityscapes
     * the value every unscored label ID is mapped to.
     *
     * @throws InvalidInputException if another value is asked of Cityscapes labels
     */
    public int ignoredValue(Integer requested) throws InvalidInputException {
        if (this != CITYSCAPES) {
            return requested == null ? DEFAULT_IGNORE : requested;
        }
        if (requested != null && requested != CityscapesLabels.IGNORED) {
            throw new InvalidInputException("--ignore " + requested + " does not apply to Cityscapes labels: the IDs "
                    + "outside the 19 train classes are always ignored; leave --ignore out.");
        }
        return CityscapesLabels.IGNORED;
    }

    /**
     * @param labels where the labels are, for the message
     * @throws InvalidInputException if labels of this format cannot score a model of {@code dataset}'s classes
     */
    public void requireClasses(DatasetSpec dataset, String labels) throws InvalidInputException {
        if (this == CITYSCAPES && dataset.numClasses() != CityscapesLabels.TRAIN_CLASSES) {
            throw new InvalidInputException("Cityscapes labels (" + labels + ") score the "
                    + CityscapesLabels.TRAIN_CLASSES + " Cityscapes train classes, but the model's dataset '"
                    + dataset.name() + "' has " + dataset.numClasses() + " classes: use a Cityscapes model, or "
                    + "--label-format index for labels that hold class indices.");
        }
    }
}
