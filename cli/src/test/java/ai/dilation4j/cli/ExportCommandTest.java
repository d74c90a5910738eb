package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import ai.dilation4j.runtime.model.SegmentationModel;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ExportCommandTest {

    @TempDir
    Path dir;

    @Test
    void writesAnOnnxModelThatOnnxRuntimeRunsAsWeDo() throws Exception {
        Path model = TinyModel.converted();
        Path onnx = dir.resolve("tiny.onnx");
        CliRun run = CliRun.of("export", "--onnx", "--model", model.toString(), "--size", "380x390", "-o",
                onnx.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("Exported tiny_dilated to " + onnx, "ONNX opset 13",
                "input 'data' N x 3 x 380 x 390", "output 'prob' N x 21 x 1 x 2");

        Nd4j.getRandom().setSeed(9);
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, 3, 380, 390).muli(2).subi(1);
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        try (SegmentationModel ours = SegmentationModel.load(model);
             OrtSession session = environment.createSession(onnx.toString(), new OrtSession.SessionOptions());
             OnnxTensor tensor = OnnxTensor.createTensor(environment, FloatBuffer.wrap(input.data().asFloat()),
                     input.shape());
             OrtSession.Result result = session.run(Map.of("data", tensor))) {
            INDArray expected = ours.forward(input);
            float[][][][] theirs = (float[][][][]) result.get("prob").orElseThrow().getValue();
            INDArray actual = Nd4j.create(theirs);
            assertThat(actual.shape()).containsExactly(expected.shape());
            assertThat(actual.sub(expected).amaxNumber().doubleValue()).isLessThan(1e-4);
        }
    }

    @Test
    void aFailedExportLeavesTheTargetAsItWas() throws Exception {
        Path target = Files.writeString(dir.resolve("model.onnx"), "previous");
        CliRun run = CliRun.of("export", "--onnx", "--model", TinyModel.converted().toString(), "--size", "8x8",
                "-o", target.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).startsWith("dilation4j export: error: Model tiny_dilated does not take a 8x8 input")
                .doesNotContain("\tat ");
        assertThat(target).hasContent("previous");
    }

    @Test
    void usageErrorsExitWithTwo() throws Exception {
        String model = TinyModel.converted().toString();
        CliRun noFormat = CliRun.of("export", "--model", model, "-o", dir.resolve("x.onnx").toString());
        assertThat(noFormat.exitCode()).isEqualTo(2);
        assertThat(noFormat.err()).contains("--onnx");
        CliRun both = CliRun.of("export", "--onnx", "--model", model, "--size", "400x400", "--dynamic-size", "-o",
                dir.resolve("x.onnx").toString());
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("--size and --dynamic-size exclude each other");
        CliRun badSize = CliRun.of("export", "--onnx", "--model", model, "--size", "400", "-o",
                dir.resolve("x.onnx").toString());
        assertThat(badSize.exitCode()).isEqualTo(2);
        assertThat(badSize.err()).contains("--size must look like 900x900");
        assertThat(dir.resolve("x.onnx")).doesNotExist();
    }
}
