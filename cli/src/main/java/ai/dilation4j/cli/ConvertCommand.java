package ai.dilation4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import ai.dilation4j.converter.CaffeConverter;
import ai.dilation4j.converter.ConversionOptions;
import ai.dilation4j.converter.SavedModel;
import ai.dilation4j.converter.keras.KerasConverter;
import ai.dilation4j.models.ModelPreset;
import ai.dilation4j.runtime.ModelMetadata;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a Caffe deploy prototxt and its trained caffemodel, or a Keras model, into a dilation4j "
                + "(DL4J) model file.",
                "Keras models (1.x and 2.x, e.g. DilatedNet ported by segmentation_keras) are read as the Caffe "
                        + "weights are: the network takes the BGR image minus the dataset mean, in tiles of its input "
                        + "size with the preset's label margin, and its output is upsampled by the preset's zoom."})
final class ConvertCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    /** What to convert: exactly one of a Caffe prototxt, a Keras model file, a Keras architecture. */
    static final class Source {
        @Option(names = "--prototxt", paramLabel = "FILE",
                description = "Caffe network definition (text .prototxt; current or V1 format); with --weights.")
        Path prototxt;

        @Option(names = "--keras", paramLabel = "FILE",
                description = "Keras full-model HDF5 file (model.save / ModelCheckpoint: architecture and weights).")
        Path kerasModel;

        @Option(names = "--keras-json", paramLabel = "FILE",
                description = "Keras architecture JSON (model.to_json()); with --keras-weights.")
        Path kerasJson;
    }

    @Option(names = "--weights", paramLabel = "FILE",
            description = "Trained Caffe weights for --prototxt (binary .caffemodel; current or V1 format).")
    Path weights;

    @Option(names = "--keras-weights", paramLabel = "FILE",
            description = "Keras weights HDF5 file for --keras-json (model.save_weights()).")
    Path kerasWeights;

    @Option(names = "--preset", paramLabel = "NAME",
            description = "Store this preset's dataset fields (classes, palette, BGR mean, label margin, zoom) "
                    + "with the model. One of: pascal_voc, camvid, kitti, cityscapes.")
    String preset;

    @Option(names = "--name", paramLabel = "NAME",
            description = "Model name to record (default: the prototxt's name, else the weights file name; for "
                    + "Keras, the model or architecture file name).")
    String name;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE",
            description = "Model file to write (a zip; written atomically, replaced if present).")
    Path output;

    /** The weights option that goes with the source given, present, and the other one absent. */
    private void requireCompanion(String source, String companion, Path value, String what, Path other) {
        if (value == null) {
            throw new ParameterException(spec.commandLine(), "Missing required option '" + companion + "=FILE': "
                    + source + " needs " + what + ".");
        }
        if (other != null) {
            throw new ParameterException(spec.commandLine(), (companion.equals("--weights") ? "--keras-weights"
                    : "--weights") + " does not go with " + source + "; give " + companion + ".");
        }
    }

    @Override
    public Integer call() throws Exception {
        ConsoleProgress progress = new ConsoleProgress(spec.commandLine().getErr());
        ConversionOptions.Builder options = ConversionOptions.builder().name(name).progress(progress);
        if (preset != null) {
            ModelPreset known = PresetOption.find(preset);
            options.preset(known.name(), known.dataset());
        }
        long started = System.nanoTime();
        SavedModel saved;
        if (source.prototxt != null) {
            requireCompanion("--prototxt", "--weights", weights, "the trained caffemodel", kerasWeights);
            saved = new CaffeConverter().convertTo(source.prototxt, weights, options.build(), output);
        } else if (source.kerasJson != null) {
            requireCompanion("--keras-json", "--keras-weights", kerasWeights, "the weights HDF5 file", weights);
            saved = new KerasConverter().convertTo(source.kerasJson, kerasWeights, options.build(), output);
        } else {
            if (weights != null || kerasWeights != null) {
                throw new ParameterException(spec.commandLine(), (weights != null ? "--weights" : "--keras-weights")
                        + " does not go with --keras: a Keras model file holds its weights.");
            }
            saved = new KerasConverter().convertTo(source.kerasModel, options.build(), output);
        }
        ModelMetadata metadata = saved.metadata();
        spec.commandLine().getOut().printf("Converted %s (%d parameters, output '%s' with %d channels) to %s "
                        + "in %.1f s (save %.1f s)%n", metadata.name(), saved.parameters(), metadata.outputBlob(),
                metadata.numClasses(), output, (System.nanoTime() - started) / 1e9, saved.saving().toNanos() / 1e9);
        return 0;
    }
}
