package ai.dilation4j.runtime.nn.conv;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.model.SegmentationModel;

/**
 * Label agreement of bf16 with fp32 when some layers stay in fp32: each argument after the model file lists the layers
 * kept in fp32 ({@code -} for none; {@code ct_*} matches a prefix). Not a test: run it by hand, e.g.
 * {@code java -cp ... ai.dilation4j.runtime.nn.conv.Bf16Agreement /tmp/d8.zip - fc6 'ct_*,fc-final'}.
 */
public final class Bf16Agreement {

    private Bf16Agreement() {
    }

    public static void main(String[] args) throws Exception {
        try (SegmentationModel model = SegmentationModel.load(Path.of(args[0]))) {
            long[] shape = model.metadata().inputShape().clone();
            shape[0] = 1;
            Nd4j.getRandom().setSeed(42);
            INDArray input = Nd4j.rand(DataType.FLOAT, shape).muli(255).subi(128);
            ComputationGraph graph = model.graph();
            INDArray fp32 = graph.outputSingle(input).dup();
            INDArray labels = Nd4j.argMax(fp32, 1);
            for (int i = 1; i < args.length; i++) {
                Set<String> keep = args[i].isEmpty() || args[i].equals("-") ? Set.of() : Set.of(args[i].split(","));
                ComputationGraph copy = new ComputationGraph(graph.getConfiguration().clone());
                copy.init(graph.params(), false);
                for (Layer layer : copy.getLayers()) {
                    if (layer instanceof GemmConvolution c) {
                        String name = layer.getConfig().getLayerName();
                        boolean fp = keep.contains(name) || keep.stream().anyMatch(k -> k.endsWith("*") && name.startsWith(k.substring(0, k.length() - 1)));
                        c.precision(fp ? Precision.FP32 : Precision.BF16);
                    }
                }
                long t = System.nanoTime();
                INDArray bf16 = copy.outputSingle(input);
                double ms = (System.nanoTime() - t) / 1e6;
                double agreement = labels.eq(Nd4j.argMax(bf16, 1)).castTo(DataType.INT).sumNumber().doubleValue() / labels.length();
                System.out.printf("fp32 %-45s agreement %.4f  max|dprob| %.3g  (%.0f ms first run)%n", args[i], agreement,
                        bf16.sub(fp32).amaxNumber().doubleValue(), ms);
            }
        }
    }
}
