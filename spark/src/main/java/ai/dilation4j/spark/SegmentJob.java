package ai.dilation4j.spark;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

import org.apache.spark.sql.SparkSession;

import ai.dilation4j.models.ModelZoo;
import ai.dilation4j.runtime.output.OutputKind;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "dilation4j-spark segment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Segment images on a Spark cluster as `dilation4j segment` does: the same files, byte for byte, "
                + "for each image under the input (its relative path kept):",
                "  <path>/<stem>_color.png, _labels.png, _palette.png, _prob.npy, _overlay.png (see --output-kinds),",
                "one JSON line per image in <output>/results/ (the segment command's line plus \"status\": ok or "
                        + "failed, with \"error\"), and <output>/_SUCCESS when everything is written.",
                "Images that cannot be segmented are failed rows; they never fail the job.",
                "Run with spark-submit --class ai.dilation4j.spark.SegmentJob dilation4j-spark.jar OPTIONS."},
        footer = {"", "Exit codes: 0 done (see the summary for failed images), 1 the job failed, 2 invalid usage."})
public final class SegmentJob extends JobCommand {

    @Option(names = "--input", required = true, paramLabel = "PATH|GLOB",
            description = "Images: a file, a directory (searched recursively) or a Hadoop glob "
                    + "(hdfs:///data/leftImg8bit/val/*/*.png), on any Hadoop file system.")
    String input;

    @Option(names = "--output", required = true, paramLabel = "DIR",
            description = "Output directory on any Hadoop file system; refused if it holds a finished run.")
    String output;

    @Option(names = "--output-kinds", split = ",", defaultValue = "color,labels", paramLabel = "KIND",
            description = "Files to write per image: color, labels, palette, prob, overlay (default: ${DEFAULT-VALUE}).")
    List<String> outputKinds;

    @Option(names = "--include", paramLabel = "GLOB",
            description = "File-name pattern of the images (default: the segment command's image extensions, "
                    + "*.{png,jpg,jpeg,...} in either case).")
    String include;

    @Option(names = "--no-recursive", description = "Do not search the input's subdirectories.")
    boolean noRecursive;

    public static void main(String[] args) {
        JobCommand.main(new SegmentJob(), args);
    }

    @Override
    void checkOptions() {
        options();
    }

    @Override
    int run(SparkSession spark, ModelZoo zoo, PrintWriter err) throws Exception {
        SegmentJobOptions options = options();
        SparkSegmentation.Summary summary = SparkSegmentation.run(spark, options, zoo);
        err.printf(Locale.ROOT, "%s: %d images in %.1f s (%.2f images/s): %d segmented, %d failed%s; JSON lines in %s%n",
                spec.qualifiedName(), summary.images(), summary.seconds(), summary.imagesPerSecond(),
                summary.segmented(), summary.failed(), summary.failed() == 0 ? ""
                        : " (rows with \"status\":\"failed\" say why)", summary.results());
        err.flush();
        return 0;
    }

    private SegmentJobOptions options() {
        SegmentJobOptions.Builder builder = SegmentJobOptions.builder().model(model).input(input).output(output)
                .recursive(!noRecursive).outputKinds(kinds()).threadsPerTask(threadsPerTask())
                .imagesPerTask(imagesPerTask).limits(limits());
        if (include != null) {
            builder.include(include);
        }
        return builder.build();
    }

    private List<OutputKind> kinds() {
        try {
            return OutputKind.parseAll("--output-kinds", outputKinds);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
