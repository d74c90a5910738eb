package ai.dilation4j.runtime.output;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

import org.bytedeco.opencv.opencv_core.Mat;

import ai.dilation4j.runtime.io.AtomicFiles;
import ai.dilation4j.runtime.io.Npy;
import ai.dilation4j.runtime.segment.SegmentationResult;

/**
 * The files a segmentation can be written as, one definition for every command, the service and batch jobs:
 * {@code <stem>_<kind>.png} (or {@code .npy}).
 */
public enum OutputKind {
    /** The class color of every pixel in the dataset palette: the image predict.py writes. */
    COLOR(".png"),
    /** 8-bit grayscale, the class index of every pixel. */
    LABELS(".png"),
    /** An indexed PNG whose pixel values are the class indices and whose palette is the dataset's (VOC's format). */
    PALETTE(".png"),
    /** float32 {@code C x H x W} class probabilities at the result's resolution. */
    PROB(".npy"),
    /** The image and the class colors blended half and half. */
    OVERLAY(".png");

    private final String extension;

    OutputKind(String extension) {
        this.extension = extension;
    }

    /** The lower-case name used on the command line, in URLs and in file names. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** What follows an image's stem in the file name, e.g. {@code _labels.png}. */
    public String suffix() {
        return "_" + id() + extension;
    }

    public static Optional<OutputKind> parse(String id) {
        for (OutputKind kind : values()) {
            if (kind.id().equals(id)) {
                return Optional.of(kind);
            }
        }
        return Optional.empty();
    }

    /**
     * The kinds a comma-separated option names ({@code labels, Color}), in the order given, each once.
     *
     * @param option the option's name, for the message
     * @throws IllegalArgumentException naming the first name that is no kind, and the kinds there are
     */
    public static java.util.List<OutputKind> parseAll(String option, java.util.List<String> names) {
        java.util.LinkedHashSet<OutputKind> kinds = new java.util.LinkedHashSet<>();
        for (String name : names) {
            kinds.add(parse(name.trim().toLowerCase(Locale.ROOT)).orElseThrow(() -> new IllegalArgumentException(
                    option + " " + name + " is not a kind of output; give some of "
                            + java.util.Arrays.stream(values()).map(OutputKind::id).toList())));
        }
        return java.util.List.copyOf(kinds);
    }

    /** Whether this kind is a PNG image (every kind but {@link #PROB}): the kinds the HTTP service answers with. */
    public boolean isPng() {
        return extension.equals(".png");
    }

    /**
     * This kind of output of {@code result} as PNG bytes. {@code imageBgr} is the segmented image (only
     * {@link #OVERLAY} reads it).
     *
     * @throws IllegalStateException for {@link #PROB}, which is not an image
     */
    public byte[] encodePng(SegmentationResult result, Mat imageBgr) throws IOException {
        return switch (this) {
            case COLOR -> encode(SegmentationImages.color(result));
            case LABELS -> encode(SegmentationImages.labels(result));
            case PALETTE -> SegmentationImages.encodePalettePng(result);
            case OVERLAY -> encode(SegmentationImages.overlay(imageBgr, result));
            case PROB -> throw new IllegalStateException("class probabilities are written as .npy, not PNG");
        };
    }

    /**
     * Writes this kind of output of {@code result} to {@code file}, atomically. {@code imageBgr} is the segmented
     * image (only {@link #OVERLAY} reads it).
     */
    public void write(SegmentationResult result, Mat imageBgr, Path file) throws IOException {
        AtomicFiles.write(file, out -> writeTo(result, imageBgr, out));
    }

    /**
     * Writes this kind of output of {@code result} to {@code out} (left open), the bytes {@link #write} puts in a
     * file: for writers of other file systems (a batch job's Hadoop output streams).
     */
    public void writeTo(SegmentationResult result, Mat imageBgr, OutputStream out) throws IOException {
        if (this == PROB) {
            Npy.write(result.probabilities().toArray(), out);
        } else {
            out.write(encodePng(result, imageBgr));
        }
    }

    private static byte[] encode(Mat mat) throws IOException {
        try (mat) {
            return SegmentationImages.encodePng(mat);
        }
    }
}
