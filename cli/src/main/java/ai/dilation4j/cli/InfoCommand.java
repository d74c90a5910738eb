package ai.dilation4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import ai.dilation4j.runtime.device.CudaCompatibility;
import ai.dilation4j.runtime.device.DeviceDecision;
import ai.dilation4j.runtime.device.DeviceSelector;
import ai.dilation4j.runtime.device.GpuInfo;
import ai.dilation4j.runtime.device.GpuProbe;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOpsHolder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = {"Show what dilation4j runs on here: the CPU and its vector extensions, the ND4J backend chosen "
                + "for --device and why, the libnd4j build (BLAS, oneDNN, cuDNN), and every NVIDIA GPU with its "
                + "compute capability, memory and whether nd4j-cuda-11.6 can drive it.",
                "GPUs are listed with nvidia-smi, which needs no CUDA library and starts no GPU work."})
final class InfoCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    DeviceOption deviceOption;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("java", System.getProperty("java.vm.name") + " " + System.getProperty("java.version"));
        info.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
        info.put("cpu", cpuModel());
        info.put("cores", Runtime.getRuntime().availableProcessors());
        info.put("cpu_extensions", cpuExtensions());
        info.put("openblas_coretype", System.getenv().getOrDefault("OPENBLAS_CORETYPE", "(detected by OpenBLAS)"));
        info.put("cuda_backend_in_build", DeviceSelector.cudaBackendPresent());

        List<Map<String, Object>> gpus = new ArrayList<>();
        for (GpuInfo gpu : GpuProbe.probe()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("index", gpu.index());
            entry.put("name", gpu.name());
            entry.put("compute_capability", gpu.capability());
            entry.put("memory_total_mb", gpu.totalBytes() >> 20);
            entry.put("memory_free_mb", gpu.freeBytes() >> 20);
            entry.put("driver", gpu.driver());
            entry.put("usable", CudaCompatibility.supports(gpu));
            entry.put("verdict", CudaCompatibility.codeFor(gpu).map(code -> "runs the " + code + " code")
                    .orElse(CudaCompatibility.whyNot(gpu)));
            gpus.add(entry);
        }
        info.put("gpus", gpus);

        DeviceDecision decision = deviceOption.apply(spec.commandLine().getErr());
        info.put("device", decision.gpu() ? "gpu" : "cpu");
        info.put("device_reason", decision.reason());
        info.put("nd4j_backend", Nd4j.getBackend().getClass().getSimpleName());
        info.put("blas_vendor", String.valueOf(Nd4j.factory().blas().getBlasVendor()));
        String build = NativeOpsHolder.getInstance().getDeviceNativeOps().buildInfo();
        info.put("onednn", build.contains("HAVE_ONEDNN"));
        info.put("cudnn", build.contains("HAVE_CUDNN"));
        info.put("openblas", build.contains("HAVE_OPENBLAS"));
        info.put("nd4j_threads", Nd4j.getEnvironment().maxThreads());

        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(info));
            return 0;
        }
        out.printf("Java        %s on %s%n", info.get("java"), info.get("os"));
        out.printf("CPU         %s, %s cores, %s%n", info.get("cpu"), info.get("cores"), info.get("cpu_extensions"));
        out.printf("Device      %s: %s%n", info.get("device"), decision.reason());
        out.printf("Backend     ND4J %s, BLAS %s, oneDNN %s, cuDNN %s, %s threads%n", info.get("nd4j_backend"),
                info.get("blas_vendor"), yesNo(info.get("onednn")), yesNo(info.get("cudnn")), info.get("nd4j_threads"));
        out.printf("Build       CUDA backend %s; OPENBLAS_CORETYPE %s%n",
                DeviceSelector.cudaBackendPresent() ? "included (-Pcuda)" : "not included (build with -Pcuda)",
                info.get("openblas_coretype"));
        if (gpus.isEmpty()) {
            out.println("GPUs        none found (no NVIDIA driver, or nvidia-smi not on the PATH)");
        }
        for (Map<String, Object> gpu : gpus) {
            out.printf("GPU %s       %s, compute capability %s, %,d MB (%,d MB free), driver %s: %s%n", gpu.get("index"),
                    gpu.get("name"), gpu.get("compute_capability"), gpu.get("memory_total_mb"),
                    gpu.get("memory_free_mb"), gpu.get("driver"), gpu.get("verdict"));
        }
        return 0;
    }

    private static String yesNo(Object flag) {
        return Boolean.TRUE.equals(flag) ? "yes" : "no";
    }

    private static String cpuModel() {
        return cpuInfoField("model name").orElse(System.getProperty("os.arch"));
    }

    private static String cpuExtensions() {
        String flags = " " + cpuInfoField("flags").orElse("") + " ";
        List<String> found = new ArrayList<>();
        for (String extension : new String[] {"avx2", "fma", "avx512f", "avx512_bf16", "amx_tile"}) {
            if (flags.contains(" " + extension + " ")) {
                found.add(extension);
            }
        }
        return found.isEmpty() ? "no AVX2" : String.join(" ", found);
    }

    private static java.util.Optional<String> cpuInfoField(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith(field)) {
                    return java.util.Optional.of(line.substring(line.indexOf(':') + 1).trim());
                }
            }
        } catch (IOException e) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.empty();
    }
}
