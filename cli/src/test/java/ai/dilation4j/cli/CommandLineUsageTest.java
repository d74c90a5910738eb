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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

    /**
     * Every command words a numeric option out of its range alike, as a usage error found before the model loads
     * (the model named does not exist: loading it would exit 1).
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "segment --max-tiles 0 a.png|--max-tiles must be at least 1 (got 0)",
            "segment --max-pixels -5 a.png|--max-pixels must be at least 1 (got -5)",
            "segment --max-aspect-ratio 0.5 a.png|--max-aspect-ratio must be at least 1 (got 0.5)",
            "segment --max-aspect-ratio NaN a.png|--max-aspect-ratio must be at least 1 (got NaN)",
            "evaluate --images . --labels . --ignore 256|--ignore must be between -1 and 255 (got 256)",
            "evaluate --images . --labels . --ignore -2|--ignore must be between -1 and 255 (got -2)",
            "evaluate --images . --labels . --max-bytes 0|--max-bytes must be at least 1 (got 0)",
            "bench --repeat 0|--repeat must be at least 1 (got 0)",
            "bench --layers -1|--layers must be at least 0 (got -1)",
            "bench --threads 0|--threads must be at least 1 (got 0)",
            "bench --size 0x500|--size height must be at least 1 (got 0)",
            "bench --size 500x-3|--size width must be at least 1 (got -3)",
            "bench --size 500|--size must look like 900x900 (height x width) (got '500')",
            "serve --threads 0|--threads must be between 1 and 64 (got 0)",
            "serve --tile-batch 65|--tile-batch must be between 1 and 64 (got 65)"})
    void numericOptionsOutOfRangeAreUsageErrorsWordedAlike(String arguments, String message) {
        String[] words = arguments.split(" ");
        String[] args = new String[words.length + 1];
        args[0] = words[0];
        args[1] = "--model=no-such-model.zip";
        System.arraycopy(words, 1, args, 2, words.length - 1);
        CliRun run = CliRun.of(args);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().lines()).as(run.toString()).containsExactly("dilation4j " + words[0] + ": " + message,
                "See 'dilation4j " + words[0] + " --help'.");
        assertThat(run.out()).isEmpty();
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
