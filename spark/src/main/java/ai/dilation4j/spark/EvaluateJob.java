package ai.dilation4j.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

import ai.dilation4j.models.ModelZoo;
import ai.dilation4j.runtime.evaluate.LabelFormat;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "dilation4j-spark evaluate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score a labelled image set on a Spark cluster as `dilation4j evaluate` does: each partition's "
                + "images counted into a confusion matrix at image resolution, the matrices summed on the driver, "
                + "the same table (stdout) and JSON (--json).",
                "Run with spark-submit --class ai.dilation4j.spark.EvaluateJob dilation4j-spark.jar OPTIONS."},
        footer = {"", "Exit codes: 0 scored, 1 the job failed, 2 invalid usage, 3 some images were skipped (named on "
                + "standard error; the scores cover the others)."})
public final class EvaluateJob extends JobCommand {

    /** The {@code --label-format} choices, as the CLI's. */
    enum LabelFormatChoice { auto, index, cityscapes }

    static final int SOME_SKIPPED = 3;

    @Option(names = "--images", required = true, paramLabel = "DIR",
            description = "Directory of the images (searched recursively for Cityscapes), on any Hadoop file system.")
    String images;

    @Option(names = "--labels", required = true, paramLabel = "DIR",
            description = "Directory of the label images (searched recursively for Cityscapes).")
    String labels;

    @Option(names = "--label-format", defaultValue = "auto", paramLabel = "FORMAT",
            description = {"index: 8-bit class indices in gray or palette PNGs named like the images' stems, both "
                    + "directories flat; cityscapes: *_gtFine_labelIds.png paired with the *_leftImg8bit.png of the "
                    + "same frame anywhere under the directories; auto (default): cityscapes when --labels holds "
                    + "*_gtFine_labelIds.png files."})
    LabelFormatChoice labelFormat;

    @Option(names = "--ignore", paramLabel = "VALUE",
            description = "Label value excluded from scoring, 0..255 (default: 255; -1 for none). Cityscapes labels "
                    + "always ignore the IDs outside the 19 train classes.")
    Integer ignore;

    @Option(names = "--list", paramLabel = "FILE",
            description = "Score only the images whose file stems FILE lists, one per line (PASCAL VOC's "
                    + "ImageSets/Segmentation/val.txt; any Hadoop file system). A listed stem with no image is refused "
                    + "before any task runs; a listed image without its label is skipped and named.")
    String list;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the scores and the confusion matrix as JSON to FILE (any Hadoop file system; "
                    + "'-' for stdout).")
    String json;

    public static void main(String[] args) {
        JobCommand.main(new EvaluateJob(), args);
    }

    @Override
    void checkOptions() {
        if (ignore != null && (ignore < -1 || ignore > 255)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--ignore must be between -1 and 255 (got "
                    + ignore + ")");
        }
    }

    @Override
    int run(SparkSession spark, ModelZoo zoo, PrintWriter err) throws Exception {
        LabelFormat format = switch (labelFormat) {
            case auto -> null;
            case index -> LabelFormat.INDEX;
            case cityscapes -> LabelFormat.CITYSCAPES;
        };
        SparkEvaluation.Result result = SparkEvaluation.run(spark, EvaluateJobOptions.builder().model(model)
                .images(images).labels(labels).format(format).ignore(ignore).list(list)
                .threadsPerTask(threadsPerTask()).imagesPerTask(imagesPerTask).limits(limits()).build(), zoo);
        if (result.unlabelled() > 0) {
            err.println(spec.qualifiedName() + ": " + result.unlabelled() + " of " + result.images() + " images have no "
                    + "label in " + labels + " and are not scored.");
        }
        for (String skipped : result.skipped()) {
            err.println(spec.qualifiedName() + ": skipped " + skipped);
        }
        err.flush();
        PrintWriter out = spec.commandLine().getOut();
        result.report().printTable(out);
        if (json != null) {
            writeJson(spark, result);
        }
        return result.skipped().isEmpty() ? 0 : SOME_SKIPPED;
    }

    private void writeJson(SparkSession spark, SparkEvaluation.Result result) throws IOException {
        String text = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(result.report().document());
        if (json.equals("-")) {
            spec.commandLine().getOut().println(text);
            spec.commandLine().getOut().flush();
            return;
        }
        Path file = new Path(json);
        FileSystem fs = file.getFileSystem(spark.sparkContext().hadoopConfiguration());
        try (OutputStream out = fs.create(file, true)) {
            out.write((text + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
        }
    }
}
