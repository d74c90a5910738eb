package ai.dilation4j.runtime.nn.conv;

import java.nio.file.Files;
import java.nio.file.Path;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.model.SegmentationModel;

/**
 * Resident memory after each step of a model's life in one precision: load, three forward passes, a second graph over
 * the same parameters, the smallest input, the second graph again; the layers' kernels when a third argument is given.
 * Not a test: run it by hand, e.g. {@code java -cp ... ai.dilation4j.runtime.nn.conv.RssSteps /tmp/d8.zip bf16}.
 */
public final class RssSteps {

    private RssSteps() {
    }

    public static void main(String[] args) throws Exception {
        print("start");
        try (SegmentationModel model = SegmentationModel.load(Path.of(args[0]))) {
            print("loaded");
            Precision.parse(args[1]).applyTo(model.graph());
            long[] shape = model.metadata().inputShape().clone();
            shape[0] = 1;
            INDArray input = Nd4j.rand(DataType.FLOAT, shape).muli(255).subi(128);
            for (int i = 0; i < 3; i++) {
                model.graph().outputSingle(input);
                print("forward " + i);
            }
            org.deeplearning4j.nn.graph.ComputationGraph copy = new org.deeplearning4j.nn.graph.ComputationGraph(
                    model.graph().getConfiguration().clone());
            copy.init(model.graph().params(), false);
            Precision.parse(args[1]).applyTo(copy);
            for (int i = 0; i < 2; i++) {
                copy.outputSingle(input);
                print("copy forward " + i);
            }
            INDArray small = Nd4j.rand(DataType.FLOAT, 1, 3, 373, 373).muli(255).subi(128); // DilatedNet-8's smallest
            for (int i = 0; i < 3; i++) {
                model.graph().outputSingle(small);
                print("small forward " + i);
            }
            for (int i = 0; i < 2; i++) {
                copy.outputSingle(input);
                print("copy forward again " + i);
            }
            for (var layer : model.graph().getLayers()) {
                if (layer instanceof GemmConvolution c && args.length > 2) {
                    System.out.println(layer.getConfig().getLayerName() + " " + c.lastAlgorithm());
                }
            }
        }
    }

    private static void print(String step) throws Exception {
        String status = Files.readString(Path.of("/proc/self/status"));
        String rss = status.lines().filter(l -> l.startsWith("VmRSS") || l.startsWith("VmHWM"))
                .map(l -> l.replaceAll("\\s+", " ")).reduce((a, b) -> a + "; " + b).orElse("");
        System.out.println(step + ": " + rss + "; heap used " + (Runtime.getRuntime().totalMemory()
                - Runtime.getRuntime().freeMemory()) / 1_000_000 + " MB");
    }
}
