package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code convert --preset} stores the dataset fields; {@code inspect} shows layers, shapes, counts, metadata. */
class InspectTest {

    private static final String NET = """
            name: "mini_voc"
            input: "data"
            input_shape { dim: 1 dim: 3 dim: 21 dim: 23 }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 4 kernel_size: 3 dilation: 2 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1"
                    pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            layer { name: "score" type: "Convolution" bottom: "pool1" top: "score"
                    convolution_param { num_output: 21 kernel_size: 1 } }
            layer { name: "prob" type: "Softmax" bottom: "score" top: "prob" }
            """;

    @Test
    void showsLayersShapesParametersAndMetadata(@TempDir Path dir) throws Exception {
        Path prototxt = Files.writeString(dir.resolve("mini.prototxt"), NET);
        Path weights = dir.resolve("mini.caffemodel");
        Path model = dir.resolve("mini.zip");
        assertThat(CliRun.of("random-weights", "--prototxt", prototxt.toString(), "-o", weights.toString())
                .exitCode()).isZero();
        CliRun convert = CliRun.of("convert", "--prototxt", prototxt.toString(), "--weights", weights.toString(),
                "--preset", "pascal_voc", "-o", model.toString());
        assertThat(convert.exitCode()).as(convert.toString()).isZero();

        CliRun inspect = CliRun.of("inspect", "--model", model.toString());
        assertThat(inspect.exitCode()).as(inspect.toString()).isZero();
        assertThat(inspect.out()).contains("mini_voc", "data 1x3x21x23", "prob, 21 classes", "Preset     pascal_voc",
                        "label margin 186, zoom 8", "aeroplane")
                .containsPattern("conv1 +GemmConvolutionLayer +1x4x17x19 +112 +kernel 3x3 .*dilation 2x2")
                .containsPattern("pool1 +CaffePoolingVertex +1x4x9x10 +0")
                .containsPattern("prob +CnnLossLayer +1x21x9x10")
                .contains("conv1->relu1");

        JsonNode json = new ObjectMapper().readTree(CliRun.of("inspect", "--model", model.toString(), "--json").out());
        assertThat(json.path("parameters").asLong()).isEqualTo(4 * 3 * 9 + 4 + 21 * 4 + 21);
        JsonNode metadata = json.path("metadata");
        assertThat(metadata.path("outputBlob").asText()).isEqualTo("prob");
        assertThat(metadata.path("dataset").path("meanBgr").get(0).asDouble()).isEqualTo(102.93);
        assertThat(metadata.path("sources").get(1).path("sha256").asText()).hasSize(64);
        assertThat(metadata.path("blobVertices").path("conv1").asText()).isEqualTo("relu1");
    }
}
