package ai.dilation4j.runtime.evaluate;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import ai.dilation4j.runtime.DatasetSpec;

/**
 * The scores of an evaluation as the {@code evaluate} command prints them (a table) and writes them (a JSON
 * document), one definition for every caller: the command, and the Spark job that sums its partitions' matrices.
 */
public final class EvaluationReport {

    private final DatasetSpec dataset;
    private final ConfusionMatrix matrix;
    private final int images;

    /**
     * @param images how many images the matrix counts
     */
    public EvaluationReport(DatasetSpec dataset, ConfusionMatrix matrix, int images) {
        if (matrix.classes() != dataset.numClasses()) {
            throw new IllegalArgumentException("a matrix of " + matrix.classes() + " classes for dataset "
                    + dataset.name() + " of " + dataset.numClasses());
        }
        this.dataset = dataset;
        this.matrix = matrix;
        this.images = images;
    }

    /** Per-class IoU, accuracy and labelled pixels, then the image and pixel counts and the three means. */
    public void printTable(PrintWriter out) {
        out.printf("%-16s %8s %9s %14s%n", "CLASS", "IoU", "ACCURACY", "PIXELS");
        for (int c = 0; c < dataset.numClasses(); c++) {
            out.printf(Locale.ROOT, "%-16s %8s %9s %,14d%n", dataset.classNames().get(c), percent(matrix.iou(c)),
                    percent(matrix.accuracy(c)), matrix.truthCount(c));
        }
        out.printf(Locale.ROOT, "%nImages %d, labelled pixels %,d%n", images, matrix.total());
        out.printf(Locale.ROOT, "Mean IoU            %s%n", percent(matrix.meanIou()));
        out.printf(Locale.ROOT, "Pixel accuracy      %s%n", percent(matrix.pixelAccuracy()));
        out.printf(Locale.ROOT, "Mean class accuracy %s%n", percent(matrix.meanClassAccuracy()));
        out.flush();
    }

    /**
     * {@code images}, {@code pixels}, the three means, {@code classes} (name, IoU, accuracy, pixels) and
     * {@code confusion} ({@code [truth][predicted]} counts); a score with no pixels to compute it from is null.
     */
    public Map<String, Object> document() {
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("images", images);
        document.put("pixels", matrix.total());
        document.put("mean_iou", finite(matrix.meanIou()));
        document.put("pixel_accuracy", finite(matrix.pixelAccuracy()));
        document.put("mean_class_accuracy", finite(matrix.meanClassAccuracy()));
        List<Map<String, Object>> classes = new ArrayList<>();
        long[][] counts = new long[dataset.numClasses()][dataset.numClasses()];
        for (int c = 0; c < dataset.numClasses(); c++) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("class", dataset.classNames().get(c));
            entry.put("iou", finite(matrix.iou(c)));
            entry.put("accuracy", finite(matrix.accuracy(c)));
            entry.put("pixels", matrix.truthCount(c));
            classes.add(entry);
            for (int p = 0; p < dataset.numClasses(); p++) {
                counts[c][p] = matrix.count(c, p);
            }
        }
        document.put("classes", classes);
        document.put("confusion", counts);
        return document;
    }

    private static Double finite(double value) {
        return Double.isNaN(value) ? null : value;
    }

    private static String percent(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * value);
    }
}
