package ai.dilation4j.spark;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.apache.spark.SparkException;
import org.apache.spark.sql.SparkSession;

import ai.dilation4j.models.ModelZoo;
import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.image.ImageLimits;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * What the two jobs' commands share: {@code --model} and {@code --threads-per-task}, the Spark session (from
 * {@code spark-submit}'s settings), and the exit codes and one-line messages of the {@code dilation4j} CLI: 0 done,
 * 1 failed, 2 invalid usage; a bad model, input or option is reported on the driver before any task runs.
 */
abstract class JobCommand implements Callable<Integer> {

    static final int FAILED = 1;
    static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "PRESET|FILE|URI",
            description = "A preset (pascal_voc, camvid, kitti, cityscapes: fetched and converted on the driver on first "
                    + "use, into ~/.cache/dilation4j or $DILATION4J_CACHE), a model file written by `dilation4j "
                    + "convert`, or a Hadoop URI of one (hdfs://, s3a://). The driver checks it and ships it to the "
                    + "executors (as --files would); each executor JVM loads it once.")
    String model;

    @Option(names = "--threads-per-task", paramLabel = "N",
            description = "Native threads of one forward pass (default: the task's cores, spark.task.cpus). Set "
                    + "spark.task.cpus to the same N so that an executor runs only as many tasks as it has cores for.")
    Integer threadsPerTask;

    @Option(names = "--max-bytes", paramLabel = "BYTES", defaultValue = "" + ImageLimits.DEFAULT_MAX_ENCODED_BYTES,
            description = "Largest image file read (default: ${DEFAULT-VALUE}); larger files are failed rows.")
    long maxBytes;

    @Option(names = "--max-pixels", paramLabel = "N", defaultValue = "" + ImageLimits.DEFAULT_MAX_PIXELS,
            description = "Largest image (width x height) accepted (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    @Option(names = "--max-tiles", paramLabel = "N", defaultValue = "" + ImageLimits.DEFAULT_MAX_TILES,
            description = "Most network tiles one image may need (default: ${DEFAULT-VALUE}).")
    long maxTiles;

    @Option(names = "--images-per-task", paramLabel = "N", defaultValue = "" + JobOptions.DEFAULT_IMAGES_PER_TASK,
            description = "About how many images one task takes (default: ${DEFAULT-VALUE}; at least 3 tasks per "
                    + "slot); a failed task repeats that many.")
    int imagesPerTask;

    /** Checks the command's own options before Spark starts: a usage error is a {@code ParameterException}. */
    abstract void checkOptions();

    /** Runs the job in {@code spark}; returns the exit code. */
    abstract int run(SparkSession spark, ModelZoo zoo, PrintWriter err) throws Exception;

    @Override
    public Integer call() throws Exception {
        if (threadsPerTask != null) {
            requireAtLeastOne("--threads-per-task", threadsPerTask);
        }
        requireAtLeastOne("--max-bytes", maxBytes);
        requireAtLeastOne("--max-pixels", maxPixels);
        requireAtLeastOne("--max-tiles", maxTiles);
        requireAtLeastOne("--images-per-task", imagesPerTask);
        checkOptions();
        PrintWriter err = spec.commandLine().getErr();
        SparkSession spark;
        try {
            spark = SparkSession.builder().appName("dilation4j " + spec.name()).getOrCreate();
        } catch (RuntimeException e) {
            err.println(spec.qualifiedName() + ": error: cannot start Spark (" + e.getMessage() + "); run the job "
                    + "with spark-submit, e.g. spark-submit --master local[2] --class " + getClass().getName()
                    + " dilation4j-spark.jar ...");
            return FAILED;
        }
        int taskCpus = spark.sparkContext().getConf().getInt("spark.task.cpus", 1);
        if (threadsPerTask != null && threadsPerTask > taskCpus) {
            err.println(spec.qualifiedName() + ": warning: --threads-per-task " + threadsPerTask + " with spark.task.cpus="
                    + taskCpus + ": executors run more native threads than they have cores; add --conf "
                    + "spark.task.cpus=" + threadsPerTask + ".");
        }
        try {
            return run(spark, ModelZoo.standard(), err);
        } catch (DilationException | java.io.IOException e) {
            err.println(spec.qualifiedName() + ": error: " + e.getMessage());
            return FAILED;
        } catch (SparkException e) {
            err.println(spec.qualifiedName() + ": error: the Spark job failed: " + rootMessage(e));
            return FAILED;
        }
    }

    /** The image limits the options give (the aspect-ratio limit is the CLI's default). */
    ImageLimits limits() {
        return new ImageLimits(maxBytes, maxPixels, maxTiles, ImageLimits.DEFAULT_MAX_ASPECT_RATIO);
    }

    private void requireAtLeastOne(String option, long value) {
        if (value < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " must be at least 1 (got " + value
                    + ")");
        }
    }

    int threadsPerTask() {
        return threadsPerTask == null ? 0 : threadsPerTask;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.toString() : root.getMessage();
    }

    /** Parses, runs and exits the JVM with the command's code, as spark-submit reports it. */
    static void main(JobCommand command, String[] args) {
        int code = execute(new CommandLine(command), args);
        SparkSession.getActiveSession().foreach(session -> {
            session.stop();
            return null;
        });
        System.exit(code);
    }

    /** Parses and runs a job's command line; returns the exit code. */
    static int execute(CommandLine commandLine, String... args) {
        commandLine.setParameterExceptionHandler((e, unused) -> {
            PrintWriter err = e.getCommandLine().getErr();
            String name = e.getCommandLine().getCommandSpec().qualifiedName();
            err.println(name + ": " + e.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
            err.println("See '" + name + " --help'.");
            err.flush();
            return USAGE;
        });
        return commandLine.execute(args);
    }
}
