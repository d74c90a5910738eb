package ai.dilation4j.runtime;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * What a segmentation network was trained on and how its input and output are to be read: class names,
 * the RGB color of each class, the BGR mean subtracted from every pixel, the reflected margin added around
 * the image, and the factor by which the network's output is upsampled to label resolution.
 *
 * @param name        dataset name, e.g. {@code "pascal_voc"}
 * @param classNames  one name per output channel, in channel order
 * @param palette     one RGB triple (0..255) per class, in channel order
 * @param meanBgr     per-channel mean in B, G, R order, subtracted from the 8-bit BGR image
 * @param labelMargin pixels of {@code BORDER_REFLECT_101} context added on every side before tiling
 * @param zoom        upsampling factor from the network output to label resolution (1 = none)
 */
public record DatasetSpec(String name, List<String> classNames, List<int[]> palette, double[] meanBgr,
                          int labelMargin, int zoom) {

    public DatasetSpec {
        Objects.requireNonNull(name, "name");
        classNames = List.copyOf(classNames);
        palette = palette.stream().map(int[]::clone).toList();
        meanBgr = meanBgr.clone();
        if (classNames.size() != palette.size()) {
            throw new IllegalArgumentException("dataset " + name + ": " + classNames.size() + " class names but "
                    + palette.size() + " palette colors");
        }
        for (int[] rgb : palette) {
            if (rgb.length != 3 || Arrays.stream(rgb).anyMatch(v -> v < 0 || v > 255)) {
                throw new IllegalArgumentException("dataset " + name + ": palette entries must be RGB triples in 0..255, got "
                        + Arrays.toString(rgb));
            }
        }
        if (meanBgr.length != 3) {
            throw new IllegalArgumentException("dataset " + name + ": the mean needs 3 values (B, G, R)");
        }
        if (labelMargin < 0 || zoom < 1) {
            throw new IllegalArgumentException("dataset " + name + ": label margin must be >= 0 and zoom >= 1");
        }
    }

    public int numClasses() {
        return classNames.size();
    }

    @Override
    public double[] meanBgr() {
        return meanBgr.clone();
    }

    @Override
    public List<int[]> palette() {
        return palette.stream().map(int[]::clone).toList();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DatasetSpec d && name.equals(d.name) && classNames.equals(d.classNames)
                && Arrays.deepEquals(palette.toArray(), d.palette.toArray()) && Arrays.equals(meanBgr, d.meanBgr)
                && labelMargin == d.labelMargin && zoom == d.zoom;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, classNames, Arrays.hashCode(meanBgr), labelMargin, zoom);
    }

    @Override
    public String toString() {
        return "DatasetSpec[" + name + ", " + classNames.size() + " classes, mean BGR " + Arrays.toString(meanBgr)
                + ", margin " + labelMargin + ", zoom " + zoom + "]";
    }
}
