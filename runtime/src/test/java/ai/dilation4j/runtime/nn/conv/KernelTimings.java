package ai.dilation4j.runtime.nn.conv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Times the convolution kernels on DilatedNet-8's layers at a 900x900 input (random weights), alternating kernels
 * within each round so that the machine's drift hits them alike; prints each kernel's median per layer. The
 * measurements behind {@link OneDnnCostModel}. Not a test: run it by hand, e.g.
 * {@code java -cp runtime/target/classes:runtime/target/test-classes:$(cat cp.txt) ai.dilation4j.runtime.nn.conv.KernelTimings 5 conv1_2 fc6}
 * (rounds, then the layers to time; all when none is named; {@code -Dthreads=N} sets ND4J's thread count).
 */
public final class KernelTimings {

    /** name, in, out, input side, kernel, dilation, pad: DilatedNet-8 (front end and context module) at 900x900. */
    private static final Object[][] LAYERS = {
            {"conv1_1", 3, 64, 900, 3, 1, 0}, {"conv1_2", 64, 64, 898, 3, 1, 0},
            {"conv2_1", 64, 128, 448, 3, 1, 0}, {"conv2_2", 128, 128, 446, 3, 1, 0},
            {"conv3_1", 128, 256, 222, 3, 1, 0}, {"conv3_2", 256, 256, 220, 3, 1, 0},
            {"conv3_3", 256, 256, 218, 3, 1, 0}, {"conv4_1", 256, 512, 108, 3, 1, 0},
            {"conv4_2", 512, 512, 106, 3, 1, 0}, {"conv4_3", 512, 512, 104, 3, 1, 0},
            {"conv5_1", 512, 512, 102, 3, 2, 0}, {"conv5_2", 512, 512, 98, 3, 2, 0},
            {"conv5_3", 512, 512, 94, 3, 2, 0}, {"fc6", 512, 4096, 90, 7, 4, 0},
            {"fc7", 4096, 4096, 66, 1, 1, 0}, {"fc_final", 4096, 21, 66, 1, 1, 0},
            {"ctx_conv1_1", 21, 42, 66, 3, 1, 33}, {"ctx_conv1_2", 42, 42, 130, 3, 1, 0},
            {"ctx_conv2_1", 42, 42, 128, 3, 2, 0}, {"ctx_conv3_1", 42, 42, 124, 3, 4, 0},
            {"ctx_conv4_1", 42, 42, 116, 3, 8, 0}, {"ctx_conv5_1", 42, 42, 100, 3, 16, 0},
            {"ctx_fc1", 42, 42, 68, 3, 1, 0}, {"ctx_final", 42, 21, 66, 1, 1, 0},
    };

    private static final WorkspaceConfiguration WORKING_MEMORY = WorkspaceConfiguration.builder()
            .initialSize(0).overallocationLimit(0.02).policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT).policySpill(SpillPolicy.REALLOCATE)
            .policyAllocation(AllocationPolicy.OVERALLOCATE).build();

    private KernelTimings() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("estimates")) {
            printEstimates();
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        List<String> only = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : List.of();
        if (System.getProperty("threads") != null) { // what bench --threads does
            Nd4j.getEnvironment().setMaxThreads(Integer.parseInt(System.getProperty("threads")));
        }
        System.out.printf("threads: nd4j %d%n", Nd4j.getEnvironment().maxThreads());
        for (Object[] layer : LAYERS) {
            if (only.isEmpty() || only.contains((String) layer[0])) {
                time((String) layer[0], (int) layer[1], (int) layer[2], (int) layer[3], (int) layer[4],
                        (int) layer[5], (int) layer[6], rounds);
            }
        }
    }

    private static void time(String name, int in, int out, int side, int kernel, int dilation, int pad, int rounds) {
        Map<String, Consumer<GemmConvolution>> variants = new LinkedHashMap<>();
        variants.put("im2col", layer -> {
            layer.winogradBudgetBytes(0);
            layer.oneDnnCosts(OneDnnCostModel.NEVER);
        });
        if (in >= WinogradKernel.MIN_CHANNELS && WinogradConvolution.existsFor(kernel)) {
            variants.put("winograd", layer -> {
                layer.winogradWhereverItApplies();
                layer.oneDnnCosts(OneDnnCostModel.NEVER);
            });
        }
        variants.put("onednn", layer -> layer.oneDnnCosts(OneDnnCostModel.ALWAYS));
        variants.put("onednn bf16", layer -> layer.precision(Precision.BF16));
        variants.put("chosen", layer -> { });

        INDArray params = null;
        List<GemmConvolution> layers = new ArrayList<>();
        for (Consumer<GemmConvolution> tuning : variants.values()) {
            ComputationGraph graph = graph(in, out, kernel, dilation, pad, side);
            if (params == null) {
                params = graph.params();
            } else {
                graph.init(params, false); // one copy of the weights for all
            }
            GemmConvolution layer = (GemmConvolution) graph.getLayer("conv");
            tuning.accept(layer);
            layers.add(layer);
        }
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, in, side, side).subi(0.5);
        LayerWorkspaceMgr workspaces = workspaces();
        double[][] ms = new double[layers.size()][rounds];
        String[] kernels = new String[layers.size()];
        INDArray reference = null;
        double[] difference = new double[layers.size()];
        for (int round = -1; round < rounds; round++) { // round -1 warms up
            for (int v = 0; v < layers.size(); v++) {
                GemmConvolution layer = layers.get(v);
                layer.setInput(input, workspaces);
                long start = System.nanoTime();
                INDArray output;
                double elapsed;
                // Activations in a workspace too, as ComputationGraph.output keeps them: reused, not allocated.
                try (MemoryWorkspace activations = workspaces.notifyScopeEntered(ArrayType.ACTIVATIONS)) {
                    try (MemoryWorkspace working = workspaces.notifyScopeEntered(ArrayType.FF_WORKING_MEM)) {
                        output = layer.activate(false, workspaces);
                    }
                    elapsed = (System.nanoTime() - start) / 1e6;
                    if (round < 0) {
                        kernels[v] = layer.lastAlgorithm();
                        if (reference == null) {
                            reference = output.detach();
                        }
                        difference[v] = output.sub(reference).amaxNumber().doubleValue()
                                / reference.amaxNumber().doubleValue();
                    }
                }
                if (round >= 0) {
                    ms[v][round] = elapsed;
                }
                layer.clear();
            }
        }
        long outSide = side + 2L * pad - (long) dilation * (kernel - 1);
        double gflop = 2.0 * in * out * kernel * kernel * outSide * outSide / 1e9;
        System.out.printf("%s  %d->%d %dx%d d%d, %dx%d -> %dx%d, %.1f GFLOP%n", name, in, out, kernel, kernel,
                dilation, side, side, outSide, outSide, gflop);
        List<String> names = new ArrayList<>(variants.keySet());
        for (int v = 0; v < layers.size(); v++) {
            double median = median(ms[v]);
            System.out.printf("  %-12s %-36s %9.1f ms %7.1f GFLOP/s  max|diff|/max %.1e  runs %s%n", names.get(v),
                    kernels[v], median, gflop * 1e3 / median, difference[v],
                    Arrays.toString(Arrays.stream(ms[v]).mapToLong(Math::round).toArray()));
        }
    }

    /** Each kernel's cost estimate over the direct convolution's multiply-adds, per layer. */
    private static void printEstimates() {
        for (Object[] l : LAYERS) {
            int in = (int) l[1], out = (int) l[2], side = (int) l[3], kernel = (int) l[4], dilation = (int) l[5];
            int pad = (int) l[6];
            long padded = side + 2L * pad;
            long outSide = padded - (long) dilation * (kernel - 1);
            ConvolutionGeometry g = new ConvolutionGeometry(1, in, padded, padded, new int[] {kernel, kernel},
                    new int[] {dilation, dilation}, out, outSide, outSide);
            double direct = g.directMultiplyAdds();
            WinogradConvolution winograd = WinogradConvolution.forKernel(kernel, dilation,
                    WinogradConvolution.BUDGET_BYTES, OneDnnMatmul.ifAvailable(Precision.FP32));
            String winogradRatio = winograd == null || in < WinogradKernel.MIN_CHANNELS ? "-"
                    : String.format("%.3f", winograd.cost(in, out, outSide, outSide, ConvolutionKernel.GEMM_CALL_COST)
                    / WinogradKernel.MAX_COST_RATIO / direct);
            System.out.printf("%-12s winograd %6s  onednn %.3f%n", l[0], winogradRatio,
                    OneDnnCostModel.MEASURED.cost(g) / direct);
        }
    }

    private static LayerWorkspaceMgr workspaces() {
        LayerWorkspaceMgr.Builder builder = LayerWorkspaceMgr.builder();
        for (ArrayType type : ArrayType.values()) {
            if (type == ArrayType.FF_WORKING_MEM) {
                builder.with(type, "WS_KERNEL_TIMINGS", WORKING_MEMORY);
            } else if (type == ArrayType.ACTIVATIONS) {
                builder.with(type, "WS_KERNEL_TIMINGS_OUTPUT", WORKING_MEMORY);
            } else {
                builder.noWorkspaceFor(type);
            }
        }
        return builder.build();
    }

    static ComputationGraph graph(int in, int out, int kernel, int dilation, int pad, int side) {
        org.deeplearning4j.nn.conf.layers.ConvolutionLayer layer = new GemmConvolutionLayer.Builder()
                .kernelSize(kernel, kernel).padding(pad, pad).dilation(dilation, dilation)
                .convolutionMode(ConvolutionMode.Truncate).nIn(in).nOut(out).dataFormat(CNN2DFormat.NCHW)
                .activation(Activation.IDENTITY).build();
        ComputationGraphConfiguration conf = new NeuralNetConfiguration.Builder().seed(3).dataType(DataType.FLOAT)
                .graphBuilder().addInputs("in").addLayer("conv", layer, "in").setOutputs("conv")
                .setInputTypes(InputType.convolutional(side, side, in, CNN2DFormat.NCHW)).build();
        ComputationGraph graph = new ComputationGraph(conf);
        graph.init();
        return graph;
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
