package ai.dilation4j.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;

import ai.dilation4j.runtime.io.Npy;
import ai.dilation4j.runtime.model.FiniteValues;
import ai.dilation4j.runtime.model.SegmentationModel;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "forward", mixinStandardHelpOptions = true,
        description = {"Run the network on an NCHW float32 .npy input and write Caffe blobs as .npy files: the "
                + "'dump intermediate blobs and compare with Caffe' debugging step.",
                "Blob names are Caffe top names; a blob written in place (ReLU, Dropout) holds its final value, "
                        + "as in Caffe.",
                "Files are named after the blob with '/' and '-' replaced by '_' (conv5/relu -> conv5_relu.npy), "
                        + "the rule of Caffe fixture dumps. Where that would give two blobs of the model one name "
                        + "(x/y and x-y), or a name holds other characters, those blobs' names keep letters, "
                        + "digits, '_', '.' and '-' and percent-encode the rest (x/y -> x%%2Fy.npy, x-y -> x-y.npy), "
                        + "so no blob's file is ever overwritten by another's. Each file written is listed."})
final class ForwardCommand implements Callable<Integer> {

    /** Characters the fixture rule keeps (after mapping '/' and '-' to '_'). */
    private static final Pattern FIXTURE_SAFE = Pattern.compile("[A-Za-z0-9_./-]*");

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    ExecutionOptions execution;

    @picocli.CommandLine.Mixin
    ModelOption modelOption;

    @Option(names = "--input-npy", required = true, paramLabel = "FILE",
            description = "Network input: float32 (<f4) or float64 .npy array, shape N x C x H x W, C order, "
                    + "finite values.")
    Path input;

    @Option(names = "--blobs", split = ",", paramLabel = "NAME",
            description = "Comma-separated blobs to write, or 'all' (default: the model's output blob).")
    List<String> blobs;

    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Directory for the .npy files (one per blob; see above for their names).")
    Path outDir;

    @Override
    public Integer call() throws Exception {
        Path modelFile = modelOption.file();
        execution.apply(spec.commandLine().getErr());
        try (SegmentationModel model = SegmentationModel.load(modelFile)) {
            List<String> wanted = blobs == null ? List.of(model.metadata().outputBlob())
                    : blobs.equals(List.of("all")) ? List.of() : blobs;
            INDArray array = Npy.read(input);
            FiniteValues.requireFinite(array, input.toString());
            Map<String, String> fileNames = fileNames(model.metadata().blobVertices().keySet());
            long started = System.nanoTime();
            Map<String, INDArray> values = model.forwardBlobs(array, wanted);
            long elapsed = System.nanoTime() - started;
            Files.createDirectories(outDir);
            List<Path> written = new ArrayList<>();
            for (Map.Entry<String, INDArray> entry : values.entrySet()) {
                Path file = outDir.resolve(fileNames.get(entry.getKey()));
                requireNotWrittenYet(file, written, entry.getKey());
                Npy.write(entry.getValue(), file);
                written.add(file);
                spec.commandLine().getOut().printf("%-24s %-20s -> %s%n", entry.getKey(),
                        Arrays.toString(entry.getValue().shape()), file);
            }
            spec.commandLine().getOut().printf("Forward pass: %.2f s%n", elapsed / 1e9);
        }
        return 0;
    }

    /**
     * The file name of each blob, decided over all the model's blobs so that a blob's file does not depend on
     * which others are written: the fixture rule ('/' and '-' to '_') where it names one blob only and the name
     * has no other special characters, else the percent-encoded name, which is injective. Fixture names never
     * hold '%' or '-', and an encoded name holding neither is its own fixture name, so the two kinds never meet.
     */
    static Map<String, String> fileNames(Collection<String> modelBlobs) {
        Map<String, List<String>> byFixtureName = new HashMap<>();
        for (String blob : modelBlobs) {
            byFixtureName.computeIfAbsent(fixtureName(blob), name -> new ArrayList<>()).add(blob);
        }
        Map<String, String> names = new LinkedHashMap<>();
        for (String blob : modelBlobs) {
            boolean unambiguous = FIXTURE_SAFE.matcher(blob).matches()
                    && byFixtureName.get(fixtureName(blob)).size() == 1;
            names.put(blob, (unambiguous ? fixtureName(blob) : percentEncoded(blob)) + ".npy");
        }
        return names;
    }

    private static String fixtureName(String blob) {
        return blob.replace('/', '_').replace('-', '_');
    }

    private static String percentEncoded(String blob) {
        StringBuilder name = new StringBuilder();
        for (byte b : blob.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.'
                    || c == '-') {
                name.append(c);
            } else {
                name.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return name.toString();
    }

    /** On a case-insensitive file system two distinct names can still be one file; never overwrite a blob's. */
    private static void requireNotWrittenYet(Path file, List<Path> written, String blob) throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        for (Path earlier : written) {
            if (Files.isSameFile(earlier, file)) {
                throw new IOException("blob '" + blob + "' would overwrite " + earlier + ", written for another blob "
                        + "a moment ago (the file system ignores case?); write the blobs into separate directories "
                        + "with --blobs.");
            }
        }
    }
}
