package ai.dilation4j.runtime.evaluate;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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
            case INDEX -> pair(imagesDir, labelsDir, 1, format, "");
            case CITYSCAPES -> pair(imagesDir, labelsDir, Integer.MAX_VALUE, format, " named <city>_<seq>_<frame>"
                    + CityscapesLabels.IMAGE_SUFFIX + " (Cityscapes layout: leftImg8bit/<split>/<city>/)");
        };
    }

    /**
     * What an image pairs with its label by: for {@link LabelFormat#INDEX} the file stem, for
     * {@link LabelFormat#CITYSCAPES} the frame ({@code <city>_<seq>_<frame>}); null for a file name that is not an
     * image of the format's layout.
     */
    public static String imageKey(LabelFormat format, String fileName) {
        return switch (format) {
            case INDEX -> FileNames.stem(fileName);
            case CITYSCAPES -> CityscapesLabels.frameKey(fileName, CityscapesLabels.IMAGE_SUFFIX);
        };
    }

    /** {@link #imageKey} for label file names: null for a file name that is not a label of the format's layout. */
    public static String labelKey(LabelFormat format, String fileName) {
        return switch (format) {
            case INDEX -> FileNames.stem(fileName);
            case CITYSCAPES -> CityscapesLabels.frameKey(fileName, CityscapesLabels.LABEL_SUFFIX);
        };
    }

    /** The label file name (or pattern) looked for by an image's key, for reports of missing labels. */
    public static String expectedLabel(LabelFormat format, String key) {
        return switch (format) {
            case INDEX -> key + ".*";
            case CITYSCAPES -> key + CityscapesLabels.LABEL_SUFFIX;
        };
    }

    /**
     * The images {@code listFile} names by file stem, one per line, in its order (PASCAL VOC's
     * {@code ImageSets/Segmentation/val.txt}; blank lines and surrounding spaces are ignored), each with its label as
     * {@link #pair} finds it. An image whose label is missing is returned (with an empty label) for the caller to
     * report; a stem with no image is not: scores over part of a listed split are not the split's scores, and the
     * list belongs to another directory more often than an image went missing.
     *
     * @throws InvalidInputException if the list names no stem, or a stem that no image under {@code imagesDir} has:
     *                               the first such line is named (list file, line number, stem) with how many more
     *                               there are
     */
    public static List<Entry> listed(Path imagesDir, Path labelsDir, LabelFormat format, Path listFile)
            throws InvalidInputException, IOException {
        if (!Files.isRegularFile(listFile)) {
            throw new InvalidInputException("List " + listFile + " is not a file.");
        }
        Map<String, Entry> byStem = new HashMap<>();
        for (Entry entry : pair(imagesDir, labelsDir, format)) {
            byStem.putIfAbsent(FileNames.stem(entry.image()), entry);
        }
        List<ListedStem> stems;
        try (BufferedReader lines = Files.newBufferedReader(listFile, StandardCharsets.UTF_8)) {
            stems = readList(listFile.toString(), lines);
        }
        List<Entry> listed = new ArrayList<>();
        List<ListedStem> missing = new ArrayList<>();
        for (ListedStem stem : stems) {
            Entry entry = byStem.get(stem.stem());
            if (entry != null) {
                listed.add(entry);
            } else {
                missing.add(stem);
            }
        }
        if (!missing.isEmpty()) {
            throw unlistedImages(listFile.toString(), imagesDir.toString(), missing, stems.size());
        }
        return listed;
    }

    /** A file stem a list names, and the line it is on. */
    public record ListedStem(int line, String stem) {
    }

    /**
     * The stems of a list as {@link #listed} reads them: one per line, blank lines and surrounding spaces ignored.
     *
     * @param listName the list, for messages
     * @throws InvalidInputException if it is not UTF-8 text or names no stem
     */
    public static List<ListedStem> readList(String listName, BufferedReader lines)
            throws IOException, InvalidInputException {
        List<ListedStem> stems = new ArrayList<>();
        int lineNumber = 0;
        try {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                lineNumber++;
                String stem = line.strip();
                if (!stem.isEmpty()) {
                    stems.add(new ListedStem(lineNumber, stem));
                }
            }
        } catch (CharacterCodingException e) {
            throw new InvalidInputException("List " + listName + " is not UTF-8 text; give a text file of file "
                    + "stems, one per line.");
        }
        if (stems.isEmpty()) {
            throw new InvalidInputException("List " + listName + " names no image.");
        }
        return stems;
    }

    /**
     * The refusal of a list that names stems no image has: the first such line (list, line number, stem) and how
     * many more there are.
     */
    public static InvalidInputException unlistedImages(String listName, String imagesDir, List<ListedStem> missing,
                                                       int listed) {
        ListedStem first = missing.get(0);
        return new InvalidInputException("List " + listName + " line " + first.line() + " names " + first.stem()
                + ", but " + imagesDir + " holds no image with that file stem" + (missing.size() == 1 ? ""
                : ", nor for " + (missing.size() - 1) + " more of the list's " + listed + " stems")
                + "; is the list for this image directory?");
    }

    /**
     * @param depth  how deep to look into both directories (1: only their own files)
     * @param layout what an empty image directory should have held, for the error message
     */
    private static List<Entry> pair(Path imagesDir, Path labelsDir, int depth, LabelFormat format, String layout)
            throws InvalidInputException, IOException {
        Map<String, Path> labels = new TreeMap<>();
        for (Path label : files(labelsDir, depth)) {
            String key = labelKey(format, label.getFileName().toString());
            if (key != null) {
                labels.putIfAbsent(key, label);
            }
        }
        List<Entry> entries = new ArrayList<>();
        for (Path image : files(imagesDir, depth)) {
            String key = imageKey(format, image.getFileName().toString());
            if (key != null) {
                entries.add(new Entry(image, Optional.ofNullable(labels.get(key)), expectedLabel(format, key)));
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
