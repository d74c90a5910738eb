package ai.dilation4j.runtime.device;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the OpenMP threads of ND4J's native code sleep as soon as they run out of work instead of spinning.
 *
 * <p>libnd4j, the oneDNN inside it and OpenBLAS share one libgomp, whose threads by default spin for a few
 * milliseconds after every parallel region. A forward pass runs hundreds of regions with Java work in between
 * (im2col, Winograd tiles, DL4J's bookkeeping, the fork-join pool's copies): the spinning thread holds a core while
 * that work, or the region's other thread, waits for one. On two cores shared with other processes every region
 * then costs a scheduler time slice instead of microseconds: that was most of the fixed cost of a small model's
 * forward pass (a 7-layer network while others built on the same two cores: medians of 151-466 ms per forward in
 * half the runs against 17-41 ms with passive waiting; OpenCV DNN, whose workers sleep by default, 8-16 ms). Waking
 * a sleeping thread costs microseconds per region: DilatedNet-8 at 900x900 ran no slower (5.9 s against 6.2 s
 * spinning, on a quiet machine).
 *
 * <p>libgomp reads its wait policy once, from the C environment, when it is loaded: so this must run before anything
 * starts ND4J. Loading a model and choosing the device do it; an application that uses ND4J earlier can set
 * {@value #VARIABLE}{@code =PASSIVE} itself. A wait policy or spin count given in the environment is left alone.
 */
public final class OpenMpWaitPolicy {

    /** The standard OpenMP variable; libgomp, LLVM's and Intel's runtimes all read it. */
    public static final String VARIABLE = "OMP_WAIT_POLICY";
    /** libgomp's own spin count: whoever sets it has chosen how its threads wait. */
    static final String SPIN_COUNT_VARIABLE = "GOMP_SPINCOUNT";

    private static final Logger LOG = LoggerFactory.getLogger(OpenMpWaitPolicy.class);

    /** What {@link #preferPassive()} found or did. */
    public enum Outcome {
        /** Threads will sleep when idle: set here (now or by an earlier call) before OpenMP started. */
        PASSIVE,
        /** The environment chose a wait policy or spin count; left as it is. */
        FROM_ENVIRONMENT,
        /** OpenMP had started before: its threads spin as it decided then. */
        TOO_LATE,
        /** No libgomp on this platform, or the C library could not be reached. */
        UNSUPPORTED
    }

    private OpenMpWaitPolicy() {
    }

    /** Sets {@value #VARIABLE}{@code =PASSIVE} in the C environment unless the environment decided or it is too late. */
    public static Outcome preferPassive() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Outcome.UNSUPPORTED;
        }
        CLibrary c;
        try {
            c = Native.loadLibrary("c", CLibrary.class);
        } catch (LinkageError e) {
            LOG.debug("Cannot reach the C library to set {}: {}", VARIABLE, e.toString());
            return Outcome.UNSUPPORTED;
        }
        String nativeValue = c.getenv(VARIABLE);
        Outcome outcome = decide(System.getenv(), nativeValue, openMpLoaded());
        if (outcome == Outcome.PASSIVE && nativeValue == null) {
            c.setenv(VARIABLE, "PASSIVE", 0);
        } else if (outcome == Outcome.TOO_LATE) {
            LOG.debug("OpenMP started before dilation4j could set {}=PASSIVE; on a busy machine set it in the "
                    + "environment, or load the model before using ND4J", VARIABLE);
        }
        return outcome;
    }

    /**
     * @param environment    the environment the process started with
     * @param nativeValue    {@value #VARIABLE} in the C environment now (an earlier call may have set it)
     * @param openMpLoaded   whether an OpenMP runtime has been loaded, and so has read its environment
     */
    static Outcome decide(Map<String, String> environment, String nativeValue, boolean openMpLoaded) {
        if (environment.containsKey(VARIABLE) || environment.containsKey(SPIN_COUNT_VARIABLE)) {
            return Outcome.FROM_ENVIRONMENT;
        }
        if (nativeValue != null) {
            return nativeValue.equalsIgnoreCase("PASSIVE") ? Outcome.PASSIVE : Outcome.FROM_ENVIRONMENT;
        }
        return openMpLoaded ? Outcome.TOO_LATE : Outcome.PASSIVE;
    }

    /** Whether libgomp (or another OpenMP runtime) is mapped into this process. */
    private static boolean openMpLoaded() {
        try {
            String maps = Files.readString(Path.of("/proc/self/maps"));
            return maps.contains("libgomp") || maps.contains("libiomp") || maps.contains("libomp.so");
        } catch (IOException | RuntimeException e) {
            return true; // cannot tell: do not claim a policy that may not apply
        }
    }

    /** The two functions of the C library this needs; JNA binds them by name. */
    interface CLibrary extends Library {
        String getenv(String name);

        int setenv(String name, String value, int overwrite);
    }
}
