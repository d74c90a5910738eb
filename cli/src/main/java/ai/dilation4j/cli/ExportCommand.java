package ai.dilation4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;

import ai.dilation4j.converter.onnx.OnnxExportOptions;
import ai.dilation4j.converter.onnx.OnnxExporter;
import ai.dilation4j.runtime.model.SegmentationModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Write a model in another format: --onnx writes an ONNX model (opset " + OnnxExporter.OPSET
                + ") for ONNX Runtime and other ONNX engines.",
                "The ONNX model takes the same input as the network (N x 3 x H x W float32, the BGR image minus the "
                        + "dataset mean, named after the input blob) and gives the same output blob (class "
                        + "probabilities N x classes x h x w); tiling, upsampling by the zoom and the arg max stay with "
                        + "the caller. The model's dataset fields are stored as JSON under the metadata key "
                        + OnnxExporter.METADATA_KEY + "."},
        footer = {"", "Example: dilation4j export --onnx --model pascal_voc -o dilation8_pascal_voc.onnx"})
final class ExportCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ModelOption modelOption;

    @Option(names = "--onnx", required = true, description = "Write ONNX (the one export format).")
    boolean onnx;

    @Option(names = "--size", paramLabel = "HxW",
            description = "Input size the ONNX graph is written for (default: the size the model was converted for).")
    String size;

    @Option(names = "--dynamic-size",
            description = "Leave the input height and width free, so one file takes any size (Caffe AVE pooling is "
                    + "written for a fixed size only).")
    boolean dynamicSize;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE",
            description = "ONNX file to write (written atomically, replaced if present).")
    Path output;

    @Override
    public Integer call() throws Exception {
        long[] heightWidth = InputSize.parse(spec.commandLine(), size);
        if (heightWidth != null && dynamicSize) {
            throw new ParameterException(spec.commandLine(), "--size and --dynamic-size exclude each other: a graph "
                    + "is written for one size or for any.");
        }
        OnnxExportOptions.Builder options = OnnxExportOptions.builder().dynamicSize(dynamicSize);
        if (heightWidth != null) {
            options.inputSize(heightWidth[0], heightWidth[1]);
        }
        Path modelFile = modelOption.file();
        long started = System.nanoTime();
        try (SegmentationModel model = SegmentationModel.load(modelFile)) {
            OnnxExporter.Exported exported = new OnnxExporter(options.build()).export(model, output);
            spec.commandLine().getOut().printf("Exported %s to %s (ONNX opset %d, %d nodes, %,.0f MB of weights): "
                            + "input '%s' %s, output '%s' %s, in %.1f s%n", model.metadata().name(), output,
                    OnnxExporter.OPSET, exported.nodes(), exported.weightBytes() / 1e6, exported.inputName(),
                    dimensions(exported.inputShape(), "H x W"), exported.outputName(), dimensions(exported.outputShape(), "h x w"),
                    (System.nanoTime() - started) / 1e9);
        }
        return 0;
    }

    /** N x C x H x W, the height and width named {@code free} when the size is dynamic. */
    private String dimensions(long[] shape, String free) {
        return "N x " + shape[1] + " x " + (dynamicSize ? free : shape[2] + " x " + shape[3]);
    }
}
