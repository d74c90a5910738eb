package ai.dilation4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

import picocli.CommandLine;

/** Usage errors exit with 2 and one line before Spark starts; the executors' concurrency follows the master. */
class JobCommandTest {

    @Test
    void usageErrorsExitWithTwoBeforeSparkStarts() {
        assertUsage(new SegmentJob(), "Missing required option", "--model", "m.zip", "--input", "in");
        assertUsage(new SegmentJob(), "--output-kinds jpeg is not a kind of output", "--model", "m.zip", "--input", "in",
                "--output", "out", "--output-kinds", "labels,jpeg");
        assertUsage(new SegmentJob(), "--threads-per-task must be at least 1 (got 0)", "--model", "m.zip", "--input",
                "in", "--output", "out", "--threads-per-task", "0");
        assertUsage(new SegmentJob(), "--max-tiles must be at least 1 (got 0)", "--model", "m.zip", "--input", "in",
                "--output", "out", "--max-tiles", "0");
        assertUsage(new EvaluateJob(), "--ignore must be between -1 and 255 (got 256)", "--model", "m.zip", "--images",
                "i", "--labels", "l", "--ignore", "256");
        assertThat(org.apache.spark.sql.SparkSession.getActiveSession().isDefined()).isFalse();
    }

    @Test
    void helpListsTheOptions() {
        StringWriter out = new StringWriter();
        CommandLine commandLine = new CommandLine(new SegmentJob()).setOut(new PrintWriter(out));
        assertThat(commandLine.execute("--help")).isZero();
        assertThat(out.toString()).contains("--input", "--output-kinds", "--threads-per-task", "spark-submit");
    }

    @Test
    void concurrentTasksFollowTheExecutorsCores() {
        assertThat(ExecutorSegmenters.executorCores(new SparkConf(false).set("spark.master", "local[3]"))).isEqualTo(3);
        assertThat(ExecutorSegmenters.executorCores(new SparkConf(false).set("spark.master", "local[2,4]")))
                .isEqualTo(2);
        assertThat(ExecutorSegmenters.executorCores(new SparkConf(false).set("spark.master", "local"))).isEqualTo(1);
        assertThat(ExecutorSegmenters.executorCores(new SparkConf(false).set("spark.master", "local[*]")))
                .isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(ExecutorSegmenters.executorCores(new SparkConf(false).set("spark.master", "yarn")
                .set("spark.executor.cores", "4"))).isEqualTo(4);
        assertThat(ExecutorSegmenters.executorCores(new SparkConf(false).set("spark.master", "spark://host:7077")))
                .isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    private static void assertUsage(JobCommand command, String message, String... args) {
        StringWriter err = new StringWriter();
        int code = JobCommand.execute(new CommandLine(command).setErr(new PrintWriter(err)), args);
        assertThat(code).as(err.toString()).isEqualTo(JobCommand.USAGE);
        assertThat(err.toString()).contains(message).doesNotContain("\tat ");
    }
}
