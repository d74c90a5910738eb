package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import ai.dilation4j.runtime.testing.SyntheticImages;
import ai.dilation4j.runtime.testing.TinyNetworks;

/** {@link TinyNetworks#PASCAL_VOC} converted through the CLI, and variants of it. */
final class TinyModel {

    static final String PROTOTXT = TinyNetworks.PASCAL_VOC;

    private static Path converted;

    /** {@link #PROTOTXT} with 256 channels into and out of {@code mix}: enough for Winograd's algorithm to pay. */
    static final String WIDE_MIX = PROTOTXT
            .replace("convolution_param { num_output: 128 kernel_size: 1 }",
                    "convolution_param { num_output: 256 kernel_size: 1 }")
            .replace("""
                    top: "mix"
                            convolution_param { num_output: 8 kernel_size: 3 pad: 1 }""", """
                    top: "mix"
                            convolution_param { num_output: 256 kernel_size: 3 pad: 1 }""");

    private TinyModel() {
    }

    /** The tiny network converted once per test JVM (in a temporary directory removed at exit), for tests that only read it. */
    static synchronized Path converted() throws IOException {
        if (converted == null) {
            Path dir = Files.createTempDirectory("dilation4j-tiny");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
                    files.sorted(java.util.Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
                } catch (IOException e) {
                    // a temporary directory left behind is harmless
                }
            }));
            converted = convert(dir);
        }
        return converted;
    }

    /** Writes the prototxt and random weights into {@code dir}; returns the prototxt. */
    static Path writeCaffeFiles(Path dir) throws IOException {
        return writeCaffeFiles(dir, PROTOTXT);
    }

    /**
     * {@link #PROTOTXT} for another input size; sizes other than 372 + a multiple of 8 give tile outputs that do not
     * match the valid region exactly (389x405: 2x4 per tile for a 17x33 region), which predict.py accepts.
     */
    static String withInput(int inputHeight, int inputWidth) {
        return PROTOTXT.replace("dim: 388 dim: 396", "dim: " + inputHeight + " dim: " + inputWidth);
    }

    /** Writes another network under the same file names (e.g. a variant of {@link #PROTOTXT}). */
    static Path writeCaffeFiles(Path dir, String network) throws IOException {
        Path prototxt = Files.writeString(dir.resolve("tiny_deploy.prototxt"), network);
        CliRun run = CliRun.of("random-weights", "--prototxt", prototxt.toString(), "-o",
                dir.resolve("tiny.caffemodel").toString(), "--seed", "5");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return prototxt;
    }

    /** Converts the tiny network with the pascal_voc preset; returns the model file. */
    static Path convert(Path dir) throws IOException {
        return convert(dir, PROTOTXT);
    }

    /** Converts another network (same preset and file names) with the pascal_voc preset. */
    static Path convert(Path dir, String network) throws IOException {
        Path prototxt = writeCaffeFiles(dir, network);
        Path model = dir.resolve("tiny.zip");
        CliRun run = CliRun.of("convert", "--prototxt", prototxt.toString(), "--weights",
                dir.resolve("tiny.caffemodel").toString(), "--preset", "pascal_voc", "-o", model.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return model;
    }

    /** A deterministic synthetic color scene of the given size ({@link SyntheticImages#scene}), PNG for a .png file. */
    static Path image(Path file, int height, int width, int seed) {
        return SyntheticImages.scene(file, height, width, seed);
    }
}
