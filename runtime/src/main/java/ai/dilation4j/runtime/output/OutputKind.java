package ai.dilation4j.runtime.output;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

import org.bytedeco.opencv.opencv_core.Mat;

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
     * Writes this kind of output of {@code result} to {@code file}, atomically. {@code imageBgr} is the segmented
     * image (only {@link #OVERLAY} reads it).
     */
    public void write(SegmentationResult result, Mat imageBgr, Path file) throws IOException {
        switch (this) {
            case COLOR -> writeMat(SegmentationImages.color(result), file);
            case LABELS -> writeMat(SegmentationImages.labels(result), file);
            case PALETTE -> SegmentationImages.writePalettePng(result, file);
            case PROB -> Npy.write(result.probabilities().toArray(), file);
            case OVERLAY -> writeMat(SegmentationImages.overlay(imageBgr, result), file);
        }
    }

    private static void writeMat(Mat mat, Path file) throws IOException {
        try (mat) {
            SegmentationImages.writePng(mat, file);
        }
    }
}
