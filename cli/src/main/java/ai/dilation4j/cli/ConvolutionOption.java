package ai.dilation4j.cli;

import ai.dilation4j.runtime.nn.conv.ConvolutionAlgorithm;
import picocli.CommandLine.Option;

/** The {@code --convolution} option of the commands that run a network. */
final class ConvolutionOption {

    @Option(names = "--convolution", paramLabel = "winograd|gemm", defaultValue = "winograd",
            converter = AlgorithmConverter.class,
            description = "How convolutions run on the CPU: winograd (per layer the fastest measured: Winograd's "
                    + "F(4x4,3x3) for 3x3 kernels from 128 channels and F(2x2,7x7) for 7x7 ones, oneDNN's direct "
                    + "convolution for the wide early layers, im2col + GEMM elsewhere; rounding within ~1e-5 of each "
                    + "layer's largest value) or gemm (im2col + GEMM, Caffe's own arithmetic). "
                    + "Default: ${DEFAULT-VALUE}.")
    ConvolutionAlgorithm algorithm = ConvolutionAlgorithm.WINOGRAD;

    /** Sets {@value ConvolutionAlgorithm#PROPERTY} for the rest of this process. */
    ConvolutionAlgorithm apply() {
        System.setProperty(ConvolutionAlgorithm.PROPERTY, algorithm.toString());
        return algorithm;
    }

    static final class AlgorithmConverter implements picocli.CommandLine.ITypeConverter<ConvolutionAlgorithm> {
        @Override
        public ConvolutionAlgorithm convert(String value) {
            return ConvolutionAlgorithm.parse(value);
        }
    }
}
