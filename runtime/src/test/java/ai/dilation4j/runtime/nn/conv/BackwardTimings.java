package ai.dilation4j.runtime.nn.conv;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.graph.vertex.GraphVertex;
import org.deeplearning4j.nn.graph.vertex.VertexIndices;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.ResetPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.cpu.nativecpu.bindings.Nd4jCpu;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.nn.caffe.CaffePoolingVertex;

/**
 * Times one training step's pieces on DilatedNet-8's layers at fyu's 500x500 training crop (1 image, random
 * weights): each convolution's inference forward (our kernels), its training forward and its backward pass (as
 * {@code GemmConvolutionLayer} runs them: {@link ConvolutionBackward} where it applies, else DL4J's
 * {@code ConvolutionLayer}; each in its own workspace scope, so the backward pass runs the forward again), both in one
 * scope as in a fit (the backward pass then reuses the training forward's activations), libnd4j's {@code conv2d_bp}
 * op alone for comparison (oneDNN's for undilated layers), and the Caffe MAX pooling's forward and backward. Prints
 * medians.
 * Not a test: run it by hand, e.g.
 * {@code java -cp runtime/target/classes:runtime/target/test-classes:$(cat cp.txt)
 * ai.dilation4j.runtime.nn.conv.BackwardTimings 3 conv1_2 fc6}
 * (rounds, then the layers to time; all when none is named; {@code -Dthreads=N} sets ND4J's thread count), or
 * {@code BackwardTimings breakdown conv1_2} for DL4J's steps one by one.
 */
public final class BackwardTimings {

    /** name, in, out, input side, kernel, dilation, pad: DilatedNet-8 at a 500x500 crop (16x16 output). */
    private static final Object[][] CONVOLUTIONS = {
            {"conv1_1", 3, 64, 500, 3, 1, 0}, {"conv1_2", 64, 64, 498, 3, 1, 0},
            {"conv2_1", 64, 128, 248, 3, 1, 0}, {"conv2_2", 128, 128, 246, 3, 1, 0},
            {"conv3_1", 128, 256, 122, 3, 1, 0}, {"conv3_2", 256, 256, 120, 3, 1, 0},
            {"conv3_3", 256, 256, 118, 3, 1, 0}, {"conv4_1", 256, 512, 58, 3, 1, 0},
            {"conv4_2", 512, 512, 56, 3, 1, 0}, {"conv4_3", 512, 512, 54, 3, 1, 0},
            {"conv5_1", 512, 512, 52, 3, 2, 0}, {"conv5_2", 512, 512, 48, 3, 2, 0},
            {"conv5_3", 512, 512, 44, 3, 2, 0}, {"fc6", 512, 4096, 40, 7, 4, 0},
            {"fc7", 4096, 4096, 16, 1, 1, 0}, {"fc_final", 4096, 21, 16, 1, 1, 0},
            {"ctx_conv1_1", 21, 42, 16, 3, 1, 33}, {"ctx_conv1_2", 42, 42, 80, 3, 1, 0},
            {"ctx_conv2_1", 42, 42, 78, 3, 2, 0}, {"ctx_conv3_1", 42, 42, 74, 3, 4, 0},
            {"ctx_conv4_1", 42, 42, 66, 3, 8, 0}, {"ctx_conv5_1", 42, 42, 50, 3, 16, 0},
            {"ctx_fc1", 42, 42, 18, 3, 1, 0}, {"ctx_final", 42, 21, 16, 1, 1, 0},
    };

    /** name, channels, input side: DilatedNet-8's 2x2/2 MAX pools at a 500x500 crop. */
    private static final Object[][] POOLS = {{"pool1", 64, 496}, {"pool2", 128, 244}, {"pool3", 256, 116}};

    private static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
            .initialSize(0).overallocationLimit(0.02).policyLearning(LearningPolicy.FIRST_LOOP)
            .policyReset(ResetPolicy.BLOCK_LEFT).policySpill(SpillPolicy.REALLOCATE)
            .policyAllocation(AllocationPolicy.OVERALLOCATE).build();

    private static final ArrayType[] WORKSPACE_TYPES = {ArrayType.ACTIVATIONS, ArrayType.FF_WORKING_MEM,
            ArrayType.ACTIVATION_GRAD, ArrayType.BP_WORKING_MEM};

    private BackwardTimings() {
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("breakdown")) {
            for (Object[] c : CONVOLUTIONS) {
                if (Arrays.asList(args).contains((String) c[0])) {
                    breakDown((String) c[0], (int) c[1], (int) c[2], (int) c[3], (int) c[4], (int) c[5]);
                }
            }
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        List<String> only = args.length > 1 ? Arrays.asList(args).subList(1, args.length) : List.of();
        if (System.getProperty("threads") != null) {
            Nd4j.getEnvironment().setMaxThreads(Integer.parseInt(System.getProperty("threads")));
        }
        System.out.printf("threads: nd4j %d; GFLOP/s count useful work: a backward pass 2x a forward's, a step 3x%n",
                Nd4j.getEnvironment().maxThreads());
        System.out.printf("%-12s %-28s %6s | %-18s | %-18s | %-18s | %-18s | %s%n", "layer", "shape", "GFLOP",
                "inference fwd", "training fwd", "backward", "fwd+bwd, one scope", "libnd4j conv2d_bp");
        for (Object[] c : CONVOLUTIONS) {
            if (only.isEmpty() || only.contains((String) c[0])) {
                timeConvolution((String) c[0], (int) c[1], (int) c[2], (int) c[3], (int) c[4], (int) c[5],
                        (int) c[6], rounds);
            }
        }
        for (Object[] p : POOLS) {
            if (only.isEmpty() || only.contains((String) p[0])) {
                timePooling((String) p[0], (int) p[1], (int) p[2], rounds);
            }
        }
    }

    private static void timeConvolution(String name, int in, int out, int side, int kernel, int dilation, int pad,
                                        int rounds) {
        ComputationGraph graph = KernelTimings.graph(in, out, kernel, dilation, pad, side);
        graph.initGradientsView();
        Layer layer = graph.getLayer("conv");
        long outSide = side + 2L * pad - (long) dilation * (kernel - 1);
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, in, side, side).subi(0.5);
        INDArray outputGradient = Nd4j.rand(DataType.FLOAT, 1, out, outSide, outSide).subi(0.5);
        LayerWorkspaceMgr workspaces = workspaces();
        DynamicCustomOp libnd4jBackward = DynamicCustomOp.builder("conv2d_bp")
                .addInputs(input, layer.getParam("W"), layer.getParam("b").reshape(out), outputGradient)
                .addOutputs(Nd4j.create(DataType.FLOAT, input.shape()), Nd4j.create(DataType.FLOAT, out, in, kernel,
                        kernel), Nd4j.create(DataType.FLOAT, out))
                .addIntegerArguments(kernel, kernel, 1, 1, pad, pad, dilation, dilation, 0, 0, 1).build();
        double[][] ms = new double[5][rounds];
        for (int round = -1; round < rounds; round++) { // round -1 warms up
            layer.setInput(input, workspaces);
            double inference = timed(workspaces, () -> layer.activate(false, workspaces));
            layer.setInput(input, workspaces);
            double training = timed(workspaces, () -> layer.activate(true, workspaces));
            double backward = timed(workspaces, () -> layer.backpropGradient(outputGradient, workspaces).getSecond());
            layer.clear();
            // as in a fit: the backward pass finds the training forward's activations in the still open workspace
            layer.setInput(input, workspaces);
            double step = timed(workspaces, () -> {
                layer.activate(true, workspaces);
                return layer.backpropGradient(outputGradient, workspaces).getSecond();
            });
            layer.clear();
            // libnd4j's oneDNN conv2d_bp has no dilated primitive (it fails), its own loops do
            Nd4jCpu.Environment.getInstance().setUseONEDNN(dilation == 1);
            long start = System.nanoTime();
            Nd4j.exec(libnd4jBackward);
            double libnd4j = (System.nanoTime() - start) / 1e6;
            Nd4jCpu.Environment.getInstance().setUseONEDNN(true);
            if (round >= 0) {
                ms[0][round] = inference;
                ms[1][round] = training;
                ms[2][round] = backward;
                ms[3][round] = libnd4j;
                ms[4][round] = step;
            }
        }
        double gflop = 2.0 * in * out * kernel * kernel * outSide * outSide / 1e9;
        double inference = KernelTimings.median(ms[0]);
        double training = KernelTimings.median(ms[1]);
        double backward = KernelTimings.median(ms[2]);
        double libnd4j = KernelTimings.median(ms[3]);
        double step = KernelTimings.median(ms[4]);
        System.out.printf("%-12s %-28s %6.2f | %8.1f ms %4.0f/s | %8.1f ms %4.0f/s | %8.1f ms %4.0f/s"
                + " | %8.1f ms %4.0f/s | %8.1f ms %4.0f/s%n", name,
                String.format("%d->%d %dx%d d%d %d->%d", in, out, kernel, kernel, dilation, side, outSide), gflop,
                inference, gflop * 1e3 / inference, training, gflop * 1e3 / training,
                backward, 2 * gflop * 1e3 / backward, step, 3 * gflop * 1e3 / step, libnd4j,
                2 * gflop * 1e3 / libnd4j);
    }

    private static void timePooling(String name, int channels, int side, int rounds) {
        GraphVertex pool = new CaffePoolingVertex(CaffePoolingVertex.Method.MAX, 2, 2, 2, 2, 0, 0)
                .instantiate(null, name, 0, null, false, DataType.FLOAT);
        pool.setInputVertices(new VertexIndices[1]);
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, channels, side, side);
        INDArray outputGradient = Nd4j.rand(DataType.FLOAT, 1, channels, side / 2, side / 2);
        LayerWorkspaceMgr workspaces = workspaces();
        double[][] ms = new double[2][rounds];
        for (int round = -1; round < rounds; round++) {
            pool.setInput(0, input, workspaces);
            double forward = timed(workspaces, () -> pool.doForward(true, workspaces));
            pool.setEpsilon(outputGradient);
            double backward = timed(workspaces, () -> pool.doBackward(false, workspaces).getSecond()[0]);
            pool.clear();
            if (round >= 0) {
                ms[0][round] = forward;
                ms[1][round] = backward;
            }
        }
        System.out.printf("%-12s %-28s %6s | %8.1f ms        | %-18s | %8.1f ms        |%n", name,
                String.format("MAX 2x2/2 %d ch %d->%d", channels, side, side / 2), "-", KernelTimings.median(ms[0]), "",
                KernelTimings.median(ms[1]));
    }

    /**
     * The steps DL4J's {@code ConvolutionLayer} (M2.1, NCHW, batch 1, no padding) takes forward and backward, timed
     * one by one (median of 3): im2col into the permuted column buffer, the forward GEMM, the weight-gradient GEMM,
     * the column-gradient GEMM and col2im; its backward pass runs the forward steps again before its own. Then, for
     * comparison, im2col into libnd4j's own column layout and the column-gradient GEMM into an f-order result.
     */
    private static void breakDown(String name, int in, int out, int side, int kernel, int dilation) {
        long outSide = side - (long) dilation * (kernel - 1);
        INDArray input = Nd4j.rand(DataType.FLOAT, 1, in, side, side);
        INDArray weights = Nd4j.rand(DataType.FLOAT, out, in, kernel, kernel);
        INDArray delta = Nd4j.rand(DataType.FLOAT, 1, out, outSide, outSide);
        INDArray col = Nd4j.createUninitialized(DataType.FLOAT,
                new long[] {1, outSide, outSide, in, kernel, kernel}, 'c');
        INDArray im2col2d = col.reshape('c', outSide * outSide, (long) in * kernel * kernel);
        INDArray w2d = weights.permute(3, 2, 1, 0).reshape('f', (long) kernel * kernel * in, out);
        INDArray z = Nd4j.createUninitialized(DataType.FLOAT, new long[] {outSide * outSide, out}, 'f');
        INDArray delta2d = delta.permute(1, 0, 2, 3).reshape('c', out, outSide * outSide);
        INDArray weightGradient = Nd4j.create(DataType.FLOAT, out, (long) in * kernel * kernel).transpose();
        INDArray[] columnGradient = new INDArray[1];
        INDArray inputGradient = Nd4j.createUninitialized(DataType.FLOAT, new long[] {in, 1, side, side}, 'c');
        double gflop = 2.0 * in * out * kernel * kernel * outSide * outSide / 1e9;
        INDArray naturalColumns = Nd4j.createUninitialized(DataType.FLOAT,
                new long[] {1, in, kernel, kernel, outSide, outSide}, 'c');
        INDArray columnGradientF = Nd4j.createUninitialized(DataType.FLOAT,
                new long[] {(long) kernel * kernel * in, outSide * outSide}, 'f');
        String[] steps = {"im2col", "forward GEMM", "weight-gradient GEMM", "column-gradient GEMM", "col2im",
                "(im2col, libnd4j's own layout)", "(column-gradient GEMM into an f-order result)"};
        Runnable[] work = {
            () -> Convolution.im2col(input, kernel, kernel, 1, 1, 0, 0, dilation,
                    dilation, false, col.permute(0, 3, 4, 5, 1, 2)),
            () -> im2col2d.mmuli(w2d, z),
            () -> Nd4j.gemm(im2col2d, delta2d, weightGradient, true, true, 1.0, 0.0),
            () -> columnGradient[0] = w2d.mmul(delta2d),
            () -> Convolution.col2im(
                    Shape.newShapeNoCopy(columnGradient[0],
                            new long[] {kernel, kernel, in, outSide, outSide, 1}, true).permute(5, 2, 1, 0, 4, 3),
                    inputGradient.permute(1, 0, 2, 3), 1, 1, 0, 0, side, side, dilation, dilation),
            () -> Convolution.im2col(input, kernel, kernel, 1, 1, 0, 0, dilation, dilation, false, naturalColumns),
            () -> w2d.mmuli(delta2d, columnGradientF),
        };
        System.out.printf("%s  %d->%d %dx%d d%d %d->%d, %.2f GFLOP per GEMM%n", name, in, out, kernel, kernel,
                dilation, side, outSide, gflop);
        for (int step = 0; step < steps.length; step++) {
            double[] ms = new double[3];
            for (int round = -1; round < ms.length; round++) {
                long start = System.nanoTime();
                work[step].run();
                if (round >= 0) {
                    ms[round] = (System.nanoTime() - start) / 1e6;
                }
            }
            double median = KernelTimings.median(ms);
            System.out.printf("  %-46s %8.1f ms%s%n", steps[step], median,
                    steps[step].contains("GEMM") ? String.format(" %5.0f GFLOP/s", gflop * 1e3 / median) : "");
        }
    }

    /** Milliseconds {@code step} takes, with every array it allocates in (reused) workspaces, as in a graph. */
    private static double timed(LayerWorkspaceMgr workspaces, Supplier<INDArray> step) {
        List<MemoryWorkspace> open = new ArrayList<>();
        long start = System.nanoTime();
        try {
            for (ArrayType type : WORKSPACE_TYPES) {
                open.add(workspaces.notifyScopeEntered(type));
            }
            step.get();
            return (System.nanoTime() - start) / 1e6;
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
        }
    }

    private static LayerWorkspaceMgr workspaces() {
        LayerWorkspaceMgr.Builder builder = LayerWorkspaceMgr.builder();
        for (ArrayType type : ArrayType.values()) {
            if (Arrays.asList(WORKSPACE_TYPES).contains(type)) {
                builder.with(type, "WS_BACKWARD_TIMINGS_" + type, WORKSPACE);
            } else {
                builder.noWorkspaceFor(type);
            }
        }
        return builder.build();
    }
}
