package ai.dilation4j.cli;

import java.io.PrintWriter;

import ai.dilation4j.runtime.device.DeviceUnavailableException;
import ai.dilation4j.runtime.nn.conv.ConvolutionAlgorithm;
import ai.dilation4j.runtime.nn.conv.Precision;
import picocli.CommandLine.Mixin;

/**
 * The options of the commands that run a network: where ({@code --device}) and how ({@code --convolution},
 * {@code --precision}).
 */
final class ExecutionOptions {

    @Mixin
    DeviceOption device;

    @Mixin
    ConvolutionOption convolution;

    @Mixin
    PrecisionOption precision;

    private Precision running = Precision.FP32;

    /** Applies them before the model loads (ND4J picks its backend once); returns the convolution algorithm. */
    ConvolutionAlgorithm apply(PrintWriter err) throws DeviceUnavailableException {
        device.apply(err);
        running = precision.apply(err);
        return convolution.apply();
    }

    /** The precision that runs (bf16 only on a CPU with AVX512_BF16), once {@link #apply} has run. */
    Precision precision() {
        return running;
    }
}
