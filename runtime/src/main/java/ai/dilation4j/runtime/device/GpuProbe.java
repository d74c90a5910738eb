package ai.dilation4j.runtime.device;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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

    private GpuProbe() {
    }

    /** The GPUs of this machine; empty without an NVIDIA driver. */
    public static List<GpuInfo> probe() {
        ProcessBuilder command = new ProcessBuilder("nvidia-smi", "--query-gpu=" + QUERY,
                "--format=csv,noheader,nounits").redirectErrorStream(true);
        try {
            Process process = command.start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(10, TimeUnit.SECONDS) || process.exitValue() != 0) {
                LOG.debug("nvidia-smi failed: {}", output.strip());
                return List.of();
            }
            return parse(output);
        } catch (IOException e) {
            LOG.debug("no nvidia-smi: {}", e.getMessage());
            return List.of();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
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
                long mib = 1L << 20;
                gpus.add(new GpuInfo(Integer.parseInt(fields[0].trim()), fields[1].trim(),
                        Integer.parseInt(capability[0]), capability.length > 1 ? Integer.parseInt(capability[1]) : 0,
                        Long.parseLong(fields[3].trim()) * mib, Long.parseLong(fields[4].trim()) * mib,
                        fields[5].trim()));
            } catch (NumberFormatException e) {
                LOG.debug("unparsable nvidia-smi line '{}'", line);
            }
        }
        return gpus;
    }
}
