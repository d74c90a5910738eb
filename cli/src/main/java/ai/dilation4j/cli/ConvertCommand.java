package ai.dilation4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import ai.dilation4j.converter.CaffeConverter;
import ai.dilation4j.converter.ConversionOptions;
import ai.dilation4j.converter.InputChannelOrder;
import ai.dilation4j.converter.SavedModel;
import ai.dilation4j.converter.keras.KerasConverter;
import ai.dilation4j.models.DatasetFile;
import ai.dilation4j.models.ModelPreset;
import ai.dilation4j.runtime.ModelMetadata;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Convert a Caffe deploy prototxt and its trained caffemodel, or a Keras model (1.x or 2.x, e.g. "
                + "DilatedNet ported by segmentation_keras), into a dilation4j (DL4J) model file.",
                "Every converted model takes what fyu/dilation's predict.py feeds Caffe: the BGR image minus the "
                        + "dataset's mean (meanBgr), cut into tiles of the network's input size with the dataset's "
                        + "label margin of reflected context; its output is upsampled by the dataset's zoom. The "
                        + "dataset fields come from --preset, or from --dataset for a network trained on other data. "
                        + "A network trained on RGB images (many Keras ports) is converted with --input-order rgb, so "
                        + "that it takes BGR like every other model."})
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

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    Dataset dataset;

    /** Where the dataset fields come from: a bundled preset or a file of their own. */
    static final class Dataset {
        @Option(names = "--preset", paramLabel = "NAME",
                description = "Store this preset's dataset fields (class names, palette, BGR mean, label margin, "
                        + "zoom) with the model. One of: pascal_voc, camvid, kitti, cityscapes. Without --preset or "
                        + "--dataset, give --preset when segmenting.")
        String preset;

        @Option(names = "--dataset", paramLabel = "FILE",
                description = "Store the dataset fields of this JSON file with the model, for a network trained on "
                        + "other data: name, classes (one per output channel), palette ([R, G, B] of 0..255 per "
                        + "class), meanBgr ([B, G, R]), labelMargin (>= 0) and zoom (>= 1), as in a preset file (whose "
                        + "other fields are ignored; an unknown field is an error). At most 1 MB.")
        Path file;
    }

    @Option(names = "--input-order", paramLabel = "bgr|rgb", defaultValue = "bgr",
            converter = InputOrderConverter.class,
            description = "Channel order of the images the network was trained on. rgb reverses the input channels "
                    + "of the convolutions that read the image, so that the model takes BGR like every dilation4j "
                    + "model; the mean stays in B, G, R order. Default: ${DEFAULT-VALUE}.")
    InputChannelOrder inputOrder = InputChannelOrder.BGR;

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
        if (source.prototxt != null) {
            requireCompanion("--prototxt", "--weights", weights, "the trained caffemodel", kerasWeights);
        } else if (source.kerasJson != null) {
            requireCompanion("--keras-json", "--keras-weights", kerasWeights, "the weights HDF5 file", weights);
        } else if (weights != null || kerasWeights != null) {
            throw new ParameterException(spec.commandLine(), (weights != null ? "--weights" : "--keras-weights")
                    + " does not go with --keras: a Keras model file holds its weights.");
        }
        ConsoleProgress progress = new ConsoleProgress(spec.commandLine().getErr());
        ConversionOptions.Builder options = ConversionOptions.builder().name(name).inputOrder(inputOrder)
                .progress(progress);
        if (dataset != null && dataset.preset != null) {
            ModelPreset known = PresetOption.find(dataset.preset);
            options.preset(known.name(), known.dataset());
        } else if (dataset != null) {
            DatasetFile file = DatasetFile.read(dataset.file);
            options.datasetFile(file.file(), file.source(), file.dataset());
        }
        long started = System.nanoTime();
        SavedModel saved;
        if (source.prototxt != null) {
            saved = new CaffeConverter().convertTo(source.prototxt, weights, options.build(), output);
        } else if (source.kerasJson != null) {
            saved = new KerasConverter().convertTo(source.kerasJson, kerasWeights, options.build(), output);
        } else {
            saved = new KerasConverter().convertTo(source.kerasModel, options.build(), output);
        }
        ModelMetadata metadata = saved.metadata();
        spec.commandLine().getOut().printf("Converted %s (%d parameters, output '%s' with %d channels) to %s "
                        + "in %.1f s (save %.1f s)%n", metadata.name(), saved.parameters(), metadata.outputBlob(),
                metadata.numClasses(), output, (System.nanoTime() - started) / 1e9, saved.saving().toNanos() / 1e9);
        return 0;
    }

    /** {@code bgr} or {@code rgb}, in any case. */
    static final class InputOrderConverter implements picocli.CommandLine.ITypeConverter<InputChannelOrder> {
        @Override
        public InputChannelOrder convert(String value) {
            for (InputChannelOrder order : InputChannelOrder.values()) {
                if (order.name().equalsIgnoreCase(value)) {
                    return order;
                }
            }
            throw new picocli.CommandLine.TypeConversionException("expected bgr or rgb, got '" + value + "'");
        }
    }
}
