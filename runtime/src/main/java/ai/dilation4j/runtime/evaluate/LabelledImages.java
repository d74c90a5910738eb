package ai.dilation4j.runtime.evaluate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Stream;

import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.io.FileNames;

/** Pairs the images of a data set with their label images, as the {@link LabelFormat} lays them out. */
public final class LabelledImages {

    /**
     * One image and its label image, if one was found.
     *
     * @param image         the image file
     * @param label         its label image, empty when there is none
     * @param expectedLabel the label file name (or pattern) that was looked for, for reports of missing labels
     */
    public record Entry(Path image, Optional<Path> label, String expectedLabel) {
    }

    private LabelledImages() {
    }

    /**
     * Every image under {@code imagesDir}, in path order, with its label under {@code labelsDir}.
     * {@link LabelFormat#INDEX}: the regular files directly in {@code imagesDir}, each with the label file of the
     * same stem directly in {@code labelsDir}. {@link LabelFormat#CITYSCAPES}: the {@code *_leftImg8bit.png} files
     * anywhere under {@code imagesDir}, each with the {@code *_gtFine_labelIds.png} of the same frame anywhere under
     * {@code labelsDir}.
     *
     * @throws InvalidInputException if a directory does not exist or {@code imagesDir} holds no image
     */
    public static List<Entry> pair(Path imagesDir, Path labelsDir, LabelFormat format)
            throws InvalidInputException, IOException {
        for (Path dir : List.of(imagesDir, labelsDir)) {
            if (!Files.isDirectory(dir)) {
                throw new InvalidInputException("Directory " + dir + " does not exist.");
            }
        }
        return switch (format) {
            case INDEX -> pair(imagesDir, labelsDir, 1, FileNames::stem, FileNames::stem,
                    stem -> stem + ".*", "");
            case CITYSCAPES -> pair(imagesDir, labelsDir, Integer.MAX_VALUE,
                    name -> CityscapesLabels.frameKey(name, CityscapesLabels.IMAGE_SUFFIX),
                    name -> CityscapesLabels.frameKey(name, CityscapesLabels.LABEL_SUFFIX),
                    frame -> frame + CityscapesLabels.LABEL_SUFFIX, " named <city>_<seq>_<frame>"
                            + CityscapesLabels.IMAGE_SUFFIX + " (Cityscapes layout: leftImg8bit/<split>/<city>/)");
        };
    }

    /**
     * @param depth         how deep to look into both directories (1: only their own files)
     * @param imageKey      the pairing key of an image file name, null for files that are not images
     * @param labelKey      the pairing key of a label file name, null for files that are not labels
     * @param expectedLabel the label name looked for, from an image's key
     * @param layout        what an empty image directory should have held, for the error message
     */
    private static List<Entry> pair(Path imagesDir, Path labelsDir, int depth, Function<String, String> imageKey,
                                    Function<String, String> labelKey, Function<String, String> expectedLabel,
                                    String layout)
            throws InvalidInputException, IOException {
        Map<String, Path> labels = new TreeMap<>();
        for (Path label : files(labelsDir, depth)) {
            String key = labelKey.apply(label.getFileName().toString());
            if (key != null) {
                labels.putIfAbsent(key, label);
            }
        }
        List<Entry> entries = new ArrayList<>();
        for (Path image : files(imagesDir, depth)) {
            String key = imageKey.apply(image.getFileName().toString());
            if (key != null) {
                entries.add(new Entry(image, Optional.ofNullable(labels.get(key)), expectedLabel.apply(key)));
            }
        }
        if (entries.isEmpty()) {
            throw new InvalidInputException("Directory " + imagesDir + " holds no images" + layout + ".");
        }
        return entries;
    }

    /** Regular files up to {@code depth} levels down, sorted by path. */
    private static List<Path> files(Path dir, int depth) throws IOException {
        try (Stream<Path> files = Files.walk(dir, depth)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }
}
