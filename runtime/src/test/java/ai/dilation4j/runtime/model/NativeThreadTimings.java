package ai.dilation4j.runtime.model;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.stream.Stream;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.segment.ImageSegmenter;
import ai.dilation4j.runtime.testing.SyntheticImages;

/**
 * Forward passes of a model through a {@link Segmenter} with {@code nativeThreads} unset, 2 and 1, then two passes at
 * once with 1 each on one segmenter of two graphs: wall time, process CPU time, which OS threads did the work, and
 * the largest difference from the unlimited probabilities. Not a test: run it by hand, e.g.
 * {@code java -cp ... ai.dilation4j.runtime.model.NativeThreadTimings /tmp/d8.zip 564 3} (the model's tile cut to
 * 564x564, one tile per pass, 3 rounds).
 */
public final class NativeThreadTimings {

    private NativeThreadTimings() {
    }

    public static void main(String[] args) throws Exception {
        int tile = args.length > 1 ? Integer.parseInt(args[1]) : 564;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        try (SegmentationModel full = SegmentationModel.load(Path.of(args[0]))) {
            ModelMetadata m = full.metadata();
            ModelMetadata small = new ModelMetadata(m.formatVersion(), m.name(), m.inputBlob(),
                    new long[] {1, 3, tile, tile}, m.outputBlob(), m.numClasses(), m.blobVertices(), m.sources(),
                    m.preset(), m.dataset(), m.converterVersion());
            SegmentationModel model = SegmentationModel.of(full.graph(), small);
            int side = tile - 2 * m.dataset().labelMargin(); // one tile
            byte[] image = SyntheticImages.noisePng(side, side, 3);
            System.out.printf("model %s, tile %dx%d, cores %d%n", m.name(), tile, tile,
                    Runtime.getRuntime().availableProcessors());
            INDArray reference = null;
            for (Integer limit : new Integer[] {null, 2, 1}) {
                SegmenterOptions.Builder options = SegmenterOptions.builder();
                if (limit != null) {
                    options.nativeThreads(limit);
                }
                try (Segmenter segmenter = model.segmenter(options.build())) {
                    INDArray output = forward(segmenter, image); // warm-up: plans, workspaces
                    if (reference == null) {
                        reference = output;
                    }
                    for (int round = 0; round < rounds; round++) {
                        Sample before = Sample.now();
                        output = forward(segmenter, image);
                        report("nativeThreads " + (limit == null ? "unset" : limit), before, Sample.now(),
                                output, reference);
                    }
                }
            }
            for (Integer limit : new Integer[] {1, null}) {
                concurrently(model, limit, image, rounds, reference);
            }
        }
    }

    /** Two passes at once on one segmenter of two graphs, each limited to {@code limit} threads (null: unlimited). */
    private static void concurrently(SegmentationModel model, Integer limit, byte[] image, int rounds,
                                     INDArray reference) throws Exception {
        SegmenterOptions.Builder options = SegmenterOptions.builder().threads(2);
        if (limit != null) {
            options.nativeThreads(limit);
        }
        try (Segmenter segmenter = model.segmenter(options.build())) {
            forward(segmenter, image);
            forward(segmenter, image);
            for (int round = 0; round < rounds; round++) {
                CyclicBarrier start = new CyclicBarrier(3);
                INDArray[] outputs = new INDArray[2];
                double[] threadCpu = new double[2];
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    int index = t;
                    Thread thread = new Thread(() -> {
                        try {
                            start.await();
                            outputs[index] = forward(segmenter, image);
                            // a joined thread leaves /proc/self/task: it reports its own CPU time
                            threadCpu[index] = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() / 1e9;
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }, "forward-" + t);
                    thread.start();
                    threads.add(thread);
                }
                start.await();
                Sample before = Sample.now();
                for (Thread thread : threads) {
                    thread.join();
                }
                Sample after = Sample.now();
                report("2 passes at once, nativeThreads " + (limit == null ? "unset" : limit), before, after,
                        outputs[0], reference);
                System.out.printf("    second pass: max |diff| %.3g; CPU of the two forward threads (whole "
                        + "life): %.2f s, %.2f s; load average %s%n", maxDifference(outputs[1], reference),
                        threadCpu[0], threadCpu[1], Files.readString(Path.of("/proc/loadavg")).trim());
            }
        }
    }

    private static INDArray forward(Segmenter segmenter, byte[] image) throws Exception {
        try (ImageSegmenter.Prepared prepared = segmenter.prepare("noise", image)) {
            return segmenter.infer(prepared).stitched().toArray().dup();
        }
    }

    private static void report(String label, Sample before, Sample after, INDArray output, INDArray reference) {
        double wall = (after.nanos - before.nanos) / 1e9;
        double cpu = (after.processCpu - before.processCpu) / 1e9;
        List<String> busy = new ArrayList<>();
        for (Map.Entry<String, Long> thread : after.threadTicks.entrySet()) {
            long ticks = thread.getValue() - before.threadTicks.getOrDefault(thread.getKey(), 0L);
            double seconds = ticks / 100.0; // USER_HZ
            if (ticks >= 2) {
                busy.add(thread.getKey() + " " + String.format("%.2f", seconds));
            }
        }
        System.out.printf("%-36s wall %6.2f s  cpu %6.2f s  cpu/wall %.2f  max |diff| %.3g  threads with >= 0.02 s: %s%n",
                label, wall, cpu, cpu / wall, maxDifference(output, reference), busy);
    }

    private static double maxDifference(INDArray output, INDArray reference) {
        return Transforms.abs(output.sub(reference)).maxNumber().doubleValue();
    }

    /** Wall time, process CPU time and each OS thread's utime + stime (clock ticks), by "tid comm". */
    private record Sample(long nanos, long processCpu, Map<String, Long> threadTicks) {
        static Sample now() throws IOException {
            long cpu = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                    .getProcessCpuTime();
            Map<String, Long> ticks = new HashMap<>();
            try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        String stat = Files.readString(task.resolve("stat"));
                        int close = stat.lastIndexOf(')');
                        String name = stat.substring(stat.indexOf('(') + 1, close);
                        String[] fields = stat.substring(close + 2).split(" ");
                        // fields[0] is field 3 (state): utime is field 14, stime field 15
                        ticks.put(task.getFileName() + " " + name,
                                Long.parseLong(fields[11]) + Long.parseLong(fields[12]));
                    } catch (IOException e) {
                        // the thread ended meanwhile
                    }
                }
            }
            return new Sample(System.nanoTime(), cpu, ticks);
        }
    }
}
