package ai.dilation4j.runtime.segment;

import java.nio.IntBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ai.dilation4j.runtime.DatasetSpec;

/**
 * The segmentation of one image at image resolution: the class of every pixel, the per-class probabilities
 * it was taken from, and how long each stage took.
 */
public final class SegmentationResult {

    /** The timing entry that sums the stages. */
    public static final String TOTAL = "total";

    private final String name;
    private final DatasetSpec dataset;
    private final int[] labels;
    private final ProbabilityMap probabilities;
    private final List<String> conversions;
    private final int tiles;
    private final Map<String, Double> timingsMs;

    SegmentationResult(String name, DatasetSpec dataset, int[] labels, ProbabilityMap probabilities,
                       List<String> conversions, int tiles, Map<String, Double> timingsMs) {
        this.name = name;
        this.dataset = dataset;
        this.labels = labels;
        this.probabilities = probabilities;
        this.conversions = List.copyOf(conversions);
        this.tiles = tiles;
        Map<String, Double> stages = new LinkedHashMap<>(timingsMs);
        stages.remove(TOTAL);
        stages.put(TOTAL, stages.values().stream().mapToDouble(Double::doubleValue).sum());
        this.timingsMs = Collections.unmodifiableMap(stages);
    }

    public String name() {
        return name;
    }

    public DatasetSpec dataset() {
        return dataset;
    }

    public int width() {
        return probabilities.width();
    }

    public int height() {
        return probabilities.height();
    }

    /** Class index per pixel, row-major, {@code height * width} values. */
    public int[] labels() {
        return labels.clone();
    }

    /**
     * The class index per pixel, row-major, as a read-only view of the result's labels: for writers that read every
     * label once, without the copy {@link #labels()} makes.
     */
    public IntBuffer labelBuffer() {
        return IntBuffer.wrap(labels).asReadOnlyBuffer();
    }

    /** Per-class values the labels were taken from ({@code C x H x W}). */
    public ProbabilityMap probabilities() {
        return probabilities;
    }

    /** Conversions applied to the input image (grayscale, alpha, 16-bit), empty if none. */
    public List<String> conversions() {
        return conversions;
    }

    public int tiles() {
        return tiles;
    }

    /**
     * Milliseconds per stage: decode, preprocess, forward, postprocess (and what callers add with
     * {@link #withTiming}), then {@value #TOTAL}, their sum.
     */
    public Map<String, Double> timingsMs() {
        return timingsMs;
    }

    /** Fraction of the image's pixels given to each class, indexed by class. */
    public double[] classFractions() {
        double[] fractions = new double[dataset.numClasses()];
        for (int label : labels) {
            fractions[label]++;
        }
        for (int c = 0; c < fractions.length; c++) {
            fractions[c] /= labels.length;
        }
        return fractions;
    }

    /** The palette color of every pixel's class, as a Java image. */
    public java.awt.image.BufferedImage colorImage() {
        java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(width(), height(),
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        List<int[]> palette = dataset.palette();
        int[] rgb = new int[palette.size()];
        for (int c = 0; c < rgb.length; c++) {
            rgb[c] = (palette.get(c)[0] << 16) | (palette.get(c)[1] << 8) | palette.get(c)[2];
        }
        int[] pixels = new int[labels.length];
        for (int i = 0; i < labels.length; i++) {
            pixels[i] = rgb[labels[i]];
        }
        image.setRGB(0, 0, width(), height(), pixels, 0, width());
        return image;
    }

    /** A copy with one more timing entry. */
    public SegmentationResult withTiming(String stage, double milliseconds) {
        Map<String, Double> timings = new LinkedHashMap<>(timingsMs);
        timings.put(stage, milliseconds);
        return new SegmentationResult(name, dataset, labels, probabilities, conversions, tiles, timings);
    }
}
