package ai.dilation4j.runtime.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists NVIDIA GPUs with {@code nvidia-smi}, which ships with the driver. It needs no CUDA library and starts no
 * GPU work, so it is safe on a GPU the CUDA backend would crash on.
 */
public final class GpuProbe {

    private static final Logger LOG = LoggerFactory.getLogger(GpuProbe.class);
    static final String QUERY = "index,name,compute_cap,memory.total,memory.free,driver_version";
    private static final String QUERY_WITHOUT_CAPABILITY = "index,name,memory.total,memory.free,driver_version";

    private GpuProbe() {
    }

    /**
     * The GPUs CUDA programs of this process see (nvidia-smi lists all of them; {@code CUDA_VISIBLE_DEVICES} with
     * device indices is applied here); empty without an NVIDIA driver.
     */
    public static List<GpuInfo> probe() {
        Optional<String> output = run(QUERY);
        if (output.isEmpty()) {
            // nvidia-smi before driver R510 has no compute_cap field: list the GPUs with an unknown capability.
            output = run(QUERY_WITHOUT_CAPABILITY).map(GpuProbe::withUnknownCapability);
        }
        return visible(parse(output.orElse("")), System.getenv("CUDA_VISIBLE_DEVICES"));
    }

    private static Optional<String> run(String query) {
        try {
            Path log = Files.createTempFile("dilation4j-nvidia-smi", ".csv");
            try {
                Process process = new ProcessBuilder("nvidia-smi", "--query-gpu=" + query,
                        "--format=csv,noheader,nounits").redirectErrorStream(true).redirectOutput(log.toFile()).start();
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    LOG.warn("nvidia-smi did not answer within 10 s; treating this machine as having no usable GPU");
                    return Optional.empty();
                }
                String output = Files.readString(log, StandardCharsets.UTF_8);
                if (process.exitValue() != 0) {
                    LOG.debug("nvidia-smi --query-gpu={} failed: {}", query, output.strip());
                    return Optional.empty();
                }
                return Optional.of(output);
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            LOG.debug("no nvidia-smi: {}", e.getMessage());
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private static String withUnknownCapability(String csv) {
        StringBuilder lines = new StringBuilder();
        for (String line : csv.split("\\R")) {
            String[] fields = line.split(",", 3);
            if (fields.length == 3) {
                lines.append(fields[0]).append(',').append(fields[1]).append(", unknown,").append(fields[2]).append('\n');
            }
        }
        return lines.toString();
    }

    /** Keeps the GPUs named by index in {@code CUDA_VISIBLE_DEVICES}; UUIDs or an unset variable keep them all. */
    static List<GpuInfo> visible(List<GpuInfo> gpus, String cudaVisibleDevices) {
        if (cudaVisibleDevices == null || cudaVisibleDevices.isBlank()
                || !cudaVisibleDevices.matches("\\s*\\d+(\\s*,\\s*\\d+)*\\s*")) {
            return gpus;
        }
        Set<Integer> indices = new HashSet<>();
        for (String index : cudaVisibleDevices.split(",")) {
            indices.add(Integer.parseInt(index.trim()));
        }
        return gpus.stream().filter(gpu -> indices.contains(gpu.index())).toList();
    }

    /** A memory field in MiB as bytes; 0 where nvidia-smi has no value ({@code [N/A]} under MIG or vGPU). */
    private static long mebibytes(String field) {
        String value = field.trim();
        return value.matches("\\d+") ? Long.parseLong(value) << 20 : 0;
    }

    /** Parses {@code nvidia-smi --query-gpu=}{@value #QUERY}{@code --format=csv,noheader,nounits} (MiB). */
    static List<GpuInfo> parse(String csv) {
        List<GpuInfo> gpus = new ArrayList<>();
        for (String line : csv.split("\\R")) {
            String[] fields = line.split(",");
            if (fields.length < 6) {
                continue;
            }
            try {
                String[] capability = fields[2].trim().split("\\.");
                boolean known = capability[0].matches("\\d+");
                gpus.add(new GpuInfo(Integer.parseInt(fields[0].trim()), fields[1].trim(),
                        known ? Integer.parseInt(capability[0]) : GpuInfo.UNKNOWN,
                        known && capability.length > 1 ? Integer.parseInt(capability[1]) : known ? 0 : GpuInfo.UNKNOWN,
                        mebibytes(fields[3]), mebibytes(fields[4]), fields[5].trim()));
            } catch (NumberFormatException e) {
                LOG.debug("unparsable nvidia-smi line '{}'", line);
            }
        }
        return gpus;
    }
}
