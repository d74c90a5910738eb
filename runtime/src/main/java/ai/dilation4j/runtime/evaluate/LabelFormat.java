package ai.dilation4j.runtime.evaluate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

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
}
