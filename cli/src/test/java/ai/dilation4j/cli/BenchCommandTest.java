package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {

    @Test
    void reportsEveryStageAndPeersThatAgree(@TempDir Path dir) throws Exception {
        Path model = TinyModel.convert(dir, TinyModel.WIDE_MIX);
        CliRun run = CliRun.of("bench", "--model", model.toString(), "--repeat", "2", "--threads", "2",
                "--peers", "opencv,caffe,onnxruntime", "--prototxt", dir.resolve("tiny_deploy.prototxt").toString(),
                "--weights", dir.resolve("tiny.caffemodel").toString(), "--json");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        String[] lines = run.out().strip().split("\n");
        JsonNode report = new ObjectMapper().readTree(lines[lines.length - 1]);

        for (String field : new String[] {"forward_ms", "gflops", "sgemm_peak_gflops", "sgemm_peak_before_gflops",
                "sgemm_peak_after_gflops", "load_ms", "segment_ms", "peak_rss_mb"}) {
            assertThat(report.get(field).asDouble()).as(field).isPositive();
        }
        assertThat(report.get("sgemm_peak_gflops").asDouble()).isEqualTo(Math.max(
                report.get("sgemm_peak_before_gflops").asDouble(), report.get("sgemm_peak_after_gflops").asDouble()));
        // conv1: 2 * (8*3*3*3) * 388*396; wide, mix: 2 * (256*8) and 2 * (256*256*3*3) at 49x50 after the 1/8
        // pooling; ctx: 2 * (21*256*2*2) * 2*3.
        double expectedFlops = 2.0 * 216 * 388 * 396 + 2.0 * 2048 * 2450 + 2.0 * 589824 * 2450 + 2.0 * 21504 * 6;
        assertThat(report.get("gflop").asDouble()).isCloseTo(expectedFlops / 1e9, org.assertj.core.data.Offset.offset(1e-9));
        assertThat(report.get("layers").size()).isEqualTo(7);
        assertThat(report.get("convolution").asText()).isEqualTo("winograd");
        assertThat(report.get("precision").asText()).isEqualTo("fp32");
        // conv1 (3 channels), mix (256 at 49x50, too small for Winograd to pay) and ctx run in oneDNN
        assertThat(report.get("layers").findValuesAsText("algorithm")).contains("gemm 1x1")
                .anyMatch(algorithm -> algorithm.startsWith("onednn "));
        JsonNode comparison = report.get("winograd_vs_gemm");
        assertThat(comparison.get("max_abs_difference").asDouble()).isPositive().isLessThan(1e-5);
        assertThat(comparison.get("label_agreement").asDouble()).isEqualTo(1.0);
        assertThat(report.get("peers").get("opencv").asDouble()).isPositive();
        assertThat(report.get("peers").get("caffe").asDouble()).isPositive();
        assertThat(report.get("peer_ratios").get("caffe").size()).isEqualTo(2);
        assertThat(report.get("peers").get("onnxruntime").asDouble()).isPositive();
        assertThat(report.get("peer_load_ms").get("onnxruntime").asDouble()).isPositive();
        assertThat(report.get("onnx_export_ms").asDouble()).isPositive();
        assertThat(report.get("peer_paired_forward_ms").get("onnxruntime").asDouble()).isPositive();
        // The fixed cost: the smallest input any layer takes (pool1's 48 rows for ctx's dilated kernel need 377).
        JsonNode smallest = report.get("smallest_input");
        assertThat(smallest.get("shape").get(2).asLong()).isEqualTo(377);
        assertThat(smallest.get("forward_ms").asDouble()).isPositive();
        assertThat(report.get("openmp_wait_policy").asText()).isIn("PASSIVE", "FROM_ENVIRONMENT", "TOO_LATE");
        assertThat(run.out()).contains("per layer", "segment", "peer caffe", "peer opencv", "peer onnxruntime",
                "ours/opencv per pair of runs", "ours/onnxruntime per pair of runs", "ms of export to ONNX",
                "vs gemm on the same input", "(--convolution winograd, --precision fp32)", "smallest input", "openmp ");
    }

    @Test
    void gemmConvolutionUsesNoWinograd(@TempDir Path dir) throws Exception {
        Path model = TinyModel.convert(dir);
        CliRun run = CliRun.of("bench", "--model", model.toString(), "--repeat", "1", "--convolution", "gemm",
                "--json");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        String[] lines = run.out().strip().split("\n");
        JsonNode report = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertThat(report.get("convolution").asText()).isEqualTo("gemm");
        assertThat(report.has("winograd_vs_gemm")).isFalse();
        assertThat(report.get("layers").findValuesAsText("algorithm")).doesNotContain("winograd F(4x4,3x3)");
    }

    /** bf16 prints, and puts in the JSON, how far its probabilities and labels lie from fp32's on the same input. */
    @Test
    void bf16ReportsItsAccuracyAgainstFp32(@TempDir Path dir) throws Exception {
        Path model = TinyModel.convert(dir);
        CliRun run = CliRun.of("bench", "--model", model.toString(), "--repeat", "1", "--precision", "bf16",
                "--peers", "onnxruntime", "--json");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        String[] lines = run.out().strip().split("\n");
        JsonNode report = new ObjectMapper().readTree(lines[lines.length - 1]);
        org.junit.jupiter.api.Assumptions.assumeTrue(report.get("precision").asText().equals("bf16"),
                "this CPU has no AVX512_BF16: " + run.err());

        assertThat(report.get("max_abs_prob_diff").asDouble()).isPositive().isLessThan(0.05);
        assertThat(report.get("label_agreement").asDouble()).isGreaterThanOrEqualTo(0.9).isLessThanOrEqualTo(1.0);
        assertThat(report.has("winograd_vs_gemm")).isFalse();
        assertThat(report.get("layers").findValuesAsText("algorithm"))
                .anyMatch(algorithm -> algorithm.startsWith("onednn bf16 "));
        assertThat(run.out()).contains("bf16            vs fp32 on the same input", "--precision bf16)");
        // the peer (fp32) is checked against our fp32 output, not refused for bf16's rounding
        assertThat(report.get("peers").get("onnxruntime").asDouble()).isPositive();
    }

    @Test
    void rejectsAnUnknownPrecision(@TempDir Path dir) throws Exception {
        CliRun run = CliRun.of("bench", "--model", dir.resolve("none.zip").toString(), "--precision", "fp16");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unknown precision 'fp16': use fp32 or bf16");
    }

    @Test
    void onnxRuntimeNeedsNoCaffeFiles(@TempDir Path dir) throws Exception {
        CliRun run = CliRun.of("bench", "--model", TinyModel.converted().toString(), "--repeat", "1", "--threads", "1",
                "--size", "380x390", "--peers", "onnxruntime", "--json");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        String[] lines = run.out().strip().split("\n");
        JsonNode report = new ObjectMapper().readTree(lines[lines.length - 1]);
        assertThat(report.get("peers").get("onnxruntime").asDouble()).isPositive();
        assertThat(run.out()).containsPattern("peer onnxruntime +[0-9,]+ ms median of 1 \\(\\[[0-9,]+\\]\\) \\(output within");
    }

    @Test
    void peersNeedTheCaffeFiles(@TempDir Path dir) throws Exception {
        Path model = TinyModel.convert(dir);
        CliRun run = CliRun.of("bench", "--model", model.toString(), "--peers", "caffe");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("--prototxt FILE --weights FILE");
    }

    @Test
    void rejectsAnUnknownPeer(@TempDir Path dir) throws Exception {
        Path model = TinyModel.convert(dir);
        CliRun run = CliRun.of("bench", "--model", model.toString(), "--peers", "tensorflow",
                "--prototxt", "x", "--weights", "y");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("Unknown peer 'tensorflow'", "caffe, opencv, onnxruntime");
    }
}
