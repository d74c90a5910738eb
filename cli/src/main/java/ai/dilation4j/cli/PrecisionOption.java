package ai.dilation4j.cli;

import java.io.PrintWriter;

import ai.dilation4j.runtime.nn.conv.Precision;
import picocli.CommandLine.Option;

/** The {@code --precision} option of the commands that run a network. */
final class PrecisionOption {

    @Option(names = "--precision", paramLabel = "fp32|bf16", defaultValue = "fp32",
            converter = PrecisionConverter.class,
            description = "Arithmetic of the convolutions on the CPU: fp32, or bf16 (bfloat16 inputs and weights, "
                    + "float32 sums and outputs, through oneDNN on a CPU with AVX512_BF16: its direct convolution, and "
                    + "Winograd's algorithm with bf16 products for 7x7 kernels; DilatedNet-8 about 1.5x faster; "
                    + "probabilities within ~0.1 of fp32's, labels the same on ~98%% of pixels with random weights; a "
                    + "bf16 copy of those layers' weights beside the fp32 ones). Without AVX512_BF16, bf16 says so and "
                    + "runs fp32. Default: ${DEFAULT-VALUE}.")
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
