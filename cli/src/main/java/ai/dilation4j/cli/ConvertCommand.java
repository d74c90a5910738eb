package ai.dilation4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import ai.dilation4j.converter.CaffeConverter;
import ai.dilation4j.converter.ConversionOptions;
import ai.dilation4j.converter.SavedModel;
import ai.dilation4j.models.ModelPreset;
import ai.dilation4j.runtime.ModelMetadata;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "convert", mixinStandardHelpOptions = true,
        description = "Convert a Caffe deploy prototxt and its trained caffemodel into a dilation4j (DL4J) model file.")
final class ConvertCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--prototxt", required = true, paramLabel = "FILE",
            description = "Caffe network definition (text .prototxt; current or V1 format).")
    Path prototxt;

    @Option(names = "--weights", required = true, paramLabel = "FILE",
            description = "Trained Caffe weights (binary .caffemodel; current or V1 format).")
    Path weights;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "Store this preset's dataset fields (classes, palette, BGR mean, label margin, zoom) "
                    + "with the model. One of: pascal_voc, camvid, kitti, cityscapes.")
    String preset;

    @Option(names = "--name", paramLabel = "NAME",
            description = "Model name to record (default: the prototxt's name, "
                    + "else the weights file name).")
    String name;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE",
            description = "Model file to write (a zip; written atomically, replaced if present).")
    Path output;

    @Override
    public Integer call() throws Exception {
        ConsoleProgress progress = new ConsoleProgress(spec.commandLine().getErr());
        ConversionOptions.Builder options = ConversionOptions.builder().name(name).progress(progress);
        if (preset != null) {
            ModelPreset known = PresetOption.find(preset);
            options.preset(known.name(), known.dataset());
        }
        long started = System.nanoTime();
        SavedModel saved = new CaffeConverter().convertTo(prototxt, weights, options.build(), output);
        ModelMetadata metadata = saved.metadata();
        spec.commandLine().getOut().printf("Converted %s (%d parameters, output '%s' with %d channels) to %s "
                        + "in %.1f s (save %.1f s)%n", metadata.name(), saved.parameters(), metadata.outputBlob(),
                metadata.numClasses(), output, (System.nanoTime() - started) / 1e9, saved.saving().toNanos() / 1e9);
        return 0;
    }
}
