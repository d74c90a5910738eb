package ai.dilation4j.runtime.device;

/**
 * One NVIDIA GPU as the driver reports it.
 *
 * @param index        device index
 * @param name         product name
 * @param major        compute capability, major part (9 for Hopper)
 * @param minor        compute capability, minor part
 * @param totalBytes   device memory
 * @param freeBytes    device memory free when probed
 * @param driver       driver version
 */
public record GpuInfo(int index, String name, int major, int minor, long totalBytes, long freeBytes, String driver) {

    /** {@link #major()} and {@link #minor()} when the driver does not report the compute capability. */
    public static final int UNKNOWN = -1;

    public boolean capabilityKnown() {
        return major != UNKNOWN;
    }

    public String capability() {
        return capabilityKnown() ? major + "." + minor : "unknown";
    }
}
