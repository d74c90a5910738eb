package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --device} and {@code info} on a machine without a usable GPU or CUDA build (CI and this project's machines). */
class DeviceOptionTest {

    @TempDir
    static Path dir;
    static Path model;

    @BeforeAll
    static void convertTinyModel() throws Exception {
        model = TinyModel.convert(dir);
    }

    @Test
    void autoRunsOnTheCpuAndSaysSoOnce() {
        Path image = TinyModel.image(dir.resolve("a.png"), 20, 30, 1);
        CliRun run = CliRun.of("segment", "--device", "auto", "--model", model.toString(), "-o",
                dir.resolve("out").toString(), image.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err().split("Running on the CPU", -1)).as(run.err()).hasSize(2);
    }

    @Test
    void gpuStopsWithTheReasonAndWhatToDo() {
        CliRun run = CliRun.of("segment", "--device", "gpu", "--model", model.toString(), "-o",
                dir.resolve("out2").toString(), TinyModel.image(dir.resolve("b.png"), 20, 30, 2).toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("--device gpu:", "--device cpu");
        assertThat(dir.resolve("out2").resolve("b_color.png")).doesNotExist();
    }

    @Test
    void anUnknownDeviceIsAUsageError() {
        CliRun run = CliRun.of("segment", "--device", "tpu", "--model", model.toString(), "x.png");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown device 'tpu'", "auto, cpu or gpu");
    }

    @Test
    void infoShowsBackendAndDevices() throws Exception {
        CliRun text = CliRun.of("info", "--device", "cpu");
        assertThat(text.exitCode()).as(text.toString()).isZero();
        assertThat(text.out()).contains("Device      cpu", "Backend     ND4J CpuBackend", "oneDNN yes",
                "CUDA backend not included (build with -Pcuda)");

        CliRun json = CliRun.of("info", "--json");
        assertThat(json.exitCode()).as(json.toString()).isZero();
        JsonNode info = new ObjectMapper().readTree(json.out());
        assertThat(info.get("device").asText()).isEqualTo("cpu");
        assertThat(info.get("nd4j_backend").asText()).isEqualTo("CpuBackend");
        assertThat(info.get("onednn").asBoolean()).isTrue();
        assertThat(info.get("gpus").isArray()).isTrue();
    }
}
