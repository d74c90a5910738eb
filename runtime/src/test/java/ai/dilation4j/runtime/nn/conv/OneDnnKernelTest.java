package ai.dilation4j.runtime.nn.conv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.nn.onednn.OneDnn;

/** {@link OneDnnKernel} against DL4J's own {@link ConvolutionLayer}, and the {@link Precision} switch. */
class OneDnnKernelTest {

    /** fp32: the same products summed in another order, so as close to DL4J (and Caffe) as im2col + GEMM. */
    @ParameterizedTest(name = "in {0}, out {1}, kernel {2}, dilation {3}, pad {4}, {5}x{6}, batch {7}, {8}")
    @CsvSource({
            // a first layer: plain NCHW, oneDNN's GEMM-based primitive
            "3, 8, 3, 1, 0, 17, 23, 1, IDENTITY",
            "3, 16, 3, 1, 1, 19, 16, 2, RELU",
            // blocked layouts, channel counts that are not multiples of 16, dilations 2, 4 and 16
            "32, 48, 3, 2, 0, 21, 19, 1, RELU",
            "21, 42, 3, 4, 4, 25, 27, 1, IDENTITY",
            "42, 42, 3, 16, 0, 37, 35, 1, RELU",
            "24, 40, 7, 4, 3, 31, 30, 1, IDENTITY",
            "40, 24, 1, 1, 0, 9, 11, 3, RELU",
            "16, 16, 5, 1, 2, 1, 1, 1, LEAKYRELU",
    })
    void fp32MatchesDl4jConvolution(int in, int out, int kernel, int dilation, int pad, int height, int width,
                                   int batch, Activation activation) {
        assumeTrue(OneDnn.available(), "oneDNN does not load on this platform");
        Pair pair = pair(in, out, kernel, dilation, pad, activation);
        pair.layer().oneDnnCosts(OneDnnCostModel.ALWAYS);
        INDArray input = Nd4j.rand(DataType.FLOAT, batch, in, height, width).subi(0.5);

        INDArray expected = pair.reference().outputSingle(input);
        INDArray actual = pair.fast().outputSingle(input);

        assertThat(pair.layer().lastAlgorithm()).startsWith("onednn ").doesNotContain("bf16").doesNotContain("ref");
        assertThat(actual.shape()).containsExactly(expected.shape());
        double scale = expected.amaxNumber().doubleValue();
        assertThat(actual.sub(expected).amaxNumber().doubleValue()).isLessThanOrEqualTo(1e-5 * scale);
    }

    /**
     * A padding wider than the kernel (DilatedNet's ctx_conv1_1: 33) leaves oneDNN's blocked JIT convolution to its
     * reference code, ~50x slower than im2col: the kernel takes oneDNN's own layout choice instead.
     */
    @Test
    void widePaddingAvoidsOneDnnsReferenceCode() {
        assumeTrue(OneDnn.available(), "oneDNN does not load on this platform");
        Pair pair = pair(21, 42, 3, 1, 33, Activation.IDENTITY);
        pair.layer().oneDnnCosts(OneDnnCostModel.ALWAYS);
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, 21, 6, 5);

        INDArray actual = pair.fast().outputSingle(input);

        assertThat(pair.layer().lastAlgorithm()).startsWith("onednn ").doesNotContain("ref");
        INDArray expected = pair.reference().outputSingle(input);
        assertThat(actual.sub(expected).amaxNumber().doubleValue())
                .isLessThanOrEqualTo(1e-5 * expected.amaxNumber().doubleValue());
    }

    /**
     * The default choice follows {@link OneDnnCostModel}'s table: oneDNN up to 128 channels and where a layer widens,
     * Winograd on wide 3x3 layers with large outputs, a GEMM for 1x1 kernels.
     */
    @ParameterizedTest(name = "in {0}, out {1}, kernel {2}, dilation {3}, output {4}x{4}: {5}")
    @CsvSource({
            "3, 64, 3, 1, 60, onednn",
            "64, 64, 3, 1, 60, onednn",
            "42, 42, 3, 8, 30, onednn",
            "128, 256, 3, 1, 48, onednn",
            "256, 256, 3, 1, 96, winograd",
            "256, 64, 1, 1, 20, gemm 1x1",
    })
    void kernelChooserFollowsTheMeasuredTable(int in, int out, int kernel, int dilation, int outSide,
                                              String expected) {
        assumeTrue(OneDnn.available(), "oneDNN does not load on this platform");
        ComputationGraph fast = graph(new GemmConvolutionLayer.Builder(), in, out, kernel, dilation, 0,
                Activation.IDENTITY);
        int side = outSide + dilation * (kernel - 1);

        fast.outputSingle(Nd4j.rand(DataType.FLOAT, 1, in, side, side));

        assertThat(((GemmConvolution) fast.getLayer("conv")).lastAlgorithm()).startsWith(expected);
    }

    /**
     * No layer whose converted weights would exceed {@link OneDnnCostModel#MAX_COPIED_WEIGHT_BYTES} takes oneDNN,
     * in fp32 or bf16, at any output size: fc6's bf16 copy (205 MB, kept per graph) at the smallest input raised
     * bench's peak RSS by 600 MB. fc7's (34 MB in bf16) is fine.
     */
    @Test
    void noOneDnnCopyOfHugeWeights() {
        ConvolutionGeometry fc6 = new ConvolutionGeometry(1, 512, 25, 25, new int[] {7, 7}, new int[] {4, 4}, 4096,
                1, 1);
        ConvolutionGeometry fc7 = new ConvolutionGeometry(1, 4096, 1, 1, new int[] {1, 1}, new int[] {1, 1}, 4096,
                1, 1);
        assertThat(OneDnnCostModel.MEASURED.cost(fc6)).isInfinite();
        assertThat(OneDnnCostModel.MEASURED.bf16Cost(fc6)).isInfinite();
        assertThat(OneDnnCostModel.MEASURED.bf16Cost(fc7)).isFinite();
    }

    /** The weights are converted once; DL4J's ways of replacing them drop the conversion. */
    @Test
    void newWeightsAreUsed() {
        assumeTrue(OneDnn.available(), "oneDNN does not load on this platform");
        Pair pair = pair(16, 32, 3, 2, 1, Activation.IDENTITY);
        pair.layer().oneDnnCosts(OneDnnCostModel.ALWAYS);
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, 16, 12, 13);
        pair.fast().outputSingle(input);

        INDArray newWeights = Nd4j.rand(DataType.FLOAT, 32, 16, 3, 3);
        pair.reference().getLayer("conv").setParam("W", newWeights);
        pair.fast().getLayer("conv").setParam("W", newWeights);
        INDArray expected = pair.reference().outputSingle(input);
        INDArray actual = pair.fast().outputSingle(input);

        assertThat(pair.layer().lastAlgorithm()).startsWith("onednn ");
        assertThat(actual.sub(expected).amaxNumber().doubleValue())
                .isLessThanOrEqualTo(1e-5 * expected.amaxNumber().doubleValue());
    }

    /** bf16 inputs and weights (8-bit mantissa), fp32 accumulation: within about 1e-2 of fp32, relative. */
    @ParameterizedTest(name = "in {0}, out {1}, kernel {2}, dilation {3}, pad {4}, {5}")
    @CsvSource({
            "3, 16, 3, 1, 1, RELU",
            "64, 48, 3, 2, 0, IDENTITY",
            "32, 24, 7, 4, 3, RELU",
            "48, 21, 1, 1, 0, IDENTITY",
    })
    void bf16StaysWithinBf16RoundingOfFp32(int in, int out, int kernel, int dilation, int pad, Activation activation) {
        assumeTrue(OneDnn.nativeBf16(), "this CPU has no AVX512_BF16");
        Pair pair = pair(in, out, kernel, dilation, pad, activation);
        Precision.BF16.applyTo(pair.fast());
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, in, 33, 29).subi(0.5);

        INDArray expected = pair.reference().outputSingle(input);
        INDArray actual = pair.fast().outputSingle(input);

        // a first layer runs oneDNN's GEMM-based primitive, whose name does not say its instruction set
        assertThat(pair.layer().lastAlgorithm()).startsWith("onednn bf16 ")
                .contains(in < OneDnnCostModel.BLOCKED_FROM_CHANNELS ? "gemm" : "avx512_core_bf16");
        double scale = expected.amaxNumber().doubleValue();
        double difference = actual.sub(expected).amaxNumber().doubleValue();
        assertThat(difference).isLessThanOrEqualTo(1e-2 * scale)
                .isGreaterThan(1e-5 * scale); // rounded to bf16 indeed: not the fp32 kernel
    }

    /**
     * Winograd's F(2x2, 5x5) and F(2x2, 7x7) with bf16 products (oneDNN's batched matmul): rounded indeed, and within
     * bf16's rounding as the transforms amplify it (measured: 4.3% of the largest output here, where oneDNN's bf16
     * direct convolution stays within 1%; a wrong product would be off by the outputs' own size).
     */
    @ParameterizedTest(name = "in {0}, out {1}, kernel {2}, dilation {3} -> {4}")
    @CsvSource({
            "128, 40, 7, 4, winograd bf16 F(2x2,7x7)",
            "160, 24, 5, 1, winograd bf16 F(2x2,5x5)",
            // more weights than tiles: the weights' block no longer fits the transformed tiles' memory
            "128, 512, 7, 4, winograd bf16 F(2x2,7x7)",
    })
    void bf16WinogradForLargeKernels(int in, int out, int kernel, int dilation, String algorithm) {
        assumeTrue(OneDnn.nativeBf16(), "this CPU has no AVX512_BF16");
        Pair pair = pair(in, out, kernel, dilation, 0, Activation.RELU);
        Precision.BF16.applyTo(pair.fast());
        pair.layer().winogradWhereverItApplies(); // however small the test's output
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, in, 45, 41).subi(0.5);

        INDArray expected = pair.reference().outputSingle(input);
        INDArray actual = pair.fast().outputSingle(input);

        assertThat(pair.layer().lastAlgorithm()).startsWith(algorithm);
        double scale = expected.amaxNumber().doubleValue();
        double difference = actual.sub(expected).amaxNumber().doubleValue();
        assertThat(difference).isLessThanOrEqualTo(6e-2 * scale).isGreaterThan(1e-5 * scale);
    }

    /** Winograd's products in fp32 through oneDNN's batched matmul stay as close to DL4J as before. */
    @Test
    void fp32WinogradThroughOneDnnMatmul() {
        assumeTrue(OneDnn.available(), "oneDNN does not load on this platform");
        Pair pair = pair(128, 24, 7, 2, 3, Activation.IDENTITY);
        pair.layer().winogradWhereverItApplies();
        pair.layer().oneDnnCosts(OneDnnCostModel.NEVER);
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, 128, 37, 33).subi(0.5);

        INDArray expected = pair.reference().outputSingle(input);
        INDArray actual = pair.fast().outputSingle(input);

        assertThat(pair.layer().lastAlgorithm()).isEqualTo("winograd F(2x2,7x7)");
        assertThat(actual.sub(expected).amaxNumber().doubleValue())
                .isLessThanOrEqualTo(1e-4 * expected.amaxNumber().doubleValue());
    }

    /** A small segmentation-like network: per-pixel labels (arg max over classes) of bf16 agree with fp32's. */
    @Test
    void bf16KeepsTheLabelsOfASmallNetwork() {
        assumeTrue(OneDnn.nativeBf16(), "this CPU has no AVX512_BF16");
        ComputationGraph fp32 = network();
        ComputationGraph bf16 = network();
        bf16.init(fp32.params(), false);
        Precision.BF16.applyTo(bf16);
        INDArray input = Nd4j.rand(DataType.FLOAT, 2, 3, 48, 52).muli(255).subi(128);

        INDArray expected = fp32.outputSingle(input);
        INDArray actual = bf16.outputSingle(input);

        assertThat(((GemmConvolution) bf16.getLayer("score")).lastAlgorithm()).startsWith("onednn bf16 ");
        INDArray expectedLabels = Nd4j.argMax(expected, 1);
        long pixels = expectedLabels.length();
        long agreeing = expectedLabels.eq(Nd4j.argMax(actual, 1)).castTo(DataType.INT).sumNumber().longValue();
        assertThat((double) agreeing / pixels).isGreaterThanOrEqualTo(0.99);
        assertThat(actual.sub(expected).amaxNumber().doubleValue())
                .isLessThanOrEqualTo(2e-2 * expected.amaxNumber().doubleValue());
    }

    /** The precision fixed for a graph wins over the system property, and fp32 stays fp32. */
    @Test
    void precisionFixedForAGraphOverridesTheSystemProperty() {
        assumeTrue(OneDnn.nativeBf16(), "this CPU has no AVX512_BF16");
        Pair pair = pair(16, 16, 3, 1, 1, Activation.IDENTITY);
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, 16, 10, 10);
        System.setProperty(Precision.PROPERTY, "bf16");
        try {
            pair.fast().outputSingle(input);
            assertThat(pair.layer().lastAlgorithm()).startsWith("onednn bf16 ");
            Precision.FP32.applyTo(pair.fast());
            pair.fast().outputSingle(input);
            assertThat(pair.layer().lastAlgorithm()).doesNotContain("bf16");
        } finally {
            System.clearProperty(Precision.PROPERTY);
        }
    }

    @Test
    void withoutNativeBf16ItRunsFp32() {
        assertThat(Precision.BF16.onCpu(false)).isEqualTo(Precision.FP32);
        assertThat(Precision.BF16.onCpu(true)).isEqualTo(Precision.BF16);
        assertThat(Precision.FP32.onCpu(true)).isEqualTo(Precision.FP32);
        assertThat(Precision.parse(" BF16 ")).isEqualTo(Precision.BF16);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Precision.parse("fp16"))
                .hasMessageContaining("Unknown precision 'fp16': use fp32 or bf16");
    }

    /**
     * A CPU without AVX512_BF16, made by capping oneDNN's instruction set in a fresh JVM ({@code DNNL_MAX_CPU_ISA},
     * read once when oneDNN starts): bf16 says so in one line and runs fp32, never oneDNN's emulation.
     */
    @Test
    void aCpuWithoutBf16SaysSoAndRunsFp32() throws Exception {
        assumeTrue(OneDnn.available(), "oneDNN does not load on this platform");
        ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), WithoutBf16.class.getName())
                .redirectErrorStream(true);
        child.environment().put("DNNL_MAX_CPU_ISA", "AVX512_CORE");
        Process process = child.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).containsOnlyOnce("this CPU has no AVX512_BF16 (oneDNN finds avx512_core): running fp32")
                .contains("running: fp32").contains("kernel: onednn jit:avx512_");
    }

    /** The child JVM of {@link #aCpuWithoutBf16SaysSoAndRunsFp32}. */
    static final class WithoutBf16 {
        public static void main(String[] args) {
            ComputationGraph graph = pair(16, 16, 3, 1, 1, Activation.IDENTITY).fast();
            GemmConvolution layer = (GemmConvolution) graph.getLayer("conv");
            layer.oneDnnCosts(OneDnnCostModel.ALWAYS);
            Precision.BF16.applyTo(graph);
            graph.outputSingle(Nd4j.rand(DataType.FLOAT, 1, 16, 10, 10));
            System.out.println("running: " + Precision.BF16.onThisCpu());
            System.out.println("kernel: " + layer.lastAlgorithm());
        }
    }

    /**
     * oneDNN's own log ({@code DNNL_VERBOSE=1}, read when it starts: a fresh JVM) shows that bf16 runs its
     * AVX512_BF16 kernels: the direct convolution and, for a 7x7 kernel, Winograd's products as a bf16 matmul.
     */
    @Test
    void oneDnnsLogShowsItsBf16KernelsRunning() throws Exception {
        assumeTrue(OneDnn.nativeBf16(), "this CPU has no AVX512_BF16");
        ProcessBuilder child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Bf16Layers.class.getName())
                .redirectErrorStream(true);
        child.environment().put("DNNL_VERBOSE", "1");
        Process process = child.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();

        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output).contains("onednn_verbose,exec,cpu,convolution,jit_bf16:avx512_core_bf16,")
                .contains("onednn_verbose,exec,cpu,matmul,brg:avx512_core_bf16,");
    }

    /** The child JVM of {@link #oneDnnsLogShowsItsBf16KernelsRunning}: a 3x3 and a 7x7 layer in bf16. */
    static final class Bf16Layers {
        public static void main(String[] args) {
            for (int kernel : new int[] {3, 7}) {
                ComputationGraph graph = pair(128, 32, kernel, 1, 0, Activation.RELU).fast();
                GemmConvolution layer = (GemmConvolution) graph.getLayer("conv");
                if (kernel == 7) {
                    layer.winogradWhereverItApplies(); // however small the output
                }
                Precision.BF16.applyTo(graph);
                graph.outputSingle(Nd4j.rand(DataType.FLOAT, 1, 128, 24, 24));
                System.out.println("kernel " + kernel + ": " + layer.lastAlgorithm());
            }
        }
    }

    private record Pair(ComputationGraph reference, ComputationGraph fast) {
        GemmConvolution layer() {
            return (GemmConvolution) fast.getLayer("conv");
        }
    }

    private static Pair pair(int in, int out, int kernel, int dilation, int pad, Activation activation) {
        ComputationGraph reference = graph(new ConvolutionLayer.Builder(), in, out, kernel, dilation, pad, activation);
        ComputationGraph fast = graph(new GemmConvolutionLayer.Builder(), in, out, kernel, dilation, pad, activation);
        fast.params().assign(reference.params());
        return new Pair(reference, fast);
    }

    private static ComputationGraph graph(ConvolutionLayer.Builder builder, int in, int out, int kernel, int dilation,
                                          int pad, Activation activation) {
        ConvolutionLayer layer = builder.kernelSize(kernel, kernel).padding(pad, pad).dilation(dilation, dilation)
                .convolutionMode(ConvolutionMode.Truncate).nIn(in).nOut(out).dataFormat(CNN2DFormat.NCHW)
                .activation(activation).build();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(5).dataType(DataType.FLOAT)
                .graphBuilder().addInputs("in").addLayer("conv", layer, "in").setOutputs("conv")
                .setInputTypes(InputType.convolutional(64, 64, in, CNN2DFormat.NCHW)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        graph.getParam("conv_b").assign(Nd4j.rand(DataType.FLOAT, 1, out).subi(0.5)); // a missing bias would show
        return graph;
    }

    /** Three dilated convolutions with ReLU and a 1x1 score layer over 8 classes, DilatedNet's shape in miniature. */
    private static ComputationGraph network() {
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(9).dataType(DataType.FLOAT)
                .weightInit(org.deeplearning4j.nn.weights.WeightInit.RELU)
                .graphBuilder().addInputs("in")
                .addLayer("conv1", convolution(3, 32, 3, 1), "in")
                .addLayer("conv2", convolution(32, 32, 3, 2), "conv1")
                .addLayer("conv3", convolution(32, 64, 3, 4), "conv2")
                .addLayer("score", new GemmConvolutionLayer.Builder().kernelSize(1, 1).nIn(64).nOut(8)
                        .convolutionMode(ConvolutionMode.Truncate).activation(Activation.IDENTITY).build(), "conv3")
                .setOutputs("score").setInputTypes(InputType.convolutional(48, 52, 3, CNN2DFormat.NCHW)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    private static ConvolutionLayer convolution(int in, int out, int kernel, int dilation) {
        return new GemmConvolutionLayer.Builder().kernelSize(kernel, kernel).dilation(dilation, dilation)
                .convolutionMode(ConvolutionMode.Truncate).nIn(in).nOut(out).activation(Activation.RELU).build();
    }
}
