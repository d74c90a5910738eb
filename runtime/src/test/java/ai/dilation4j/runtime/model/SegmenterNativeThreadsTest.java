package ai.dilation4j.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentLinkedQueue;

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
 * float rounding, and one pass at 1 thread costs about its wall time in CPU time. The model is {@link TinyGraph}'s
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
     * One image's forward passes at 1 thread, about 0.8 s on this project's 2-core machine, cost about their wall
     * time in CPU time (measured 1.0x), where unlimited they cost 1.6-1.9x. Only when the unlimited passes found a
     * second core free (the machine is shared), and with a generous bound: JIT and GC threads count too.
     */
    @Test
    void oneThreadCostsAboutItsWallTime() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs 2 cores to tell");
        byte[] picture = SyntheticImages.noisePng(16 * 4, 24 * 4, 3); // 16 tiles
        double unlimited = cpuPerWall(SegmenterOptions.defaults(), picture);
        double limited = cpuPerWall(SegmenterOptions.builder().nativeThreads(1).build(), picture);
        assumeTrue(unlimited > 1.4, "unlimited passes used " + unlimited + " cores: the machine is busy");
        assertThat(limited).as("CPU time over wall time at 1 thread (unlimited: %.2f)", unlimited).isLessThan(1.3);
    }

    /** Process CPU time over wall time of {@link Segmenter#infer} on the picture, after two warm-up runs. */
    private static double cpuPerWall(SegmenterOptions options, byte[] picture) throws Exception {
        try (Segmenter segmenter = model.segmenter(options)) {
            for (int warmUp = 0; warmUp < 2; warmUp++) { // the JIT compiler's threads, busy at first, count too
                try (ImageSegmenter.Prepared prepared = segmenter.prepare("warm-up", picture)) {
                    segmenter.infer(prepared);
                }
            }
            try (ImageSegmenter.Prepared prepared = segmenter.prepare("picture", picture)) {
                long cpuBefore = processCpuNanos();
                long wallBefore = System.nanoTime();
                segmenter.infer(prepared);
                return (processCpuNanos() - cpuBefore) / (double) (System.nanoTime() - wallBefore);
            }
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
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
