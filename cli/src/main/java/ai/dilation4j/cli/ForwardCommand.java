package ai.dilation4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import ai.dilation4j.runtime.SegmentationModel;
import ai.dilation4j.runtime.io.Npy;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "forward", mixinStandardHelpOptions = true,
        description = {"Run the network on an NCHW float32 .npy input and write Caffe blobs as .npy files: the "
                + "'dump intermediate blobs and compare with Caffe' debugging step.",
                "Blob names are Caffe top names; a blob written in place (ReLU, Dropout) holds its final value, "
                        + "as in Caffe. Files are named after the blob with '/' and '-' replaced by '_'."})
final class ForwardCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    ExecutionOptions execution;

    @picocli.CommandLine.Mixin
    ModelOption modelOption;

    @Option(names = "--input-npy", required = true, paramLabel = "FILE",
            description = "Network input: float32 (<f4) or float64 .npy array, shape N x C x H x W, C order.")
    Path input;

    @Option(names = "--blobs", split = ",", paramLabel = "NAME",
            description = "Comma-separated blobs to write, or 'all' (default: the model's output blob).")
    List<String> blobs;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for <blob>.npy files.")
    Path outDir;

    @Override
    public Integer call() throws Exception {
        Path modelFile = modelOption.file();
        execution.apply(spec.commandLine().getErr());
        try (SegmentationModel model = SegmentationModel.load(modelFile)) {
            List<String> wanted = blobs == null ? List.of(model.metadata().outputBlob())
                    : blobs.equals(List.of("all")) ? List.of() : blobs;
            INDArray array = Npy.read(input);
            long started = System.nanoTime();
            Map<String, INDArray> values = model.forwardBlobs(array, wanted);
            long elapsed = System.nanoTime() - started;
            Files.createDirectories(outDir);
            for (Map.Entry<String, INDArray> entry : values.entrySet()) {
                Path file = outDir.resolve(fileNameOf(entry.getKey()));
                Npy.write(entry.getValue(), file);
                spec.commandLine().getOut().printf("%-24s %-20s -> %s%n", entry.getKey(),
                        Arrays.toString(entry.getValue().shape()), file);
            }
            spec.commandLine().getOut().printf("Forward pass: %.2f s%n", elapsed / 1e9);
        }
        return 0;
    }

    /** The fixture naming rule: the blob name with '/' and '-' replaced by '_'. */
    static String fileNameOf(String blob) {
        return blob.replace('/', '_').replace('-', '_') + ".npy";
    }
}
