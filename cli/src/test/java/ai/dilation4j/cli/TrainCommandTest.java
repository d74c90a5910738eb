package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import ai.dilation4j.train.testing.ShapesDataset;
import ai.dilation4j.train.testing.TinyDilatedNet;

class TrainCommandTest {

    @TempDir
    static Path dir;
    static Path model;
    static Path train;
    static Path validation;

    @BeforeAll
    static void drawDataAndModel() throws Exception {
        model = TinyDilatedNet.write(dir);
        train = ShapesDataset.write(dir.resolve("train"), 16, 64, 1);
        validation = ShapesDataset.write(dir.resolve("val"), 4, 64, 2);
    }

    @Test
    void trainsAndWritesAModelThatEvaluateLoads() {
        Path output = dir.resolve("tuned.zip");
        CliRun run = CliRun.of("train", "--model", model.toString(),
                "--images", train.resolve("images").toString(), "--labels", train.resolve("labels").toString(),
                "--val-images", validation.resolve("images").toString(),
                "--val-labels", validation.resolve("labels").toString(),
                "--classes", "background,disc,box", "--palette", "000000,ff0000,#0000ff",
                "--crop", String.valueOf(TinyDilatedNet.CROP), "--batch", "4", "--iterations", "6", "--lr", "0.05",
                "--checkpoint-every", "4", "-o", output.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).contains("the final layer starts afresh")
                .containsPattern("Iteration 6/6  loss \\d+\\.\\d{4}  lr 0\\.0500  \\d+\\.\\d\\d images/s  ETA 0:00:00")
                .contains("Epoch 0 (iteration 0): validation mean IoU")
                .contains("Epoch 1 (iteration 4): validation mean IoU")
                .contains("Iteration 4: wrote " + dir.resolve("tuned.checkpoint.zip"))
                .doesNotContain("Exception");
        assertThat(run.out()).contains("Wrote " + output + " after 6 iterations, validation mean IoU 0.");
        assertThat(dir.resolve("tuned.checkpoint.zip")).doesNotExist();

        CliRun evaluate = CliRun.of("evaluate", "--model", output.toString(),
                "--images", validation.resolve("images").toString(), "--labels", validation.resolve("labels").toString());
        assertThat(evaluate.exitCode()).as(evaluate.toString()).isZero();
        assertThat(evaluate.out()).contains("disc").contains("box");

        CliRun more = CliRun.of("train", "--resume", output.toString(),
                "--images", train.resolve("images").toString(), "--labels", train.resolve("labels").toString(),
                "--iterations", "8", "-o", dir.resolve("more.zip").toString());
        assertThat(more.exitCode()).as(more.toString()).isZero();
        assertThat(more.err()).contains("Iteration 8/8").doesNotContain("Iteration 6/");
    }

    @Test
    void aBadLabelValueFailsWithOneLineNamingTheFileAndWritesNothing() throws Exception {
        Path data = ShapesDataset.write(dir.resolve("bad"), 2, 32, 5);
        BufferedImage label = new BufferedImage(32, 32, BufferedImage.TYPE_BYTE_GRAY);
        label.getRaster().setSample(5, 6, 0, 9);
        Path bad = data.resolve("labels/shape001.png");
        ImageIO.write(label, "png", bad.toFile());
        Path output = dir.resolve("bad.zip");
        CliRun run = CliRun.of("train", "--model", model.toString(),
                "--images", data.resolve("images").toString(), "--labels", data.resolve("labels").toString(),
                "--classes", "background,disc,box", "--crop", "46", "-o", output.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err().strip().lines()).hasSize(1);
        assertThat(run.err()).contains(bad.toString()).contains("value 9 at x=5, y=6").doesNotContain("\tat ");
        assertThat(output).doesNotExist();
        assertThat(Files.list(dir).filter(f -> f.getFileName().toString().startsWith("bad.")).count()).isZero();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--images i --labels l -o o.zip | give --model FILE|PRESET to start, or --resume CKPT to continue a run",
            "--model m --resume c --images i --labels l -o o.zip | not both",
            "--model m --images i --labels l --val-images v -o o.zip | give --val-images and --val-labels together",
            "--model m --images i --labels l --batch 0 -o o.zip | --batch must be between 1 and 1024 (got 0)",
            "--model m --images i --labels l --iterations 0 -o o.zip | --iterations must be at least 1 (got 0)",
            "--model m --images i --labels l --lr 0 -o o.zip | --lr must be greater than 0 (got 0)",
            "--model m --images i --labels l --freeze sideways -o o.zip | --freeze must be frontend or none",
            "--model m --images i --labels l --palette 12345g -o o.zip | is not RRGGBB hex",
            "--model m --images i --labels l --classes a,b --palette 000000 -o o.zip | names 2 classes but",
            "--resume c --images i --labels l --batch 4 -o o.zip | --batch comes from the checkpoint",
    })
    void usageErrorsExit2BeforeAnythingLoads(String arguments, String message) {
        CliRun run = CliRun.of(("train " + arguments).split(" "));
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains(message).contains("See 'dilation4j train --help'.");
    }

    /** Ctrl-C and `kill` both run the JVM's shutdown hooks; the child JVM gets SIGTERM, the same path as SIGINT. */
    @Test
    void stoppingTheProcessWritesACheckpointToResumeFrom() throws Exception {
        Path output = dir.resolve("signalled.zip");
        Path log = dir.resolve("signalled.err");
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "train",
                "--model", model.toString(), "--images", train.resolve("images").toString(),
                "--labels", train.resolve("labels").toString(), "--classes", "background,disc,box",
                "--crop", String.valueOf(TinyDilatedNet.CROP), "--iterations", "1000000", "-o", output.toString())
                .redirectError(log.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(2);
            while (!(Files.exists(log) && Files.readString(log).contains("Iteration 1/1000000"))) {
                assertThat(child.isAlive()).as("training started").isTrue();
                assertThat(System.nanoTime()).as("first iteration within 2 minutes").isLessThan(deadline);
                Thread.sleep(200);
            }
            child.destroy();
            assertThat(child.waitFor(2, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        Path checkpoint = dir.resolve("signalled.checkpoint.zip");
        assertThat(Files.readString(log)).contains("holds the run: continue it with --resume " + checkpoint);
        assertThat(checkpoint).exists();
        assertThat(output).doesNotExist();
        CliRun inspect = CliRun.of("inspect", "--model", checkpoint.toString());
        assertThat(inspect.exitCode()).as(inspect.toString()).isZero();
    }
}
