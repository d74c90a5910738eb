package ai.dilation4j.runtime.device;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.nd4j.common.config.ND4JClassLoading;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses the ND4J backend for a {@link Device} before ND4J starts. ND4J picks its backend once per process, by
 * priority among the backends on the classpath, with no switch but environment variables; so for the CPU this
 * hides the CUDA backend from ND4J's service lookup, and for the GPU it checks the compute capability first
 * ({@link CudaCompatibility}), because nd4j-cuda-11.6 on a GPU it has no code for fails only at the first kernel.
 *
 * <p>Call it before anything touches ND4J (loading a model does). Calling it again with a compatible choice
 * returns the same backend; asking for a different one once ND4J runs is an error, since ND4J cannot switch.
 */
public final class DeviceSelector {

    static final String CUDA_BACKEND = "org.nd4j.linalg.jcublas.JCublasBackend";
    private static final String BACKEND_SERVICE = "META-INF/services/org.nd4j.linalg.factory.Nd4jBackend";
    private static final Logger LOG = LoggerFactory.getLogger(DeviceSelector.class);

    private DeviceSelector() {
    }

    /** Whether this build has the CUDA backend (the {@code cuda} Maven profile). */
    public static boolean cudaBackendPresent() {
        return ND4JClassLoading.classPresentOnClasspath(CUDA_BACKEND);
    }

    /**
     * Decides, applies and verifies the device. When {@code AUTO} falls back to the CPU, the reason is in
     * {@link DeviceDecision#warning()}, for the caller to show once (the CLI prints it on stderr).
     */
    public static DeviceDecision select(Device requested) throws DeviceUnavailableException {
        OpenMpWaitPolicy.preferPassive(); // ND4J starts below, and with it OpenMP
        boolean cuda = cudaBackendPresent();
        DeviceDecision decision = DeviceDecision.decide(requested, requested == Device.CPU ? List.of()
                : GpuProbe.probe(), cuda);
        if (!decision.gpu() && cuda) {
            ND4JClassLoading.setNd4jClassloader(new CpuOnlyClassLoader(ND4JClassLoading.getNd4jClassloader()));
        }
        boolean onGpu = Nd4j.getBackend().getClass().getName().equals(CUDA_BACKEND);
        if (onGpu != decision.gpu()) {
            throw new DeviceUnavailableException(decision.gpu()
                    ? "The CUDA backend did not load (see the ND4J log above), although " + decision.reason()
                    + " looked usable. Check the NVIDIA driver (CUDA 11.6 needs >= 450.80) and the CUDA 11.6 "
                    + "libraries (or build with -Pcuda-redist), or use --device cpu."
                    : "ND4J already runs on the GPU in this process; the device must be chosen before the first "
                    + "model is loaded.");
        }
        decision.warning().ifPresent(LOG::debug);
        return decision;
    }

    /** Hides the CUDA backend from ND4J's service lookup; everything else is the parent's. */
    private static final class CpuOnlyClassLoader extends ClassLoader {

        CpuOnlyClassLoader(ClassLoader parent) {
            super(parent);
        }

        @Override
        public Enumeration<URL> getResources(String name) throws IOException {
            if (!name.equals(BACKEND_SERVICE)) {
                return super.getResources(name);
            }
            // Shaded jars merge the service files of both backends into one, so filter lines, not files.
            Set<String> providers = new LinkedHashSet<>();
            for (URL url : Collections.list(getParent().getResources(name))) {
                try (InputStream in = url.openStream()) {
                    for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
                        String provider = line.replaceAll("#.*", "").trim();
                        if (!provider.isEmpty() && !provider.equals(CUDA_BACKEND)) {
                            providers.add(provider);
                        }
                    }
                }
            }
            Path file = Files.createTempFile("dilation4j-nd4j-backends", ".txt");
            file.toFile().deleteOnExit();
            Files.write(file, new ArrayList<>(providers), StandardCharsets.UTF_8);
            return Collections.enumeration(List.of(file.toUri().toURL()));
        }
    }
}
