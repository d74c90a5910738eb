package ai.dilation4j.samples;

import java.nio.file.Path;
import java.util.Arrays;

import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.io.Npy;
import ai.dilation4j.runtime.model.SegmentationModel;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Loads a converted model, runs it on a preprocessed NCHW input (.npy) and prints how many output pixels each
 * class wins.
 *
 * <pre>
 * mvn -q -pl samples -am install -DskipTests
 * mvn -q -pl samples exec:java -Dexec.args="model.zip input_blob.npy"
 * </pre>
 */
public final class ForwardExample {

    private ForwardExample() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: ForwardExample MODEL.zip INPUT.npy");
            System.exit(2);
        }
        try (SegmentationModel model = SegmentationModel.load(Path.of(args[0]))) {
            ModelMetadata metadata = model.metadata();
            INDArray output = model.forward(Npy.read(Path.of(args[1])));
            System.out.println(metadata.name() + ": " + metadata.outputBlob() + " " + Arrays.toString(output.shape()));

            INDArray labels = output.argMax(1);
            long[] pixels = new long[metadata.numClasses()];
            for (long label : labels.ravel().toLongVector()) {
                pixels[(int) label]++;
            }
            for (int c = 0; c < pixels.length; c++) {
                if (pixels[c] > 0) {
                    int label = c;
                    String name = metadata.datasetSpec().map(d -> d.classNames().get(label)).orElse("class");
                    System.out.printf("%3d %-14s %6.2f%%%n", c, name, 100.0 * pixels[c] / labels.length());
                }
            }
        }
    }
}
