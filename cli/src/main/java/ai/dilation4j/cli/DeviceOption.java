package ai.dilation4j.cli;

import java.io.PrintWriter;

import ai.dilation4j.runtime.device.Device;
import ai.dilation4j.runtime.device.DeviceDecision;
import ai.dilation4j.runtime.device.DeviceSelector;
import ai.dilation4j.runtime.device.DeviceUnavailableException;
import picocli.CommandLine.Option;

/** The {@code --device} option of the commands that run a network; applied before the model loads. */
final class DeviceOption {

    @Option(names = "--device", paramLabel = "auto|cpu|gpu", defaultValue = "auto",
            converter = DeviceConverter.class,
            description = "Where to run: auto (the GPU if nd4j-cuda-11.6 can drive it and this build has the CUDA "
                    + "backend, else the CPU, saying why once), cpu, or gpu (fails with the reason when it cannot). "
                    + "Default: ${DEFAULT-VALUE}.")
    Device device = Device.AUTO;

    /** Selects the device; prints the one-line fallback message of {@code auto} on {@code err}. */
    DeviceDecision apply(PrintWriter err) throws DeviceUnavailableException {
        DeviceDecision decision = DeviceSelector.select(device);
        decision.warning().ifPresent(warning -> err.println("dilation4j: " + warning));
        return decision;
    }

    static final class DeviceConverter implements picocli.CommandLine.ITypeConverter<Device> {
        @Override
        public Device convert(String value) {
            return Device.parse(value);
        }
    }
}
