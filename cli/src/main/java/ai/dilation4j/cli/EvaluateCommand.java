package ai.dilation4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.evaluate.ConfusionMatrix;
import ai.dilation4j.runtime.evaluate.EvaluationReport;
import ai.dilation4j.runtime.evaluate.LabelFormat;
import ai.dilation4j.runtime.evaluate.LabelImage;
import ai.dilation4j.runtime.evaluate.LabelReader;
import ai.dilation4j.runtime.evaluate.LabelledImages;
import ai.dilation4j.runtime.image.ImageLimits;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.model.SegmenterOptions;
import ai.dilation4j.runtime.segment.ImageSegmenter;
import ai.dilation4j.runtime.segment.SegmentationResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Segment a labelled image set and score it: one confusion matrix over all images at image "
                + "resolution, per-class IoU and accuracy, mean IoU, pixel accuracy, mean class accuracy.",
                "Each image is paired with its label image (see --label-format), which must have the image's size; "
                        + "images without a usable label are skipped and named."},
        footer = {"", "Exit codes: 0 scored, 1 the command failed, 2 invalid usage, 3 some images were skipped "
                + "(reported by name; the scores cover the others)."})
final class EvaluateCommand implements Callable<Integer> {

    /** The {@code --label-format} choices: the runtime's formats, and detection from the file names. */
    enum LabelFormatChoice { auto, index, cityscapes }

    private static final int MAX_IGNORE = 255;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    ExecutionOptions execution;

    @picocli.CommandLine.Mixin
    ModelOption modelOption;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Directory of input images (and its subdirectories for Cityscapes).")
    Path imagesDir;

    @Option(names = "--labels", required = true, paramLabel = "DIR", description = "Directory of label images (and its subdirectories for Cityscapes).")
    Path labelsDir;

    @Option(names = "--label-format", defaultValue = "auto", paramLabel = "FORMAT",
            description = {"How labels are stored and paired with images (default: ${DEFAULT-VALUE}):",
                    "index: 8-bit class index per pixel in a gray or palette PNG (PASCAL VOC's SegmentationClass; "
                            + "the palette is not looked at), named like the image's file stem, both directories "
                            + "flat;",
                    "cityscapes: Cityscapes' *_gtFine_labelIds.png, label IDs mapped to the 19 train IDs (all other "
                            + "IDs ignored), paired with the *_leftImg8bit.png image of the same frame anywhere "
                            + "under the directories (leftImg8bit/val/<city>/, gtFine/val/<city>/);",
                    "auto: cityscapes when --labels holds *_gtFine_labelIds.png files, index otherwise."})
    LabelFormatChoice labelFormat;

    @Option(names = "--ignore", defaultValue = "255", paramLabel = "VALUE",
            description = "Label value excluded from scoring, 0..255 (default: ${DEFAULT-VALUE}; -1 for none). "
                    + "Cityscapes labels always ignore the IDs outside the 19 train classes.")
    int ignore;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the scores and the confusion matrix as JSON to FILE ('-' for stdout).")
    String jsonTarget;

    @Option(names = "--list", paramLabel = "FILE",
            description = "Score only the images whose file stems FILE lists, one per line (PASCAL VOC's "
                    + "ImageSets/Segmentation/val.txt). A listed stem with no image is refused before anything runs "
                    + "(the list's line is named); a listed image without its label is skipped and reported. Without "
                    + "it, every image that has a label is scored; images without one (most of VOC's JPEGImages) are "
                    + "counted in one line and not scored.")
    Path listFile;

    @picocli.CommandLine.Mixin
    PresetOption preset;

    @picocli.CommandLine.Mixin
    LimitOptions limits;

    @Override
    public Integer call() throws Exception {
        OptionRanges.requireBetween(spec.commandLine(), "--ignore", ignore, -1, MAX_IGNORE);
        ImageLimits imageLimits = limits.limits();
        LabelFormat format = labelFormat();
        List<LabelledImages.Entry> entries = scoredEntries(format);
        int ignored = ignoredValue(format);
        LabelReader reader = new LabelReader(format, imageLimits);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ConsoleProgress progress = new ConsoleProgress(err);
        int skipped = 0;
        execution.apply(spec.commandLine().getErr());
        try (SegmentationModel model = SegmentationModel.load(modelOption.file());
             Segmenter segmenter = model.segmenter(SegmenterOptions.builder().limits(imageLimits)
                     .dataset(preset.dataset()).build())) {
            DatasetSpec dataset = segmenter.dataset();
            checkClasses(format, dataset);
            ConfusionMatrix matrix = new ConfusionMatrix(dataset.numClasses());
            long started = System.nanoTime();
            for (int i = 0; i < entries.size(); i++) {
                LabelledImages.Entry entry = entries.get(i);
                try {
                    score(segmenter, reader, entry, matrix, ignored);
                } catch (DilationException | IllegalArgumentException e) {
                    skipped++;
                    progress.interrupt();
                    err.println("dilation4j evaluate: skipped " + entry.image() + ": " + e.getMessage());
                }
                progress.items("Evaluating", i + 1, entries.size(), "images",
                        (i + 1) / ((System.nanoTime() - started) / 1e9));
            }
            EvaluationReport report = new EvaluationReport(dataset, matrix, entries.size() - skipped);
            report.printTable(out);
            if (jsonTarget != null) {
                writeJson(report);
            }
        }
        return skipped == 0 ? 0 : SegmentCommand.SOME_FAILED;
    }

    /**
     * The images to score: those {@code --list} names (an image without its label kept, to be reported), or else every
     * image that has a label, with one line for those that have none.
     */
    private List<LabelledImages.Entry> scoredEntries(LabelFormat format) throws IOException, InvalidInputException {
        if (listFile != null) {
            if (!Files.isRegularFile(listFile)) {
                throw new ParameterException(spec.commandLine(), "--list " + listFile + " is not a file");
            }
            return LabelledImages.listed(imagesDir, labelsDir, format, listFile);
        }
        List<LabelledImages.Entry> all = LabelledImages.pair(imagesDir, labelsDir, format);
        List<LabelledImages.Entry> labelled = all.stream().filter(entry -> entry.label().isPresent()).toList();
        if (labelled.isEmpty()) {
            throw new InvalidInputException("None of the " + all.size() + " images in " + imagesDir + " has a label "
                    + "in " + labelsDir + " (for " + all.get(0).image().getFileName() + ", "
                    + all.get(0).expectedLabel() + " was looked for).");
        }
        if (labelled.size() < all.size()) {
            spec.commandLine().getErr().println("dilation4j evaluate: " + (all.size() - labelled.size()) + " of "
                    + all.size() + " images have no label in " + labelsDir + " and are not scored.");
        }
        return labelled;
    }

    private LabelFormat labelFormat() throws IOException, InvalidInputException {
        return switch (labelFormat) {
            case index -> LabelFormat.INDEX;
            case cityscapes -> LabelFormat.CITYSCAPES;
            case auto -> {
                if (!Files.isDirectory(labelsDir)) {
                    throw new InvalidInputException("Directory " + labelsDir + " does not exist.");
                }
                yield LabelFormat.detect(labelsDir);
            }
        };
    }

    /** The label value not scored: --ignore, or for Cityscapes the value every unscored label ID was mapped to. */
    private int ignoredValue(LabelFormat format) {
        try {
            return format.ignoredValue(spec.commandLine().getParseResult().hasMatchedOption("--ignore") ? ignore : null);
        } catch (InvalidInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    private void checkClasses(LabelFormat format, DatasetSpec dataset) {
        try {
            format.requireClasses(dataset, labelsDir.toString());
        } catch (InvalidInputException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Reads the label, then segments the image if the two have the same size, and counts the pixels. */
    private void score(Segmenter segmenter, LabelReader reader, LabelledImages.Entry entry,
                       ConfusionMatrix matrix, int ignored) throws DilationException {
        Path label = entry.label().orElseThrow(() -> new InvalidInputException("no label image named "
                + entry.expectedLabel() + " in " + labelsDir));
        LabelImage truth = reader.read(label);
        try (ImageSegmenter.Prepared prepared = segmenter.prepare(entry.image())) {
            truth.requireSize(label.toString(), entry.image().toString(), prepared.image().width(), prepared.image().height());
            SegmentationResult result = segmenter.finish(segmenter.infer(prepared));
            matrix.add(truth, result.labels(), ignored);
        }
    }

    private void writeJson(EvaluationReport report) throws IOException {
        Map<String, Object> document = report.document();
        String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(document);
        if (jsonTarget.equals("-")) {
            spec.commandLine().getOut().println(text);
        } else {
            Files.writeString(Path.of(jsonTarget), text + System.lineSeparator());
        }
    }
}
