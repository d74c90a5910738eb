package ai.dilation4j.runtime.device;

import java.util.List;
import java.util.Optional;

/**
 * What runs where, decided before any GPU work from the requested {@link Device}, the GPUs present and whether the
 * CUDA backend is on the classpath.
 *
 * @param gpu     true to run on the CUDA backend
 * @param warning the one message to show when {@code auto} falls back to the CPU
 * @param reason  one line on why this device was chosen
 */
public record DeviceDecision(boolean gpu, Optional<String> warning, String reason) {

    /** The decision, or a {@link DeviceUnavailableException} when {@code GPU} was requested and cannot be used. */
    public static DeviceDecision decide(Device requested, List<GpuInfo> gpus, boolean cudaBackendPresent)
            throws DeviceUnavailableException {
        if (requested == Device.CPU) {
            return new DeviceDecision(false, Optional.empty(), "the CPU was requested");
        }
        // ND4J spreads work over every visible GPU, so every one of them must be able to run the build.
        List<GpuInfo> unusable = gpus.stream().filter(gpu -> !CudaCompatibility.supports(gpu)).toList();
        GpuInfo usable = unusable.isEmpty() && !gpus.isEmpty() ? gpus.get(0) : null;
        String problem = null;
        if (gpus.isEmpty()) {
            problem = "no NVIDIA GPU was found (nvidia-smi lists none or is not installed)";
        } else if (usable == null) {
            problem = String.join("; ", unusable.stream().map(CudaCompatibility::whyNot).toList());
            List<String> good = gpus.stream().filter(CudaCompatibility::supports).map(g -> "" + g.index()).toList();
            if (!good.isEmpty()) {
                problem += " (ND4J uses every visible GPU: set CUDA_VISIBLE_DEVICES=" + String.join(",", good)
                        + " to use only those it can drive)";
            }
        } else if (!cudaBackendPresent) {
            problem = "this dilation4j was built without the CUDA backend";
        }
        if (problem == null) {
            return new DeviceDecision(true, Optional.empty(), "GPU " + usable.index() + " (" + usable.name()
                    + ", compute capability " + usable.capability() + ", runs the "
                    + CudaCompatibility.codeFor(usable).orElseThrow() + " code)");
        }
        String remedy = !gpus.isEmpty() && usable == null
                ? "Use --device cpu (or auto); a GPU of compute capability 3.7 to 8.9 (Kepler K80 to Ada) runs it."
                : cudaBackendPresent || gpus.isEmpty()
                        ? "Use --device cpu (or auto), or run on a machine with an NVIDIA GPU and driver."
                        : "Rebuild with `mvn -Pcuda -DskipTests install` (add -Pcuda-redist without a CUDA 11.6 install).";
        if (requested == Device.GPU) {
            throw new DeviceUnavailableException("--device gpu: " + problem + ". " + remedy);
        }
        String message = "Running on the CPU: " + problem + ".";
        return new DeviceDecision(false, Optional.of(gpus.isEmpty() && !cudaBackendPresent ? message
                : message + " " + remedy), problem);
    }
}
