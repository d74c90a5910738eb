package ai.dilation4j.runtime.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.device.OpenMpWaitPolicy.Outcome;
import ai.dilation4j.runtime.model.ModelFile;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.nn.conv.GemmConvolutionLayer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;

class OpenMpWaitPolicyTest {

    @Test
    void passiveUnlessTheEnvironmentChoseOrOpenMpRunsAlready() {
        assertThat(OpenMpWaitPolicy.decide(Map.of(), null, false)).isEqualTo(Outcome.PASSIVE);
        assertThat(OpenMpWaitPolicy.decide(Map.of(), null, true)).isEqualTo(Outcome.TOO_LATE);
        assertThat(OpenMpWaitPolicy.decide(Map.of(), "PASSIVE", true)).isEqualTo(Outcome.PASSIVE);
        assertThat(OpenMpWaitPolicy.decide(Map.of(), "ACTIVE", false)).isEqualTo(Outcome.FROM_ENVIRONMENT);
        assertThat(OpenMpWaitPolicy.decide(Map.of("OMP_WAIT_POLICY", "ACTIVE"), "ACTIVE", false))
                .isEqualTo(Outcome.FROM_ENVIRONMENT);
        assertThat(OpenMpWaitPolicy.decide(Map.of("GOMP_SPINCOUNT", "100000"), null, false))
                .isEqualTo(Outcome.FROM_ENVIRONMENT);
    }

    /**
     * In a fresh JVM, loading a model must set the policy before ND4J starts libgomp, which then reports it
     * ({@code OMP_DISPLAY_ENV}: a spin count of 0, against 300000 by default). Spinning threads were most of a small
     * model's forward time on a busy machine.
     */
    @Test
    void loadingAModelMakesOpenMpThreadsWaitPassively(@TempDir Path dir) throws Exception {
        assumeTrue(System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT).startsWith("linux"));
        Path model = dir.resolve("one-layer.zip");
        ModelFile.write(oneLayer(), new ModelMetadata(ModelMetadata.FORMAT_VERSION, "one-layer", "data",
                new long[] {1, 2, 5, 5}, "conv", 3, Map.of("data", "data", "conv", "conv"), List.of(), null, null,
                "test"), model);

        ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), LoadModel.class.getName(), model.toString())
                .redirectErrorStream(true);
        child.environment().remove(OpenMpWaitPolicy.VARIABLE);
        child.environment().remove(OpenMpWaitPolicy.SPIN_COUNT_VARIABLE);
        child.environment().put("OMP_DISPLAY_ENV", "VERBOSE");
        Process process = child.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("loaded");
        assumeTrue(output.contains("GOMP_SPINCOUNT"), "this OpenMP runtime does not report how its threads wait");
        assertThat(output).contains("GOMP_SPINCOUNT = '0'");
    }

    private static ComputationGraph oneLayer() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().dataType(DataType.FLOAT)
                .graphBuilder().addInputs("data")
                .addLayer("conv", new GemmConvolutionLayer.Builder().kernelSize(3, 3).nIn(2).nOut(3)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build(), "data")
                .setOutputs("conv").setInputTypes(InputType.convolutional(5, 5, 2)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    /** The child JVM: loads the model given as its argument, as an application would first thing. */
    static final class LoadModel {
        public static void main(String[] args) throws IOException, ai.dilation4j.runtime.DilationException {
            try (SegmentationModel model = SegmentationModel.load(Path.of(args[0]))) {
                System.out.println("loaded " + model.metadata().name());
            }
        }
    }
}
