package ai.dilation4j.runtime.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeviceDecisionTest {

    private static GpuInfo gpu(String name, int major, int minor) {
        return new GpuInfo(0, name, major, minor, 24L << 30, 20L << 30, "550.54");
    }

    @ParameterizedTest(name = "{0} ({1}.{2}): usable {3}")
    @CsvSource({
            "Tesla K40, 3, 5, false, ",
            "GTX 1080, 6, 1, true, 6.1",
            "RTX 3090, 8, 6, true, 8.6",
            "RTX 4090, 8, 9, true, 8.6",
            "H100, 9, 0, false, ",
            "B200, 10, 0, false, ",
            "Tesla K80, 3, 7, true, 3.7",
            "A100, 8, 0, true, 8.0",
    })
    void gpuRequestFollowsTheBuiltArchitectures(String name, int major, int minor, boolean usable, String code)
            throws Exception {
        GpuInfo device = gpu(name, major, minor);
        assertThat(CudaCompatibility.supports(device)).isEqualTo(usable);
        if (usable) {
            DeviceDecision decision = DeviceDecision.decide(Device.GPU, List.of(device), true);
            assertThat(decision.gpu()).isTrue();
            assertThat(decision.reason()).contains(name, major + "." + minor, "runs the " + code + " code");
            assertThat(DeviceDecision.decide(Device.AUTO, List.of(device), true).gpu()).isTrue();
        } else {
            assertThatThrownBy(() -> DeviceDecision.decide(Device.GPU, List.of(device), true))
                    .isInstanceOf(DeviceUnavailableException.class)
                    .hasMessageContaining(name).hasMessageContaining("compute capability " + major + "." + minor)
                    .hasMessageContaining("--device cpu");
            DeviceDecision auto = DeviceDecision.decide(Device.AUTO, List.of(device), true);
            assertThat(auto.gpu()).isFalse();
            assertThat(auto.warning()).hasValueSatisfying(w -> assertThat(w).startsWith("Running on the CPU")
                    .contains(name));
        }
    }

    @Test
    void hopperIsExplainedAsTooNew() {
        assertThat(CudaCompatibility.whyNot(gpu("H100", 9, 0))).contains("newer than the newest architecture", "PTX");
    }

    @Test
    void noDeviceMeansCpuForAutoAndAnErrorForGpu() throws Exception {
        DeviceDecision auto = DeviceDecision.decide(Device.AUTO, List.of(), false);
        assertThat(auto.gpu()).isFalse();
        assertThat(auto.warning()).hasValue("Running on the CPU: no NVIDIA GPU was found (nvidia-smi lists none or "
                + "is not installed).");
        assertThatThrownBy(() -> DeviceDecision.decide(Device.GPU, List.of(), true))
                .isInstanceOf(DeviceUnavailableException.class).hasMessageContaining("no NVIDIA GPU");
    }

    @Test
    void aUsableGpuWithoutTheCudaBuildSaysHowToBuildIt() throws Exception {
        assertThatThrownBy(() -> DeviceDecision.decide(Device.GPU, List.of(gpu("RTX 3090", 8, 6)), false))
                .hasMessageContaining("built without the CUDA backend").hasMessageContaining("-Pcuda");
        assertThat(DeviceDecision.decide(Device.AUTO, List.of(gpu("RTX 3090", 8, 6)), false).warning())
                .hasValueSatisfying(w -> assertThat(w).contains("-Pcuda"));
    }

    @Test
    void cpuIsAlwaysPossibleAndSilent() throws Exception {
        DeviceDecision cpu = DeviceDecision.decide(Device.CPU, List.of(gpu("RTX 3090", 8, 6)), true);
        assertThat(cpu.gpu()).isFalse();
        assertThat(cpu.warning()).isEmpty();
    }

    @Test
    void parsesNvidiaSmi() {
        List<GpuInfo> gpus = GpuProbe.parse("""
                0, NVIDIA H100 80GB HBM3, 9.0, 81559, 81007, 550.54.15
                1, NVIDIA GeForce RTX 4090, 8.9, 24564, 23000, 550.54.15
                garbage line
                """);
        assertThat(gpus).hasSize(2);
        assertThat(gpus.get(0).capability()).isEqualTo("9.0");
        assertThat(gpus.get(1).name()).isEqualTo("NVIDIA GeForce RTX 4090");
        assertThat(gpus.get(1).totalBytes()).isEqualTo(24564L << 20);
        assertThat(CudaCompatibility.supports(gpus.get(1))).isTrue();
    }

    @Test
    void thisMachineWithoutCudaRunsOnTheCpu() throws Exception {
        // The default build has no CUDA backend and the CI machines have no GPU.
        DeviceDecision decision = DeviceSelector.select(Device.AUTO);
        assertThat(decision.gpu()).isFalse();
        assertThat(decision.warning()).isPresent();
    }

    @Test
    void aMixOfUsableAndUnusableGpusNamesTheVisibleDevicesToKeep() throws Exception {
        List<GpuInfo> gpus = List.of(new GpuInfo(0, "H100", 9, 0, 80L << 30, 80L << 30, "550"),
                new GpuInfo(1, "A100", 8, 0, 40L << 30, 40L << 30, "550"));
        DeviceDecision auto = DeviceDecision.decide(Device.AUTO, gpus, true);
        assertThat(auto.gpu()).isFalse();
        assertThat(auto.warning()).hasValueSatisfying(w -> assertThat(w).contains("CUDA_VISIBLE_DEVICES=1"));
        assertThat(DeviceDecision.decide(Device.AUTO, GpuProbe.visible(gpus, "1"), true).gpu()).isTrue();
        assertThat(GpuProbe.visible(gpus, "GPU-8f3a")).as("UUIDs are not filtered").hasSize(2);
    }

    @Test
    void anUnknownCapabilityIsNotGuessed() {
        List<GpuInfo> gpus = GpuProbe.parse("0, Tesla K80, unknown, 11441, [N/A], 470.82\n");
        assertThat(gpus).hasSize(1);
        assertThat(gpus.get(0).capabilityKnown()).isFalse();
        assertThat(gpus.get(0).freeBytes()).isZero();
        assertThatThrownBy(() -> DeviceDecision.decide(Device.GPU, gpus, true))
                .hasMessageContaining("unknown compute capability").hasMessageContaining("R510");
    }
}
