package ai.dilation4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

import ai.dilation4j.models.DatasetSpec;
import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.SegmentationModel;
import ai.dilation4j.runtime.evaluate.ConfusionMatrix;
import ai.dilation4j.runtime.segment.ImageSegmenter;
import ai.dilation4j.runtime.segment.SegmentationImages;
import ai.dilation4j.runtime.segment.SegmentationResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Segment a labelled image set and score it: one confusion matrix over all images at label "
                + "resolution, per-class IoU and accuracy, mean IoU, pixel accuracy, mean class accuracy.",
                "Each image in --images is paired with the label image of the same file stem in --labels (8-bit, "
                        + "one channel, class index per pixel). Predictions are resized to the label size "
                        + "(nearest neighbour) when the two differ."},
        footer = {"", "Exit codes: 0 scored, 1 the command failed, 2 invalid usage, 3 some images were skipped "
                + "(reported by name; the scores cover the others)."})
final class EvaluateCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    ExecutionOptions execution;

    @picocli.CommandLine.Mixin
    ModelOption modelOption;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Directory of input images.")
    Path imagesDir;

    @Option(names = "--labels", required = true, paramLabel = "DIR", description = "Directory of label images.")
    Path labelsDir;

    @Option(names = "--ignore", defaultValue = "255", paramLabel = "VALUE",
            description = "Label value excluded from scoring (default: ${DEFAULT-VALUE}; -1 for none).")
    int ignore;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the scores and the confusion matrix as JSON to FILE ('-' for stdout).")
    String jsonTarget;

    @picocli.CommandLine.Mixin
    PresetOption preset;

    @picocli.CommandLine.Mixin
    LimitOptions limits;

    @Override
    public Integer call() throws Exception {
        List<Path> images = listImages();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ConsoleProgress progress = new ConsoleProgress(err);
        int skipped = 0;
        execution.apply(spec.commandLine().getErr());
        try (SegmentationModel model = SegmentationModel.load(modelOption.file())) {
            ImageSegmenter segmenter = preset.segmenter(model, limits.limits());
            DatasetSpec dataset = segmenter.dataset();
            ConfusionMatrix matrix = new ConfusionMatrix(dataset.numClasses());
            long started = System.nanoTime();
            for (int i = 0; i < images.size(); i++) {
                Path image = images.get(i);
                try {
                    Path label = labelFor(image);
                    LabelImage truth = readLabels(label);
                    SegmentationResult result = segmenter.segment(image);
                    matrix.add(truth.values(), predictionAtSize(result, truth.rows(), truth.cols()), ignore);
                } catch (DilationException | IllegalArgumentException e) {
                    skipped++;
                    progress.interrupt();
                    err.println("dilation4j evaluate: skipped " + image + ": " + e.getMessage());
                }
                progress.items("Evaluating", i + 1, images.size(), "images",
                        (i + 1) / ((System.nanoTime() - started) / 1e9));
            }
            printTable(out, dataset, matrix, images.size() - skipped);
            if (jsonTarget != null) {
                writeJson(dataset, matrix, images.size() - skipped);
            }
        }
        return skipped == 0 ? 0 : SegmentCommand.SOME_FAILED;
    }

    private List<Path> listImages() throws IOException, InvalidInputException {
        for (Path dir : List.of(imagesDir, labelsDir)) {
            if (!Files.isDirectory(dir)) {
                throw new InvalidInputException("Directory " + dir + " does not exist.");
            }
        }
        try (Stream<Path> files = Files.list(imagesDir)) {
            List<Path> images = files.filter(Files::isRegularFile).sorted().toList();
            if (images.isEmpty()) {
                throw new InvalidInputException("Directory " + imagesDir + " holds no images.");
            }
            return images;
        }
    }

    private Path labelFor(Path image) throws InvalidInputException, IOException {
        String stem = SegmentCommand.stem(image);
        try (Stream<Path> files = Files.list(labelsDir)) {
            Optional<Path> label = files.filter(f -> SegmentCommand.stem(f).equals(stem)).sorted().findFirst();
            return label.orElseThrow(() -> new InvalidInputException("no label image named " + stem + ".* in "
                    + labelsDir));
        }
    }

    /** A decoded label image: class index per pixel, row-major. */
    private record LabelImage(int[] values, int rows, int cols) {
    }

    private static LabelImage readLabels(Path label) throws InvalidInputException {
        try (Mat mat = opencv_imgcodecs.imread(label.toString(), opencv_imgcodecs.IMREAD_UNCHANGED)) {
            if (mat == null || mat.empty()) {
                throw new InvalidInputException("cannot decode label image " + label);
            }
            if (mat.channels() != 1 || mat.depth() != opencv_core.CV_8U) {
                throw new InvalidInputException("label image " + label + " has " + mat.channels()
                        + " channel(s); labels must be 8-bit single-channel class-index images, not color images");
            }
            return new LabelImage(toInts(mat), mat.rows(), mat.cols());
        }
    }

    /** The predicted labels at the label image's size (nearest neighbour when the sizes differ). */
    private static int[] predictionAtSize(SegmentationResult result, int rows, int cols) {
        if (rows == result.height() && cols == result.width()) {
            return result.labels();
        }
        try (Mat predicted = SegmentationImages.labels(result); Mat resized = new Mat(); Size size = new Size(cols, rows)) {
            opencv_imgproc.resize(predicted, resized, size, 0, 0, opencv_imgproc.INTER_NEAREST);
            return toInts(resized);
        }
    }

    private static int[] toInts(Mat mat) {
        try (Mat continuous = mat.clone()) {
            ByteBuffer bytes = continuous.createBuffer();
            int[] values = new int[mat.rows() * mat.cols()];
            for (int i = 0; i < values.length; i++) {
                values[i] = bytes.get(i) & 0xff;
            }
            return values;
        }
    }

    private static void printTable(PrintWriter out, DatasetSpec dataset, ConfusionMatrix matrix, int images) {
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

    private void writeJson(DatasetSpec dataset, ConfusionMatrix matrix, int images) throws IOException {
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
        String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document);
        if (jsonTarget.equals("-")) {
            spec.commandLine().getOut().println(text);
        } else {
            Files.writeString(Path.of(jsonTarget), text + System.lineSeparator());
        }
    }

    private static Double finite(double value) {
        return Double.isNaN(value) ? null : value;
    }

    private static String percent(double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f%%", 100 * value);
    }
}
