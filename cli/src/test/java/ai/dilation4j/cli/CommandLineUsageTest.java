package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How the command line answers misuse: one line naming the problem and a pointer to {@code --help}, exit code 2;
 * and where it writes: never one result over another, never over an input.
 */
class CommandLineUsageTest {

    static Path model;

    @BeforeAll
    static void convert() throws IOException {
        model = TinyModel.converted();
    }

    @Test
    void noArgumentsIsAUsageError() {
        CliRun run = CliRun.of();
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Usage: dilation4j");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void aBadOptionValueGetsOneLineAndAPointerToHelp(@TempDir Path dir) throws Exception {
        Path image = TinyModel.image(dir.resolve("a.png"), 20, 20, 1);
        for (String[] args : new String[][] {
                {"segment", "--model", model.toString(), "--max-tiles", "0", image.toString()},
                {"segment", "--model", model.toString(), "--output", "bogus", image.toString()},
                {"segment", "--model", model.toString(), "--max-aspect-ratio", "0.5", image.toString()},
                {"segment", "--model", model.toString(), "--bogus", image.toString()}}) {
            CliRun run = CliRun.of(args);
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
            assertThat(run.err().lines().filter(line -> !line.startsWith("Did you mean"))
                    .filter(line -> !line.startsWith("        ")))
                    .as(run.toString()).hasSize(2);
            assertThat(run.err()).as(run.toString()).contains("dilation4j segment: ")
                    .contains("See 'dilation4j segment --help'.").doesNotContain("Usage:");
        }
    }

    @Test
    void anOutputDirectoryThatIsAFileIsAUsageError(@TempDir Path dir) throws Exception {
        Path image = TinyModel.image(dir.resolve("a.png"), 20, 20, 1);
        Path file = Files.writeString(dir.resolve("results"), "keep me");
        CliRun run = CliRun.of("segment", "--model", model.toString(), "-o", file.toString(), image.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).contains("--out " + file + " is a file; give a directory");
        assertThat(Files.readString(file)).isEqualTo("keep me");
    }

    @Test
    void inputsWithTheSameStemKeepTheirExtensionInOutputNames(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        TinyModel.image(images.resolve("photo.png"), 20, 20, 1);
        TinyModel.image(images.resolve("photo.jpg"), 24, 20, 2);
        TinyModel.image(images.resolve("other.png"), 20, 28, 3);
        Path out = dir.resolve("out");
        CliRun run = CliRun.of("segment", "--model", model.toString(), "-o", out.toString(), images.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(out.resolve("photo.png_labels.png")).exists();
        assertThat(out.resolve("photo.jpg_labels.png")).exists();
        assertThat(out.resolve("other_labels.png")).exists();
        assertThat(out.resolve("photo_labels.png")).doesNotExist();
        assertThat(run.out().lines()).hasSize(3);
    }

    @Test
    void theSameFileNameInTwoDirectoriesOrAResultOverAnInputIsRefused(@TempDir Path dir) throws Exception {
        Path first = TinyModel.image(Files.createDirectories(dir.resolve("a")).resolve("x.png"), 20, 20, 1);
        Path second = TinyModel.image(Files.createDirectories(dir.resolve("b")).resolve("x.png"), 20, 20, 2);
        CliRun clash = CliRun.of("segment", "--model", model.toString(), "-o", dir.resolve("out").toString(),
                first.toString(), second.toString());
        assertThat(clash.exitCode()).as(clash.toString()).isEqualTo(2);
        assertThat(clash.err()).contains("Inputs " + first + " and " + second + " would both write x.png_*");
        assertThat(dir.resolve("out")).doesNotExist();

        Path input = TinyModel.image(dir.resolve("a/x_labels.png"), 20, 20, 3);
        byte[] before = Files.readAllBytes(input);
        CliRun overwrite = CliRun.of("segment", "--model", model.toString(), "-o", dir.resolve("a").toString(),
                dir.resolve("a").toString());
        assertThat(overwrite.exitCode()).as(overwrite.toString()).isEqualTo(2);
        assertThat(overwrite.err()).contains("would overwrite the input " + input);
        assertThat(Files.readAllBytes(input)).isEqualTo(before);
    }

    @Test
    void theProgressLineIsEndedBeforeOtherOutputAndOnlyOnce() {
        StringWriter text = new StringWriter();
        ConsoleProgress progress = new ConsoleProgress(new PrintWriter(text), true);
        progress.interrupt();
        assertThat(text.toString()).as("nothing drawn, nothing to end").isEmpty();
        progress.items("Segmenting", 1, 3, "images", 0.5);
        progress.interrupt();
        progress.interrupt();
        progress.items("Segmenting", 3, 3, "images", 0.5);
        progress.interrupt();
        String nl = System.lineSeparator();
        assertThat(text.toString()).isEqualTo("\rSegmenting [##########....................] 1/3 images, 0.50/s " + nl
                + "\rSegmenting [##############################] 3/3 images, 0.50/s " + nl);
    }
}
