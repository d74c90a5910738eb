package ai.dilation4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import ai.dilation4j.converter.RandomCaffeModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "random-weights", mixinStandardHelpOptions = true,
        description = {"Write a caffemodel with random weights for a prototxt (He-normal weights, N(0, 0.1^2) "
                + "biases, reproducible from the seed).",
                "For benchmarks and tests where the trained weights cannot be downloaded, e.g. a full-size "
                        + "dilation8_pascal_voc (141 M parameters, 565 MB)."})
final class RandomWeightsCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--prototxt", required = true, paramLabel = "FILE", description = "Caffe deploy prototxt.")
    Path prototxt;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE", description = "caffemodel to write.")
    Path output;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--format", defaultValue = "V2", paramLabel = "V2|V1",
            description = "caffemodel layout: V2 (current, default) or V1 (legacy 'layers').")
    RandomCaffeModel.Format format;

    @Override
    public Integer call() throws Exception {
        long started = System.nanoTime();
        long parameters = RandomCaffeModel.write(prototxt, output, seed, format);
        spec.commandLine().getOut().printf("Wrote %s: %,d random parameters (%s format) in %.1f s%n", output,
                parameters, format, (System.nanoTime() - started) / 1e9);
        return 0;
    }
}
