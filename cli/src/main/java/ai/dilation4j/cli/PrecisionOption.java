package ai.dilation4j.cli;

import java.io.PrintWriter;

import ai.dilation4j.runtime.nn.conv.Precision;
import picocli.CommandLine.Option;

/** The {@code --precision} option of the commands that run a network. */
final class PrecisionOption {

    @Option(names = "--precision", paramLabel = "fp32|bf16", defaultValue = "fp32",
            converter = PrecisionConverter.class,
            description = "Arithmetic of the convolutions on the CPU: fp32, or bf16 (oneDNN with bfloat16 inputs and "
                    + "weights, float32 sums and outputs, on a CPU with AVX512_BF16: the layers it takes about 1.7-2x "
                    + "faster, DilatedNet-8 as a whole about 1.2x; probabilities within ~3e-2 of fp32's; those layers' "
                    + "weights take half their size more memory). Without "
                    + "AVX512_BF16, bf16 says so and runs fp32. Default: ${DEFAULT-VALUE}.")
    Precision precision = Precision.FP32;

    /**
     * Sets {@value Precision#PROPERTY} for the rest of this process to what this CPU runs, saying in one line on
     * {@code err} when that is not what was asked; returns it. After ND4J has started (the device option), so that
     * oneDNN shares ND4J's OpenMP runtime.
     */
    Precision apply(PrintWriter err) {
        precision.fallbackMessage().ifPresent(message -> err.println("dilation4j: " + message));
        Precision running = precision.onThisCpu();
        System.setProperty(Precision.PROPERTY, running.toString());
        return running;
    }

    static final class PrecisionConverter implements picocli.CommandLine.ITypeConverter<Precision> {
        @Override
        public Precision convert(String value) {
            return Precision.parse(value);
        }
    }
}
