package ai.dilation4j.train.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.evaluate.LabelFormat;
import ai.dilation4j.runtime.evaluate.LabelImage;
import ai.dilation4j.runtime.evaluate.LabelReader;
import ai.dilation4j.runtime.evaluate.LabelledImages;
import ai.dilation4j.runtime.image.DecodedImage;
import ai.dilation4j.runtime.image.ImageDecoder;
import ai.dilation4j.runtime.image.ImageLimits;

/**
 * Images and their label images, paired by file stem ({@link LabelFormat#INDEX}: 8-bit gray or palette PNGs read as
 * class indices). Every pair is checked when the set is opened, so a bad file stops training before the first
 * iteration rather than hours into it: a missing label, an unreadable image or label, a label of another size than
 * its image, or a label value that is neither a class nor {@link #IGNORE} is reported by file name.
 */
public final class LabelledDataset {

    /** The label value that marks pixels to leave out of the loss and the scores, as in fyu/dilation. */
    public static final int IGNORE = 255;

    private static final Logger LOG = LoggerFactory.getLogger(LabelledDataset.class);

    /** One checked pair. */
    public record Pair(Path image, Path label) {
    }

    /** A decoded pair; close it to release the image's native memory. */
    public record Example(DecodedImage image, LabelImage label) implements AutoCloseable {
        @Override
        public void close() {
            image.close();
        }
    }

    private final List<Pair> pairs;
    private final int classes;
    private final ImageLimits limits;
    private final LabelReader labels;

    private LabelledDataset(List<Pair> pairs, int classes, ImageLimits limits) {
        this.pairs = List.copyOf(pairs);
        this.classes = classes;
        this.limits = limits;
        this.labels = new LabelReader(LabelFormat.INDEX, limits);
    }

    /**
     * Pairs every image in {@code imagesDir} with the label of the same stem in {@code labelsDir} and checks each pair.
     *
     * @param classes label values 0..classes-1 are classes; {@link #IGNORE} is ignored; any other value is an error
     * @throws InvalidInputException naming the first bad file (and value), or a directory without images
     */
    public static LabelledDataset open(Path imagesDir, Path labelsDir, int classes, ImageLimits limits)
            throws InvalidInputException, IOException {
        List<Pair> pairs = new ArrayList<>();
        for (LabelledImages.Entry entry : LabelledImages.pair(imagesDir, labelsDir, LabelFormat.INDEX)) {
            Path label = entry.label().orElseThrow(() -> new InvalidInputException("Image " + entry.image()
                    + " has no label image " + entry.expectedLabel() + " in " + labelsDir
                    + "; give every training image a label of the same file stem, or move it out of " + imagesDir
                    + "."));
            pairs.add(new Pair(entry.image(), label));
        }
        LabelledDataset dataset = new LabelledDataset(pairs, classes, limits);
        long start = System.nanoTime();
        for (int i = 0; i < pairs.size(); i++) {
            dataset.read(i).close();
        }
        LOG.info("Checked {} image/label pairs in {} in {} ms", pairs.size(), imagesDir,
                (System.nanoTime() - start) / 1_000_000);
        return dataset;
    }

    public int size() {
        return pairs.size();
    }

    public int classes() {
        return classes;
    }

    public List<Pair> pairs() {
        return pairs;
    }

    /** Decodes pair {@code index}, checking the label's size and values. */
    public Example read(int index) throws InvalidInputException {
        Pair pair = pairs.get(index);
        LabelImage label = labels.read(pair.label());
        checkValues(pair.label(), label);
        DecodedImage image = ImageDecoder.decode(pair.image(), limits);
        int width = image.width();
        int height = image.height();
        if (width != label.width() || height != label.height()) {
            image.close();
            throw new InvalidInputException("Label image " + pair.label() + " is " + label.width() + "x"
                    + label.height() + " but its image " + pair.image() + " is " + width + "x" + height
                    + " (width x height); a label image must have its image's size.");
        }
        return new Example(image, label);
    }

    private void checkValues(Path file, LabelImage label) throws InvalidInputException {
        int[] values = label.values();
        for (int i = 0; i < values.length; i++) {
            int value = values[i];
            if (value != IGNORE && (value < 0 || value >= classes)) {
                throw new InvalidInputException("Label image " + file + " has value " + value + " at x=" + i
                        % label.width() + ", y=" + i / label.width() + ", which is neither one of the " + classes
                        + " classes (0.." + (classes - 1) + ") nor the ignore value " + IGNORE
                        + "; fix the label or give the classes it uses (--classes).");
            }
        }
    }
}
