package ai.dilation4j.cli;

import java.io.PrintWriter;

import ai.dilation4j.runtime.device.DeviceUnavailableException;
import ai.dilation4j.runtime.nn.conv.ConvolutionAlgorithm;
import picocli.CommandLine.Mixin;

/** The options of the commands that run a network: where ({@code --device}) and how ({@code --convolution}). */
final class ExecutionOptions {

    @Mixin
    DeviceOption device;

    @Mixin
    ConvolutionOption convolution;

    /** Applies both before the model loads (ND4J picks its backend once); returns the convolution algorithm. */
    ConvolutionAlgorithm apply(PrintWriter err) throws DeviceUnavailableException {
        device.apply(err);
        return convolution.apply();
    }
}
