package ai.dilation4j.runtime.model;

import java.nio.file.Path;
import java.util.Arrays;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Whether tiles of several images in one forward pass raise throughput: N tiles as one batch against N forward passes
 * of one tile, alternating within each round so that the machine's drift hits both alike; prints medians and the
 * outputs' largest difference. Not a test: run it by hand, e.g.
 * {@code java -cp ... ai.dilation4j.runtime.model.BatchTimings /tmp/d8.zip 2 3} (model, tiles, rounds).
 */
public final class BatchTimings {

    private BatchTimings() {
    }

    public static void main(String[] args) throws Exception {
        int tiles = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        try (SegmentationModel model = SegmentationModel.load(Path.of(args[0]))) {
            ComputationGraph graph = model.graph();
            long[] shape = model.metadata().inputShape().clone();
            shape[0] = tiles;
            Nd4j.getRandom().setSeed(42);
            INDArray batch = Nd4j.rand(DataType.FLOAT, shape).muli(255).subi(128);
            double[] batched = new double[rounds];
            double[] oneByOne = new double[rounds];
            double difference = 0;
            for (int round = -1; round < rounds; round++) { // one warm-up round
                long start = System.nanoTime();
                INDArray together = graph.outputSingle(batch).dup();
                double batchedMs = (System.nanoTime() - start) / 1e6;
                start = System.nanoTime();
                for (int tile = 0; tile < tiles; tile++) {
                    INDArray alone = graph.outputSingle(batch.slice(tile).reshape(1, shape[1], shape[2], shape[3]).dup());
                    difference = Math.max(difference, alone.sub(together.slice(tile).reshape(alone.shape()))
                            .amaxNumber().doubleValue());
                }
                double oneByOneMs = (System.nanoTime() - start) / 1e6;
                if (round >= 0) {
                    batched[round] = batchedMs;
                    oneByOne[round] = oneByOneMs;
                }
            }
            System.out.printf("%d tiles %s: one batch %,.0f ms median %s; one by one %,.0f ms median %s; "
                            + "batch/one-by-one %.2f; max |difference| %.2g%n", tiles, Arrays.toString(shape),
                    median(batched), Arrays.toString(Arrays.stream(batched).mapToLong(Math::round).toArray()),
                    median(oneByOne), Arrays.toString(Arrays.stream(oneByOne).mapToLong(Math::round).toArray()),
                    median(batched) / median(oneByOne), difference);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
