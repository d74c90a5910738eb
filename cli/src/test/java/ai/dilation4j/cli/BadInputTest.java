package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.io.Npy;
import ai.dilation4j.testing.SmallNetworks;

/**
 * Every kind of bad input gets a message naming the file or layer and what to do, exit code 1 (2 for wrong
 * usage), and leaves no output file behind.
 */
class BadInputTest {

    private static final String NET = SmallNetworks.CONV_RELU_SCORE;

    @TempDir
    Path dir;
    Path prototxt;
    Path weights;
    Path output;

    @BeforeEach
    void writeValidModel() throws IOException {
        prototxt = write("net.prototxt", NET);
        weights = dir.resolve("net.caffemodel");
        assertThat(CliRun.of("random-weights", "--prototxt", prototxt.toString(), "-o", weights.toString())
                .exitCode()).isZero();
        output = dir.resolve("out").resolve("model.zip");
    }

    @Test
    void truncatedCaffemodel() throws IOException {
        byte[] bytes = Files.readAllBytes(weights);
        Path truncated = dir.resolve("truncated.caffemodel");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length * 2 / 3));
        assertFails(convert(prototxt, truncated), "truncated.caffemodel", "truncated", "SHA-256");
    }

    @Test
    void prototxtSyntaxErrorNamesLineAndColumn() throws IOException {
        Path broken = write("broken.prototxt", NET.replace("num_output: 5 kernel_size: 1 }", "num_output: 5 kernel_size 1 }"));
        assertFails(convert(broken, weights), "broken.prototxt", "line 8", "column");
    }

    @Test
    void unknownLayerTypeNamesLayerTypeAndSupportedTypes() throws IOException {
        Path lrn = write("lrn.prototxt", NET.replace("layer { name: \"prob\"",
                "layer { name: \"norm1\" type: \"LRN\" bottom: \"score\" top: \"norm1\" }\nlayer { name: \"prob\""));
        assertFails(convert(lrn, weights), "'norm1'", "'LRN'", "Supported types: Concat, Convolution, Crop, "
                + "Deconvolution, Dropout, Eltwise, Pooling, ReLU, Softmax, Input");
    }

    @Test
    void weightShapeMismatchNamesLayerAndBothShapes() throws IOException {
        Path wider = write("wider.prototxt", NET.replace("num_output: 5", "num_output: 6"));
        assertFails(convert(wider, weights), "Layer 'score' (Convolution)", "[5, 4, 1, 1]", "[6, 4, 1, 1]");
    }

    @Test
    void layerWithoutWeightsIsAnErrorNotZeros() throws IOException {
        Path renamed = write("renamed.prototxt", NET.replace("name: \"score\"", "name: \"score_new\""));
        assertFails(convert(renamed, weights), "no parameters for layer(s) score_new");
    }

    @Test
    void missingFiles() {
        assertFails(convert(dir.resolve("absent.prototxt"), weights), "absent.prototxt", "does not exist");
        assertFails(convert(prototxt, dir.resolve("absent.caffemodel")), "absent.caffemodel", "does not exist");
    }

    @Test
    void presetWithOtherClassCount() {
        assertFails(CliRun.of("convert", "--prototxt", prototxt.toString(), "--weights", weights.toString(),
                "--preset", "pascal_voc", "-o", output.toString()), "pascal_voc", "21 classes", "5 channels");
        assertFails(CliRun.of("convert", "--prototxt", prototxt.toString(), "--weights", weights.toString(),
                "--preset", "nope", "-o", output.toString()), "Unknown preset 'nope'", "cityscapes");
    }

    @Test
    void datasetFileThatDoesNotFitIsOneLineNamingTheFileAndTheField() throws IOException {
        String fiveClasses = """
                {"name": "roads", "classes": ["a", "b", "c", "d", "e"],
                 "palette": [[0, 0, 0], [1, 1, 1], [2, 2, 2], [3, 3, 3], [4, 4, 4]],
                 "meanBgr": [90, 100, 110], "labelMargin": 1, "zoom": 1}
                """;
        Path threeClasses = write("three.json", fiveClasses.replace(", \"d\", \"e\"", "")
                .replace(", [3, 3, 3], [4, 4, 4]", ""));
        assertFailsInOneLine(convertWithDataset(threeClasses), "Dataset file " + threeClasses
                + " (field 'classes') has 3 classes but the network's output 'prob' has 5 channels");
        Path badColour = write("colour.json", fiveClasses.replace("[1, 1, 1]", "[1, 1, 300]"));
        assertFailsInOneLine(convertWithDataset(badColour), "Dataset file " + badColour
                + ": field 'palette' colour 2 (class 'b') must be [R, G, B] with integers 0..255, got [1,1,300]");
        Path noZoom = write("nozoom.json", fiveClasses.replace(", \"zoom\": 1", ""));
        assertFailsInOneLine(convertWithDataset(noZoom), "nozoom.json: field 'zoom' is missing");
        assertFailsInOneLine(convertWithDataset(dir.resolve("absent.json")), "absent.json does not exist");
    }

    @Test
    void inputOrderRgbNeedsConvolutionsReadingTheImage() throws IOException {
        Path pooled = write("pooled.prototxt", NET.replace(
                "layer { name: \"conv1\" type: \"Convolution\" bottom: \"data\"",
                "layer { name: \"pool0\" type: \"Pooling\" bottom: \"data\" top: \"pool0\" "
                        + "pooling_param { pool: MAX kernel_size: 1 stride: 1 } }\n"
                        + "layer { name: \"conv1\" type: \"Convolution\" bottom: \"pool0\""));
        assertThat(Files.readString(pooled)).contains("bottom: \"pool0\"");
        assertFailsInOneLine(CliRun.of("convert", "--prototxt", pooled.toString(), "--weights", weights.toString(),
                "--input-order", "rgb", "-o", output.toString()), "'pool0'", "reads the input 'data'",
                "input order BGR");
    }

    @Test
    void forwardRejectsBadInputsAndUnknownBlobs() throws IOException {
        assertThat(convert(prototxt, weights).exitCode()).isZero();
        Path model = output;
        output = dir.resolve("blobs");

        Path twoChannels = dir.resolve("two.npy");
        Npy.write(Nd4j.zeros(DataType.FLOAT, 1, 2, 9, 11), twoChannels);
        assertFails(CliRun.of("forward", "--model", model.toString(), "--input-npy", twoChannels.toString(),
                "--out", output.toString()), "3 channels", "[1, 2, 9, 11]");

        Path good = dir.resolve("good.npy");
        Npy.write(Nd4j.zeros(DataType.FLOAT, 1, 3, 9, 11), good);
        assertFails(CliRun.of("forward", "--model", model.toString(), "--input-npy", good.toString(),
                "--blobs", "conv9", "--out", output.toString()), "no blob 'conv9'", "conv1, score, prob");

        Path notNpy = write("not.npy", "hello");
        assertFails(CliRun.of("forward", "--model", model.toString(), "--input-npy", notNpy.toString(),
                "--out", output.toString()), "not.npy", "not a NumPy .npy file");

        byte[] npy = Files.readAllBytes(good);
        Path cut = dir.resolve("cut.npy");
        Files.write(cut, Arrays.copyOf(npy, npy.length - 8));
        assertFails(CliRun.of("forward", "--model", model.toString(), "--input-npy", cut.toString(),
                "--out", output.toString()), "cut.npy", "truncated");
    }

    @Test
    void damagedModelFile() throws IOException {
        assertThat(convert(prototxt, weights).exitCode()).isZero();
        byte[] bytes = Files.readAllBytes(output);
        Path cut = dir.resolve("cut.zip");
        Files.write(cut, Arrays.copyOf(bytes, bytes.length / 2));
        CliRun run = CliRun.of("inspect", "--model", cut.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("cut.zip", "truncated", "Convert the Caffe model again");

        CliRun absent = CliRun.of("inspect", "--model", dir.resolve("none.zip").toString());
        assertThat(absent.exitCode()).isEqualTo(1);
        assertThat(absent.err()).contains("none.zip", "does not exist", "dilation4j convert");
    }

    @Test
    void wrongUsageExitsWithTwo() {
        CliRun run = CliRun.of("convert", "--prototxt", prototxt.toString(), "-o", "model.zip");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Missing required option", "--weights");
    }

    private CliRun convert(Path net, Path caffemodel) {
        return CliRun.of("convert", "--prototxt", net.toString(), "--weights", caffemodel.toString(),
                "-o", output.toString());
    }

    private CliRun convertWithDataset(Path dataset) {
        return CliRun.of("convert", "--prototxt", prototxt.toString(), "--weights", weights.toString(),
                "--dataset", dataset.toString(), "-o", output.toString());
    }

    private void assertFailsInOneLine(CliRun run, String... messageParts) {
        assertFails(run, messageParts);
        assertThat(run.err().lines()).as(run.toString()).hasSize(1);
    }

    private void assertFails(CliRun run, String... messageParts) {
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).as(run.toString()).contains(messageParts).doesNotContain("\tat ");
        assertThat(output).as("no output is left behind").doesNotExist();
        if (Files.isDirectory(output.getParent())) {
            try (var files = Files.list(output.getParent())) {
                assertThat(files.map(Path::getFileName).map(Path::toString).filter(n -> n.contains("partial")))
                        .isEmpty();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }
}
