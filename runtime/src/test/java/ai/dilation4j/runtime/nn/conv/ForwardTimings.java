package ai.dilation4j.runtime.nn.conv;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.model.SegmentationModel;

/**
 * Whole forward passes of a model file with the kernel choice before oneDNN (im2col, Winograd, 1x1 GEMM), with
 * oneDNN where {@link OneDnnCostModel} says, and in bf16: three graphs over one copy of the weights, alternating
 * within each round; prints medians and bf16's accuracy against fp32. Not a test: run it by hand, e.g.
 * {@code java -cp ... ai.dilation4j.runtime.nn.conv.ForwardTimings /tmp/d8.zip 5}.
 */
public final class ForwardTimings {

    private ForwardTimings() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        try (SegmentationModel model = SegmentationModel.load(Path.of(args[0]))) {
            Map<String, Consumer<ComputationGraph>> variants = new LinkedHashMap<>();
            variants.put("fp32 before (no oneDNN)", graph -> eachLayer(graph,
                    layer -> layer.oneDnnCosts(OneDnnCostModel.NEVER)));
            variants.put("fp32 (oneDNN per table)", graph -> { });
            variants.put("bf16", Precision.BF16::applyTo);
            List<ComputationGraph> graphs = new ArrayList<>();
            for (Consumer<ComputationGraph> setting : variants.values()) {
                ComputationGraph copy = new ComputationGraph(model.graph().getConfiguration().clone());
                copy.init(model.graph().params(), false);
                setting.accept(copy);
                graphs.add(copy);
            }
            long[] shape = model.metadata().inputShape().clone();
            shape[0] = 1;
            Nd4j.getRandom().setSeed(42);
            INDArray input = Nd4j.rand(DataType.FLOAT, shape).muli(255).subi(128);
            INDArray[] outputs = new INDArray[graphs.size()];
            double[][] ms = new double[graphs.size()][rounds];
            for (int round = -2; round < rounds; round++) { // two warm-up rounds, as bench does
                for (int g = 0; g < graphs.size(); g++) {
                    long start = System.nanoTime();
                    INDArray output = graphs.get(g).outputSingle(input);
                    double elapsed = (System.nanoTime() - start) / 1e6;
                    if (round >= 0) {
                        ms[g][round] = elapsed;
                    } else {
                        outputs[g] = output;
                    }
                }
            }
            List<String> names = new ArrayList<>(variants.keySet());
            System.out.println("input " + Arrays.toString(shape) + ", threads " + Nd4j.getEnvironment().maxThreads());
            for (int g = 0; g < graphs.size(); g++) {
                System.out.printf("%-26s %,8.0f ms median of %s%n", names.get(g), median(ms[g]),
                        Arrays.toString(Arrays.stream(ms[g]).mapToLong(Math::round).toArray()));
            }
            INDArray fp32 = outputs[1];
            INDArray bf16 = outputs[2];
            INDArray labels = Nd4j.argMax(fp32, 1);
            double agreement = labels.eq(Nd4j.argMax(bf16, 1)).castTo(DataType.INT).sumNumber().doubleValue()
                    / labels.length();
            System.out.printf("bf16 vs fp32: max |prob difference| %.3g, label agreement %.4f; fp32 vs before: %.3g%n",
                    bf16.sub(fp32).amaxNumber().doubleValue(), agreement,
                    fp32.sub(outputs[0]).amaxNumber().doubleValue());
        }
    }

    private static void eachLayer(ComputationGraph graph, Consumer<GemmConvolution> setting) {
        for (Layer layer : graph.getLayers()) {
            if (layer instanceof GemmConvolution convolution) {
                setting.accept(convolution);
            }
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
