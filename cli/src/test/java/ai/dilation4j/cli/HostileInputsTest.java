package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.io.Npy;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.testing.ModelZips;

/**
 * Hostile files and inputs through the command line, as a user's shell sees them: exit code 1, one line naming
 * the file, layer or value, no stack trace, no "unexpected error", and no output left behind. The memory-heavy
 * cases are refused before anything is allocated, so each run is cheap.
 */
class HostileInputsTest {

    /** Two tops whose fixture file names collide ({@code a/b} and {@code a-b} both give {@code a_b.npy}). */
    private static final String NET = """
            name: "hostile"
            input: "data"
            input_shape { dim: 1 dim: 3 dim: 9 dim: 11 }
            layer { name: "conv_a" type: "Convolution" bottom: "data" top: "a/b"
                    convolution_param { num_output: 4 kernel_size: 3 } }
            layer { name: "conv_b" type: "Convolution" bottom: "data" top: "a-b"
                    convolution_param { num_output: 4 kernel_size: 3 } }
            layer { name: "sum" type: "Eltwise" bottom: "a/b" bottom: "a-b" top: "sum" }
            layer { name: "score" type: "Convolution" bottom: "sum" top: "score"
                    convolution_param { num_output: 5 kernel_size: 1 } }
            layer { name: "prob" type: "Softmax" bottom: "score" top: "prob" }
            """;

    @TempDir
    Path dir;
    Path prototxt;
    Path weights;
    Path output;

    @BeforeEach
    void writeCaffeFiles() throws IOException {
        prototxt = Files.writeString(dir.resolve("net.prototxt"), NET);
        weights = dir.resolve("net.caffemodel");
        assertSucceeds(CliRun.of("random-weights", "--prototxt", prototxt.toString(), "-o", weights.toString()));
        output = dir.resolve("out").resolve("model.zip");
    }

    @Test
    void convertRefusesASecondProducerOfATop() throws IOException {
        Path twice = Files.writeString(dir.resolve("twice.prototxt"), NET.replace("top: \"a-b\"", "top: \"a/b\"")
                .replace("bottom: \"a/b\" bottom: \"a-b\"", "bottom: \"a/b\" bottom: \"a/b\""));
        assertFails(convert(twice), "Layer 'conv_b' (Convolution) writes top 'a/b'", "layer 'conv_a'",
                "produced by multiple sources");
    }

    @Test
    void convertRefusesHugeNumOutputAndHugeInputsBeforeAllocating() throws IOException {
        Path huge = Files.writeString(dir.resolve("huge.prototxt"), NET.replace("num_output: 5", "num_output: "
                + Integer.MAX_VALUE));
        assertFails(convert(huge), "Layer 'score' (Convolution)", "num_output 2147483647");

        Path wide = Files.writeString(dir.resolve("wide.prototxt"), NET.replace("dim: 9 dim: 11",
                "dim: 100000 dim: 100000"));
        assertFails(convert(wide), "[1, 3, 100000, 100000]", "deploy input size");
    }

    @Test
    void forwardRefusesAModelWithAZeroStrideAtLoad() throws IOException {
        assertSucceeds(convert(prototxt));
        Path edited = dir.resolve("stride0.zip");
        ModelZips.rewrite(output, edited, Map.of("configuration.json", json -> {
            assertThat(json).contains("\"stride\" : [ 1, 1 ]");
            return json.replaceFirst("\"stride\" : \\[ 1, 1 \\]", "\"stride\" : [ 0, 1 ]");
        }));
        Path input = dir.resolve("input.npy");
        Npy.write(Nd4j.rand(DataType.FLOAT, 1, 3, 9, 11), input);
        output = dir.resolve("blobs").resolve("prob.npy");
        assertFails(CliRun.of("forward", "--model", edited.toString(), "--input-npy", input.toString(), "--out",
                output.getParent().toString()), "stride0.zip", "layer 'conv_a'", "stride [0, 1]");
    }

    @Test
    void forwardRefusesHostileNpyFilesAndNonFiniteInputs() throws IOException {
        assertSucceeds(convert(prototxt));
        Path model = output;
        output = dir.resolve("blobs").resolve("prob.npy");

        String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 20000, 20000), }\n";
        byte[] claims = new byte[10 + header.length()];
        System.arraycopy(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) header.length(), 0}, 0,
                claims, 0, 10);
        System.arraycopy(header.getBytes(StandardCharsets.ISO_8859_1), 0, claims, 10, header.length());
        Path bomb = Files.write(dir.resolve("bomb.npy"), claims);
        assertFails(forward(model, bomb), "bomb.npy is truncated", "(1, 3, 20000, 20000)", "4800000000 bytes");

        Path empty = dir.resolve("empty.npy");
        Files.write(empty, new String(claims, StandardCharsets.ISO_8859_1).replace("(1, 3, 20000, 20000)",
                "(0, 3, 20000, 20000)").getBytes(StandardCharsets.ISO_8859_1));
        assertFails(forward(model, empty), "empty.npy holds an empty array");

        INDArray values = Nd4j.rand(DataType.FLOAT, 1, 3, 9, 11);
        values.putScalar(new long[] {0, 1, 2, 3}, Float.NaN);
        values.putScalar(new long[] {0, 2, 8, 10}, Float.NEGATIVE_INFINITY);
        Path nan = dir.resolve("nan.npy");
        Npy.write(values, nan);
        assertFails(forward(model, nan), "nan.npy holds 2 NaN or infinite value(s) of 297",
                "the first is NaN at index [0, 1, 2, 3]");
    }

    @Test
    void forwardWritesBlobsWhoseFixtureNamesCollideToSeparateFiles() throws Exception {
        assertSucceeds(convert(prototxt));
        Path input = dir.resolve("input.npy");
        INDArray values = Nd4j.rand(DataType.FLOAT, 1, 3, 9, 11);
        Npy.write(values, input);
        Path blobs = dir.resolve("blobs");
        assertSucceeds(CliRun.of("forward", "--model", output.toString(), "--input-npy", input.toString(),
                "--blobs", "all", "--out", blobs.toString()));

        try (var files = Files.list(blobs)) {
            assertThat(files.map(f -> f.getFileName().toString()))
                    .containsExactlyInAnyOrder("data.npy", "a%2Fb.npy", "a-b.npy", "sum.npy", "score.npy", "prob.npy");
        }
        try (SegmentationModel model = SegmentationModel.load(output)) {
            Map<String, INDArray> expected = model.forwardBlobs(values, List.of());
            assertThat(Npy.read(blobs.resolve("a%2Fb.npy"))).isEqualTo(expected.get("a/b"));
            assertThat(Npy.read(blobs.resolve("a-b.npy"))).isEqualTo(expected.get("a-b"));
            assertThat(expected.get("a/b")).isNotEqualTo(expected.get("a-b"));
        }
        assertThat(ForwardCommand.fileNames(List.of("conv5/relu", "fc-final", "x_y", "x/y", "x:y")))
                .as("the fixture rule where it is unambiguous")
                .containsEntry("conv5/relu", "conv5_relu.npy").containsEntry("fc-final", "fc_final.npy")
                .containsEntry("x_y", "x_y.npy").containsEntry("x/y", "x%2Fy.npy").containsEntry("x:y", "x%3Ay.npy");
        assertThat(CliRun.of("forward", "--help").out()).contains("replaced by '_'", "x%2Fy.npy");
    }

    private CliRun convert(Path net) {
        return CliRun.of("convert", "--prototxt", net.toString(), "--weights", weights.toString(), "-o",
                output.toString());
    }

    private CliRun forward(Path model, Path input) {
        return CliRun.of("forward", "--model", model.toString(), "--input-npy", input.toString(), "--out",
                output.getParent().toString());
    }

    private static void assertSucceeds(CliRun run) {
        assertThat(run.exitCode()).as(run.toString()).isZero();
    }

    private void assertFails(CliRun run, String... messageParts) {
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).as(run.toString()).contains(messageParts)
                .doesNotContain("\tat ", "unexpected error", "Exception");
        assertThat(run.err().lines().filter(line -> line.contains("error"))).as(run.toString()).hasSize(1);
        assertThat(output).as("no output is left behind").doesNotExist();
    }
}
