package ai.dilation4j.runtime.device;

import java.util.List;
import java.util.Optional;

/**
 * Which GPUs nd4j-cuda-11.6 1.0.0-M2.1 can drive. Its {@code libnd4jcuda.so} holds machine code (SASS) for compute
 * capabilities 3.7, 5.0, 5.2, 6.0, 6.1, 7.0, 7.5, 8.0 and 8.6 and no PTX, so the driver cannot compile kernels for
 * anything else. SASS runs on GPUs of the same major version with an equal or higher minor version: 8.9 (Ada) runs
 * the 8.6 code, 3.5 (early Kepler) runs nothing, 9.0 (Hopper) and newer run nothing and fail at the first kernel.
 */
public final class CudaCompatibility {

    /** Compute capabilities with machine code in nd4j-cuda-11.6 1.0.0-M2.1. */
    public static final List<String> BUILT_FOR = List.of("3.7", "5.0", "5.2", "6.0", "6.1", "7.0", "7.5", "8.0", "8.6");

    private CudaCompatibility() {
    }

    /** The built capability whose code this GPU runs, if any. */
    public static Optional<String> codeFor(GpuInfo gpu) {
        String best = null;
        for (String built : BUILT_FOR) {
            String[] parts = built.split("\\.");
            int major = Integer.parseInt(parts[0]);
            int minor = Integer.parseInt(parts[1]);
            if (major == gpu.major() && minor <= gpu.minor()) {
                best = built;
            }
        }
        return Optional.ofNullable(best);
    }

    public static boolean supports(GpuInfo gpu) {
        return codeFor(gpu).isPresent();
    }

    /** Why the GPU cannot be used, for messages. */
    public static String whyNot(GpuInfo gpu) {
        if (!gpu.capabilityKnown()) {
            return "GPU " + gpu.index() + " (" + gpu.name() + ") has an unknown compute capability: this driver's "
                    + "nvidia-smi does not report it (R510 and newer do), and nd4j-cuda-11.6 fails obscurely on a GPU "
                    + "it has no code for, so dilation4j does not guess";
        }
        String newer = gpu.major() >= 9 ? "it is newer than the newest architecture in the build (8.6; Ada 8.9 is the "
                + "last that runs it) and the build has no PTX the driver could compile for it"
                : "the build has no code for it (oldest: 3.7)";
        return "GPU " + gpu.index() + " (" + gpu.name() + ", compute capability " + gpu.capability()
                + ") cannot run nd4j-cuda-11.6 1.0.0-M2.1: " + newer;
    }
}
