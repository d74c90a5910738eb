package ai.dilation4j.runtime.evaluate;

/**
 * Counts of (true class, predicted class) over every labelled pixel of a data set, and the usual segmentation
 * scores derived from them. Pixels whose true label is the ignore value are not counted.
 */
public final class ConfusionMatrix implements java.io.Serializable {

    private static final long serialVersionUID = 1L;

    private final int classes;
    /** {@code counts[truth][predicted]}. */
    private final long[][] counts;

    public ConfusionMatrix(int classes) {
        this.classes = classes;
        this.counts = new long[classes][classes];
    }

    /**
     * Adds one image. Nothing is counted when it throws, so a rejected image can be skipped.
     *
     * @param truth     true class per pixel
     * @param predicted predicted class per pixel, same length
     * @param ignore    true-label value to skip (e.g. 255), or -1 for none
     * @throws IllegalArgumentException if the lengths differ or a value is neither a class nor the ignore value
     */
    public void add(int[] truth, int[] predicted, int ignore) {
        if (truth.length != predicted.length) {
            throw new IllegalArgumentException("label and prediction sizes differ: " + truth.length + " vs "
                    + predicted.length);
        }
        for (int i = 0; i < truth.length; i++) {
            int t = truth[i];
            if (t != ignore && (t < 0 || t >= classes)) {
                throw new IllegalArgumentException("label value " + t + " is not one of the " + classes
                        + " classes (0.." + (classes - 1) + ") nor the ignore value " + ignore);
            }
            if (predicted[i] < 0 || predicted[i] >= classes) {
                throw new IllegalArgumentException("predicted class " + predicted[i] + " is not one of the " + classes
                        + " classes");
            }
        }
        for (int i = 0; i < truth.length; i++) {
            if (truth[i] != ignore) {
                counts[truth[i]][predicted[i]]++;
            }
        }
    }

    /** {@link #add(int[], int[], int)} for a decoded label image, without copying its values. */
    public void add(LabelImage truth, int[] predicted, int ignore) {
        add(truth.valuesView(), predicted, ignore);
    }

    /**
     * Adds the counts of another matrix over the same classes: the matrix of a data set is the sum of the matrices of
     * its parts (a distributed evaluation sums the matrices of its partitions).
     *
     * @throws IllegalArgumentException if the class counts differ
     */
    public void add(ConfusionMatrix other) {
        if (other.classes != classes) {
            throw new IllegalArgumentException("cannot add a confusion matrix of " + other.classes + " classes to one of "
                    + classes);
        }
        for (int t = 0; t < classes; t++) {
            for (int p = 0; p < classes; p++) {
                counts[t][p] += other.counts[t][p];
            }
        }
    }

    public int classes() {
        return classes;
    }

    public long count(int truth, int predicted) {
        return counts[truth][predicted];
    }

    public long total() {
        long total = 0;
        for (long[] row : counts) {
            for (long value : row) {
                total += value;
            }
        }
        return total;
    }

    /** Pixels whose true class is {@code c}. */
    public long truthCount(int c) {
        long sum = 0;
        for (long value : counts[c]) {
            sum += value;
        }
        return sum;
    }

    /** Pixels predicted as {@code c}. */
    public long predictedCount(int c) {
        long sum = 0;
        for (long[] row : counts) {
            sum += row[c];
        }
        return sum;
    }

    /** Intersection over union of class {@code c}; NaN when the class is neither present nor predicted. */
    public double iou(int c) {
        long union = truthCount(c) + predictedCount(c) - counts[c][c];
        return union == 0 ? Double.NaN : (double) counts[c][c] / union;
    }

    /** Fraction of class {@code c}'s pixels predicted correctly; NaN when the class is not present. */
    public double accuracy(int c) {
        long present = truthCount(c);
        return present == 0 ? Double.NaN : (double) counts[c][c] / present;
    }

    /** Mean IoU over the classes that are present or predicted. */
    public double meanIou() {
        return meanOfDefined(this::iou);
    }

    /** Mean per-class accuracy over the classes that are present. */
    public double meanClassAccuracy() {
        return meanOfDefined(this::accuracy);
    }

    /** Fraction of all counted pixels predicted correctly. */
    public double pixelAccuracy() {
        long correct = 0;
        for (int c = 0; c < classes; c++) {
            correct += counts[c][c];
        }
        long total = total();
        return total == 0 ? Double.NaN : (double) correct / total;
    }

    private double meanOfDefined(java.util.function.IntToDoubleFunction score) {
        double sum = 0;
        int defined = 0;
        for (int c = 0; c < classes; c++) {
            double value = score.applyAsDouble(c);
            if (!Double.isNaN(value)) {
                sum += value;
                defined++;
            }
        }
        return defined == 0 ? Double.NaN : sum / defined;
    }
}
