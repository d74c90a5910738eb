package ai.dilation4j.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

import ai.dilation4j.runtime.device.NativeThreads;
import ai.dilation4j.runtime.segment.ImageSegmenter;
import ai.dilation4j.runtime.segment.SegmentationResult;
import ai.dilation4j.runtime.testing.SyntheticImages;

/**
 * {@link SegmenterOptions.Builder#nativeThreads}: the forward pass runs with the limit (as the native code sees it on
 * the calling thread), the thread gets its previous OpenMP setting back, the results equal the unlimited ones within
 * float rounding, and at 1 thread no other thread does the work. The model is {@link TinyGraph}'s
 * tiled network with 256 channels through {@code mix} (Winograd's algorithm with oneDNN's matmul; a 1x1 GEMM before
 * it, oneDNN's or im2col's convolutions around it), {@code mix}'s activation a probe that records what it sees.
 */
class SegmenterNativeThreadsTest {

    private static final OpenMpProbe PROBE = new OpenMpProbe();
    private static SegmentationModel model;

    @BeforeAll
    static void buildModel() {
        model = TinyGraph.tiledInMemory(256, 256, PROBE);
    }

    @AfterAll
    static void closeModel() {
        model.close();
    }

    @Test
    void builderRefusesFewerThanOneThread() {
        assertThat(SegmenterOptions.defaults().nativeThreads()).isEmpty();
        assertThat(SegmenterOptions.builder().nativeThreads(3).build().nativeThreads()).hasValue(3);
        for (int bad : new int[] {0, -1, Integer.MIN_VALUE}) {
            assertThatThrownBy(() -> SegmenterOptions.builder().nativeThreads(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("nativeThreads must be >= 1, got " + bad);
        }
    }

    @Test
    void forwardPassRunsWithTheLimitAndTheCallerGetsItsSettingBack() throws Exception {
        int nd4jThreads = Nd4j.getEnvironment().maxThreads();
        assumeTrue(nd4jThreads >= 2, "a limit of 1 is what ND4J uses anyway on one core");
        NativeOps ops = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int callersOwn = ops.ompGetMaxThreads();
        int callersSetting = nd4jThreads + 1; // neither the limit nor ND4J's count
        try {
            ops.setOmpNumThreads(callersSetting);
            try (Segmenter limited = model.segmenter(SegmenterOptions.builder().nativeThreads(1).build())) {
                PROBE.seen.clear();
                limited.segment("noise", SyntheticImages.noisePng(40, 50, 1));
            }
            assertThat(PROBE.seen).as("OpenMP threads and limit inside each forward pass").isNotEmpty()
                    .allSatisfy(seen -> {
                        assertThat(seen.getFirst()).isEqualTo(1);
                        assertThat(seen.getSecond()).hasValue(1);
                    });
            assertThat(ops.ompGetMaxThreads()).as("the caller's OpenMP setting afterwards").isEqualTo(callersSetting);
            assertThat(NativeThreads.current()).isEmpty();

            // the probe tells the difference: unlimited, the pass runs with ND4J's count
            try (Segmenter unlimited = model.segmenter(SegmenterOptions.defaults())) {
                PROBE.seen.clear();
                unlimited.segment("noise", SyntheticImages.noisePng(40, 50, 1));
            }
            assertThat(PROBE.seen).isNotEmpty().allSatisfy(seen -> {
                assertThat(seen.getFirst()).isEqualTo(nd4jThreads);
                assertThat(seen.getSecond()).isEmpty();
            });
        } finally {
            ops.setOmpNumThreads(callersOwn);
        }
    }

    @Test
    void limitedResultsEqualUnlimitedOnesWithinRounding() throws Exception {
        byte[] picture = SyntheticImages.noisePng(61, 45, 2); // 4 x 2 tiles
        SegmentationResult unlimited;
        try (Segmenter segmenter = model.segmenter(SegmenterOptions.defaults())) {
            unlimited = segmenter.segment("noise", picture);
        }
        SegmentationResult limited;
        try (Segmenter segmenter = model.segmenter(SegmenterOptions.builder().nativeThreads(1).build())) {
            limited = segmenter.segment("noise", picture);
        }
        INDArray expected = unlimited.probabilities().toArray();
        INDArray actual = limited.probabilities().toArray();
        assertThat(actual.shape()).isEqualTo(expected.shape());
        double largestDifference = actual.sub(expected).amaxNumber().doubleValue();
        assertThat(largestDifference).as("largest probability difference").isLessThan(1e-5);
    }

    /**
     * One image's forward passes at 1 thread, about 0.8 s on this project's 2-core machine, run on the calling thread
     * alone: no other thread does more than a sliver of their work, where unlimited an OpenMP worker does 40-50% of
     * it. The JVM's compiler and GC threads do not count (the compiler alone took up to 0.3 s of CPU per run). Only
     * when the unlimited passes found a second core free (the machine is shared).
     */
    @Test
    void oneThreadRunsOnTheCallingThreadAlone() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs 2 cores to tell");
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "needs Linux's /proc to see the threads");
        byte[] picture = SyntheticImages.noisePng(16 * 4, 24 * 4, 3); // 16 tiles
        double unlimited = otherThreadsShare(SegmenterOptions.defaults(), picture);
        double limited = otherThreadsShare(SegmenterOptions.builder().nativeThreads(1).build(), picture);
        assumeTrue(unlimited > 0.3, "unlimited, other threads did only " + unlimited + " of the wall time: the "
                + "machine is busy");
        assertThat(limited).as("CPU time of other threads over wall time at 1 thread (unlimited: %.2f)", unlimited)
                .isLessThan(0.1);
    }

    /**
     * CPU time of threads other than the caller and the JVM's compiler and GC threads, over the wall time of
     * {@link Segmenter#infer} on the picture, after two warm-up runs.
     */
    private static double otherThreadsShare(SegmenterOptions options, byte[] picture) throws Exception {
        try (Segmenter segmenter = model.segmenter(options)) {
            for (int warmUp = 0; warmUp < 2; warmUp++) {
                try (ImageSegmenter.Prepared prepared = segmenter.prepare("warm-up", picture)) {
                    segmenter.infer(prepared);
                }
            }
            String caller = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
            try (ImageSegmenter.Prepared prepared = segmenter.prepare("picture", picture)) {
                Map<String, Long> before = workerTicks(caller);
                long wallBefore = System.nanoTime();
                segmenter.infer(prepared);
                double wall = (System.nanoTime() - wallBefore) / 1e9;
                Map<String, Long> after = workerTicks(caller);
                long ticks = 0;
                for (Map.Entry<String, Long> thread : after.entrySet()) {
                    ticks += thread.getValue() - before.getOrDefault(thread.getKey(), 0L);
                }
                return ticks / 100.0 / wall; // clock ticks of USER_HZ = 100
            }
        }
    }

    /** utime + stime of every thread but the caller and the JVM's compiler and GC threads, by thread id. */
    private static Map<String, Long> workerTicks(String caller) throws IOException {
        Map<String, Long> ticks = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            for (Path task : (Iterable<Path>) tasks::iterator) {
                String id = task.getFileName().toString();
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (IOException e) {
                    continue; // ended meanwhile
                }
                int nameEnd = stat.lastIndexOf(')');
                String name = stat.substring(stat.indexOf('(') + 1, nameEnd);
                if (id.equals(caller) || name.contains("CompilerThre") || name.startsWith("GC Thread")
                        || name.startsWith("G1 ")) {
                    continue;
                }
                String[] fields = stat.substring(nameEnd + 2).split(" "); // from field 3, state
                ticks.put(id, Long.parseLong(fields[11]) + Long.parseLong(fields[12])); // utime, stime
            }
        }
        return ticks;
    }

    /**
     * The identity, recording on every call the calling thread's OpenMP team size and {@link NativeThreads} limit:
     * what the native code of the layer it belongs to ran with (oneDNN's kernels reset the team size before they run,
     * so a reset that ignored the limit shows here).
     */
    static final class OpenMpProbe extends BaseActivationFunction {
        final ConcurrentLinkedQueue<Pair<Integer, OptionalInt>> seen = new ConcurrentLinkedQueue<>();

        @Override
        public INDArray getActivation(INDArray in, boolean training) {
            seen.add(Pair.of(NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads(),
                    NativeThreads.current()));
            return in;
        }

        @Override
        public Pair<INDArray, INDArray> backprop(INDArray in, INDArray epsilon) {
            return Pair.of(epsilon, null);
        }

        @Override
        public String toString() {
            return "openmp-probe";
        }
    }
}
