package ai.dilation4j.runtime.device;

/** Where inference runs: the choice a user makes with {@code --device} or {@link DeviceSelector#select}. */
public enum Device {
    /** The GPU when one that nd4j-cuda-11.6 can drive is present and the CUDA backend is on the classpath, else the CPU. */
    AUTO,
    /** The CPU (nd4j-native), even when a GPU is present. */
    CPU,
    /** The GPU, or a {@link DeviceUnavailableException} saying why not. */
    GPU;

    /** Parses {@code auto}, {@code cpu} or {@code gpu} (any case). */
    public static Device parse(String text) {
        for (Device device : values()) {
            if (device.name().equalsIgnoreCase(text.trim())) {
                return device;
            }
        }
        throw new IllegalArgumentException("Unknown device '" + text + "': use auto, cpu or gpu.");
    }
}
