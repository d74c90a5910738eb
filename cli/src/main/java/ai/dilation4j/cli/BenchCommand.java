package ai.dilation4j.cli;

import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.LayerTiming;
import ai.dilation4j.runtime.device.OpenMpWaitPolicy;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.model.SegmenterOptions;
import ai.dilation4j.runtime.nn.conv.ConvolutionAlgorithm;
import ai.dilation4j.runtime.nn.conv.DescribesAlgorithm;
import ai.dilation4j.runtime.nn.conv.Precision;
import ai.dilation4j.runtime.segment.SegmentationResult;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure a model on this machine: model load, forward pass (total and per layer, GFLOP/s "
                + "and fraction of the measured sgemm peak), segmentation of one image end to end, peak RSS; "
                + "medians over --repeat runs after two warm-up runs. With --peers, other engines run the same "
                + "network on the same input in the same process: real Caffe 1.0 and OpenCV DNN the caffemodel, "
                + "ONNX Runtime the model exported as ONNX; their output is checked against ours before their "
                + "times count.",
                "The input is random (seeded) data of the network input size; the image for the end-to-end run "
                + "fills exactly one tile."},
        footer = {"", "Peak RSS is read after the forward and segment runs, before the per-layer run (which keeps every "
                + "activation) and before the peers (which load their own copy of the weights).",
                "Example: dilation4j bench --model pascal_voc --repeat 3 --peers caffe,opencv,onnxruntime "
                        + "--prototxt deploy.prototxt --weights model.caffemodel --json"})
final class BenchCommand implements Callable<Integer> {

    /** The engines --peers runs; the first two read the Caffe files. */
    static final List<String> PEERS = List.of("caffe", "opencv", "onnxruntime");
    /** Peers agree with us when their output differs by at most this (absolute, on probabilities). */
    static final double PEER_TOLERANCE = 1e-4;
    /**
     * DL4J sizes a graph's working-memory workspace only after a number of cycles (two per layer), so the first
     * two forward passes allocate afresh and run ~25% slower; they are not timed.
     */
    static final int WARM_UP_RUNS = 2;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    ExecutionOptions execution;

    @picocli.CommandLine.Mixin
    ModelOption modelOption;

    @Option(names = "--size", paramLabel = "HxW",
            description = "Network input size of the forward runs (default: the size the model was converted for).")
    String size;

    @Option(names = "--repeat", paramLabel = "N", defaultValue = "3",
            description = "Timed runs per stage after the warm-up (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--threads", paramLabel = "T",
            description = "Threads of nd4j's own ops, of OpenCV DNN and of ONNX Runtime (intra-op; default: all cores). "
                    + "oneDNN, OpenBLAS and "
                    + "so Caffe size their pools from OMP_NUM_THREADS and OPENBLAS_NUM_THREADS when the process "
                    + "starts: set those as well to measure with fewer threads than cores.")
    Integer threads;

    @Option(names = "--peers", split = ",", paramLabel = "NAME",
            description = "Also run these engines on the same network: caffe, opencv (both need --prototxt and "
                    + "--weights), onnxruntime (our model exported as ONNX; intra-op threads --threads, inter-op 1, "
                    + "sequential, all graph optimizations).")
    List<String> peers = new ArrayList<>();

    @Option(names = "--prototxt", paramLabel = "FILE", description = "The Caffe deploy prototxt, for the caffe and "
            + "opencv peers.")
    Path prototxt;

    @Option(names = "--weights", paramLabel = "FILE", description = "The caffemodel the model was converted from, for "
            + "the caffe and opencv peers.")
    Path weights;

    @Option(names = "--layers", paramLabel = "N", defaultValue = "8",
            description = "How many of the slowest layers to list (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--json", description = "End the output with one JSON object holding every number.")
    boolean json;

    @Mixin
    PresetOption preset;

    @Override
    public Integer call() throws Exception {
        checkArguments();
        long[] heightWidth = InputSize.parse(spec.commandLine(), size);
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        ConvolutionAlgorithm algorithm = execution.apply(err); // before anything starts ND4J
        OpenMpWaitPolicy.Outcome openMp = OpenMpWaitPolicy.preferPassive(); // done by apply: says what it found
        int threadCount = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
        Nd4j.getEnvironment().setMaxThreads(threadCount);
        Nd4j.getEnvironment().setMaxMasterThreads(threadCount);
        Map<String, Object> report = new LinkedHashMap<>();

        err.println("bench: measuring the sgemm peak...");
        SgemmPeak peakBefore = SgemmPeak.measure();
        out.printf("sgemm peak      %.1f GFLOP/s (nd4j/oneDNN %.1f, OpenBLAS %.1f), %d threads, OMP_NUM_THREADS %s%n",
                peakBefore.peakGflops(), peakBefore.nd4jGflops(), peakBefore.openBlasGflops(), threadCount,
                System.getenv().getOrDefault("OMP_NUM_THREADS", "unset"));
        out.printf("openmp          %s%n", describe(openMp));

        long loadStart = System.nanoTime();
        try (SegmentationModel model = SegmentationModel.load(modelOption.file())) {
            double loadMs = (System.nanoTime() - loadStart) / 1e6;
            out.printf("load            %,.0f ms  %s%n", loadMs, model.metadata().name());
            long[] shape = inputShape(model, heightWidth);
            Nd4j.getRandom().setSeed(42);
            INDArray input = Nd4j.rand(DataType.FLOAT, shape).muli(255).subi(128); // mean-subtracted pixel range

            err.println("bench: forward " + Arrays.toString(shape) + ", " + WARM_UP_RUNS + " warm-up and " + repeat
                    + " timed runs...");
            INDArray ours = model.forward(input).dup();
            double[] forwardMs = timedForwards(model, input, WARM_UP_RUNS - 1);
            double forward = median(forwardMs);
            if (execution.precision() == Precision.FP32 && ranUnlikeCaffe(model)) {
                report.put("winograd_vs_gemm", compareWithGemm(model, input, ours, out));
            }
            Map<String, Object> smallest = forwardAtSmallestInput(model, input, out, err);
            Map<String, Double> segmentStages = segmentOneTile(model, out, err);
            double segmentMs = segmentStages.getOrDefault("total", Double.NaN);
            // Before the per-layer run, which keeps every activation alive.
            long peakRss = PeakRss.megabytes();
            out.printf("peak RSS        %,d MB (load, forward and segment runs)%n", peakRss);
            INDArray peerReference = ours; // the peers compute in fp32
            if (execution.precision() == Precision.BF16) {
                // After the RSS reading: fp32's own converted weights are not what a bf16 run holds.
                peerReference = forwardInFp32(model, input);
                Map<String, Object> accuracy = compare("bf16", ours, "fp32", peerReference, out);
                report.put("max_abs_prob_diff", accuracy.get("max_abs_difference"));
                report.put("label_agreement", accuracy.get("label_agreement"));
                report.put("bf16_vs_fp32", bf16AgainstFp32(model, input, out, err));
            }
            // After the RSS reading: the measurement's own 192 MB of matrices are not ours to count.
            err.println("bench: measuring the sgemm peak again, after the forward and segment runs...");
            SgemmPeak peakAfter = SgemmPeak.measure();
            SgemmPeak peak = peakBefore.best(peakAfter);
            out.printf("sgemm peak      %.1f GFLOP/s after the runs; the fraction below uses the better of the two: "
                    + "%.1f GFLOP/s%n", peakAfter.peakGflops(), peak.peakGflops());

            err.println("bench: forward vertex by vertex, " + repeat + " runs...");
            List<LayerTiming> profile = medianPerLayer(model, input);
            double flops = profile.stream().mapToDouble(LayerTiming::flops).sum();
            double gflops = flops / 1e9 / (forward / 1e3);
            out.printf("forward         %,.0f ms median of %s  %,.0f GFLOP  %.1f GFLOP/s = %.0f%% of the sgemm peak"
                    + " (--convolution %s, --precision %s)%n", forward, runs(forwardMs), flops / 1e9, gflops,
                    100 * gflops / peak.peakGflops(), algorithm, execution.precision());
            printSlowestLayers(out, profile);

            PeerResults peerResults = new PeerResults();
            for (String name : peers) {
                runPeer(name, model, input, peerReference, threadCount, out, err, peerResults);
            }

            report.put("model", model.metadata().name());
            report.put("input_shape", shape);
            report.put("threads", threadCount);
            report.put("convolution", algorithm.toString());
            report.put("precision", execution.precision().toString());
            report.put("repeat", repeat);
            report.put("load_ms", loadMs);
            report.put("forward_ms", forward);
            report.put("forward_runs_ms", forwardMs);
            report.put("openmp_wait_policy", openMp.toString());
            report.put("smallest_input", smallest);
            report.put("gflop", flops / 1e9);
            report.put("gflops", gflops);
            report.put("sgemm_peak_gflops", peak.peakGflops());
            report.put("sgemm_peak_before_gflops", peakBefore.peakGflops());
            report.put("sgemm_peak_after_gflops", peakAfter.peakGflops());
            report.put("nd4j_sgemm_gflops", peak.nd4jGflops());
            report.put("openblas_sgemm_gflops", peak.openBlasGflops());
            report.put("fraction_of_peak", gflops / peak.peakGflops());
            report.put("segment_ms", segmentMs);
            report.put("segment_stages_ms", segmentStages);
            report.put("peak_rss_mb", peakRss);
            report.put("layers", profile);
            report.put("peers", peerResults.forwardMs);
            report.put("peer_ratios", peerResults.ratios);
            report.put("peer_load_ms", peerResults.loadMs);
            report.put("peer_paired_forward_ms", peerResults.pairedOursMs);
            if (peerResults.onnxExportMs != null) {
                report.put("onnx_export_ms", peerResults.onnxExportMs);
            }
        }
        if (json) {
            out.println(new ObjectMapper().writeValueAsString(report));
        }
        return 0;
    }

    private void checkArguments() throws InvalidInputException {
        OptionRanges.requireAtLeast(spec.commandLine(), "--repeat", repeat, 1);
        OptionRanges.requireAtLeast(spec.commandLine(), "--layers", layers, 0);
        if (threads != null) {
            OptionRanges.requireAtLeast(spec.commandLine(), "--threads", threads, 1);
        }
        for (String name : peers) {
            if (!PEERS.contains(name)) {
                throw new InvalidInputException("Unknown peer '" + name + "'. Known peers: " + String.join(", ", PEERS)
                        + ".");
            }
        }
        boolean readsCaffeFiles = peers.contains("caffe") || peers.contains("opencv");
        if (readsCaffeFiles && (prototxt == null || weights == null)) {
            throw new InvalidInputException("The caffe and opencv peers need the Caffe model they load: --prototxt FILE "
                    + "--weights FILE (the files the model was converted from).");
        }
    }

    private static long[] inputShape(SegmentationModel model, long[] heightWidth) {
        long[] shape = model.metadata().inputShape().clone();
        shape[0] = 1;
        if (heightWidth != null) {
            shape[2] = heightWidth[0];
            shape[3] = heightWidth[1];
        }
        return shape;
    }

    /** The milliseconds of {@code repeat} forward passes after {@code warmUps} untimed ones. */
    private double[] timedForwards(SegmentationModel model, INDArray input, int warmUps) throws InvalidInputException {
        return timedForwards(model, input, warmUps, repeat);
    }

    private static double[] timedForwards(SegmentationModel model, INDArray input, int warmUps, int runs)
            throws InvalidInputException {
        for (int i = 0; i < warmUps; i++) {
            model.forward(input);
        }
        double[] milliseconds = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            model.forward(input);
            Nd4j.getExecutioner().commit(); // a GPU backend queues work: wait for it
            milliseconds[i] = (System.nanoTime() - start) / 1e6;
        }
        return milliseconds;
    }

    /** Each vertex's median time over {@code repeat} profiled runs: one run's times vary as much as forward passes. */
    private List<LayerTiming> medianPerLayer(SegmentationModel model, INDArray input) throws InvalidInputException {
        List<List<LayerTiming>> runs = new ArrayList<>();
        for (int i = 0; i < repeat; i++) {
            runs.add(model.profileForward(input));
        }
        List<LayerTiming> medians = new ArrayList<>();
        for (int layer = 0; layer < runs.get(0).size(); layer++) {
            int index = layer;
            LayerTiming first = runs.get(0).get(layer);
            double ms = median(runs.stream().mapToDouble(run -> run.get(index).milliseconds()).toArray());
            medians.add(new LayerTiming(first.vertex(), first.kind(), first.algorithm(), ms, first.flops()));
        }
        return medians;
    }

    private void printSlowestLayers(PrintWriter out, List<LayerTiming> profile) {
        double total = profile.stream().mapToDouble(LayerTiming::milliseconds).sum();
        out.printf("per layer       %,.0f ms in all, medians of %d runs vertex by vertex; the slowest:%n", total,
                repeat);
        profile.stream().sorted(Comparator.comparingDouble(LayerTiming::milliseconds).reversed()).limit(layers)
                .forEach(t -> out.printf("  %-16s %-22s %,9.0f ms %6.1f%%  %-22s %s%n", t.vertex(), t.kind(),
                        t.milliseconds(), 100 * t.milliseconds() / total, t.algorithm(), t.flops() == 0 ? ""
                                : String.format("%,.1f GFLOP %.1f GFLOP/s", t.flops() / 1e9,
                                t.flops() / 1e6 / t.milliseconds())));
        if (profile.stream().anyMatch(t -> t.algorithm().startsWith("winograd"))) {
            out.println("                GFLOP count the direct convolution's multiply-adds; Winograd layers do "
                    + "fewer (2.25-4x), so their GFLOP/s can exceed the sgemm peak.");
        }
    }

    private static String describe(OpenMpWaitPolicy.Outcome outcome) {
        return switch (outcome) {
            case PASSIVE -> "idle threads sleep (" + OpenMpWaitPolicy.VARIABLE + "=PASSIVE, set before ND4J started)";
            case FROM_ENVIRONMENT -> "idle threads wait as the environment says (" + OpenMpWaitPolicy.VARIABLE + "="
                    + System.getenv().getOrDefault(OpenMpWaitPolicy.VARIABLE, "unset") + ", GOMP_SPINCOUNT="
                    + System.getenv().getOrDefault("GOMP_SPINCOUNT", "unset") + ")";
            case TOO_LATE -> "idle threads spin: ND4J started before " + OpenMpWaitPolicy.VARIABLE
                    + "=PASSIVE could be set (on busy cores every parallel region can then cost a time slice)";
            case UNSUPPORTED -> "wait policy left to the platform";
        };
    }

    /**
     * The forward pass at the smallest input the network takes (a 1x1 output for DilatedNet): what every forward
     * pass costs whatever its size. Skipped when the model's own input is already the smallest.
     */
    private Map<String, Object> forwardAtSmallestInput(SegmentationModel model, INDArray input, PrintWriter out,
                                                       PrintWriter err) throws InvalidInputException {
        Map<String, Object> result = new LinkedHashMap<>();
        long[] shape = input.shape();
        long side = smallestSide(model, Math.max(shape[2], shape[3]));
        if (side < 1 || (side >= shape[2] && side >= shape[3])) {
            return result;
        }
        long[] smallShape = {shape[0], shape[1], side, side};
        err.println("bench: forward at the smallest input " + Arrays.toString(smallShape) + "...");
        INDArray small = Nd4j.rand(DataType.FLOAT, smallShape).muli(255).subi(128);
        double[] runs = timedForwards(model, small, WARM_UP_RUNS);
        out.printf("smallest input  %,.1f ms median of %s at %dx%d, the smallest input the network takes: the fixed "
                + "cost of a forward pass%n", median(runs), runs(runs), side, side);
        result.put("shape", smallShape);
        result.put("forward_ms", median(runs));
        return result;
    }

    /** The smallest square input side for which every layer has an output (shape inference, no forward pass). */
    private static long smallestSide(SegmentationModel model, long largest) {
        if (!takes(model, largest)) {
            return -1;
        }
        long low = 0; // does not fit
        long high = largest; // fits
        while (high - low > 1) {
            long middle = (low + high) / 2;
            if (takes(model, middle)) {
                high = middle;
            } else {
                low = middle;
            }
        }
        return high;
    }

    private static boolean takes(SegmentationModel model, long side) {
        return model.inputProblem(new long[] {1, model.metadata().inputShape()[1], side, side}).isEmpty();
    }

    /**
     * Whether the last forward pass ran any layer by a kernel that rounds unlike Caffe: Winograd's algorithm (never on
     * a GPU, or below 128 channels) or oneDNN's direct convolution.
     */
    private static boolean ranUnlikeCaffe(SegmentationModel model) {
        return Arrays.stream(model.graph().getLayers()).anyMatch(layer -> layer instanceof DescribesAlgorithm described
                && (described.lastAlgorithm().startsWith("winograd") || described.lastAlgorithm().startsWith("onednn")));
    }

    /**
     * The same input through im2col + GEMM, against the output of the default kernels (Winograd, oneDNN) already
     * computed: how far the two roundings lie apart and whether the labels (arg max over classes) change.
     */
    private static Map<String, Object> compareWithGemm(SegmentationModel model, INDArray input, INDArray winograd,
                                                       PrintWriter out) throws InvalidInputException {
        INDArray gemm;
        ConvolutionAlgorithm.GEMM.applyTo(model.graph());
        try {
            gemm = model.forward(input).dup();
        } finally {
            ConvolutionAlgorithm.WINOGRAD.applyTo(model.graph());
        }
        return compare("winograd", winograd, "gemm", gemm, out);
    }

    /**
     * The output of a bf16 model's graph for the same input in fp32: what bf16's rounding costs in accuracy is
     * measured against it, and the peers (all fp32) are checked against it.
     */
    private static INDArray forwardInFp32(SegmentationModel model, INDArray input) throws InvalidInputException {
        Precision.FP32.applyTo(model.graph());
        try {
            return model.forward(input).dup();
        } finally {
            Precision.BF16.applyTo(model.graph());
        }
    }

    /**
     * bf16's speed against fp32's on the same graph and input, in pairs of adjacent runs (the machine's speed drifts
     * between runs, so separate benchmark runs compare poorly): fp32 first warmed up (its kernels are chosen and built
     * on first use), then {@code repeat} pairs.
     */
    private Map<String, Object> bf16AgainstFp32(SegmentationModel model, INDArray input, PrintWriter out,
                                                PrintWriter err) throws InvalidInputException {
        err.println("bench: bf16 against fp32, " + repeat + " pairs of runs...");
        double[] fp32Ms = new double[repeat];
        double[] bf16Ms = new double[repeat];
        double[] speedups = new double[repeat];
        try {
            Precision.FP32.applyTo(model.graph());
            model.forward(input);
            for (int i = 0; i < repeat; i++) {
                Precision.FP32.applyTo(model.graph());
                fp32Ms[i] = timedForwards(model, input, 0, 1)[0];
                Precision.BF16.applyTo(model.graph());
                bf16Ms[i] = timedForwards(model, input, 0, 1)[0];
                speedups[i] = fp32Ms[i] / bf16Ms[i];
            }
        } finally {
            Precision.BF16.applyTo(model.graph());
        }
        out.printf("bf16 speed-up   %.2fx median over fp32 in pairs of adjacent runs %s (fp32 %s, bf16 %s)%n",
                median(speedups), Arrays.toString(Arrays.stream(speedups).map(r -> Math.round(r * 100) / 100.0)
                        .toArray()), runs(fp32Ms), runs(bf16Ms));
        Map<String, Object> comparison = new LinkedHashMap<>();
        comparison.put("speedup", median(speedups));
        comparison.put("speedups", speedups);
        comparison.put("fp32_runs_ms", fp32Ms);
        comparison.put("bf16_runs_ms", bf16Ms);
        return comparison;
    }

    /** Largest absolute difference and the fraction of pixels whose label (arg max over classes) is the same. */
    private static Map<String, Object> compare(String name, INDArray ours, String otherName, INDArray other,
                                               PrintWriter out) {
        double difference = Transforms.abs(ours.sub(other)).maxNumber().doubleValue();
        INDArray ourLabels = Nd4j.argMax(ours, 1);
        INDArray otherLabels = Nd4j.argMax(other, 1);
        long pixels = ourLabels.length();
        long agreeing = ourLabels.eq(otherLabels).castTo(DataType.INT).sumNumber().longValue();
        out.printf("%-15s vs %s on the same input: max |difference| %.2g, labels agree on %,d of %,d pixels "
                + "(%.3f%%)%n", name, otherName, difference, agreeing, pixels, 100.0 * agreeing / pixels);
        Map<String, Object> comparison = new LinkedHashMap<>();
        comparison.put("max_abs_difference", difference);
        comparison.put("label_agreement", (double) agreeing / pixels);
        return comparison;
    }

    /** Medians of the Segmenter's stage timings for one image that fills exactly one tile. */
    private Map<String, Double> segmentOneTile(SegmentationModel model, PrintWriter out, PrintWriter err)
            throws Exception {
        DatasetSpec dataset = preset.dataset();
        if (dataset == null) {
            dataset = model.metadata().datasetSpec().orElse(null);
        }
        Map<String, Double> medians = new LinkedHashMap<>();
        if (dataset == null) {
            err.println("bench: no dataset fields in the model and no --preset: skipping the end-to-end run");
            return medians;
        }
        long[] tile = model.metadata().inputShape();
        int height = (int) tile[2] - 2 * dataset.labelMargin();
        int width = (int) tile[3] - 2 * dataset.labelMargin();
        if (height < 1 || width < 1) {
            err.println("bench: the label margin leaves no image inside one tile: skipping the end-to-end run");
            return medians;
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_3BYTE_BGR);
        Random random = new Random(7);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                image.setRGB(x, y, random.nextInt(1 << 24));
            }
        }
        err.println("bench: segmenting a " + width + "x" + height + " image, " + WARM_UP_RUNS + " warm-up and "
                + repeat + " timed runs...");
        Map<String, double[]> runs = new LinkedHashMap<>();
        try (Segmenter segmenter = model.segmenter(SegmenterOptions.builder().threads(1).dataset(dataset).build())) {
            for (int i = 0; i < WARM_UP_RUNS; i++) {
                segmenter.segment(image);
            }
            for (int i = 0; i < repeat; i++) {
                long start = System.nanoTime();
                SegmentationResult result = segmenter.segment(image);
                double total = (System.nanoTime() - start) / 1e6;
                int run = i;
                result.timingsMs().forEach((stage, ms) -> runs.computeIfAbsent(stage, s -> new double[repeat])[run] = ms);
                runs.computeIfAbsent("total", s -> new double[repeat])[i] = total;
            }
        }
        runs.forEach((stage, values) -> medians.put(stage, median(values)));
        out.printf("segment         %,.0f ms median for one %dx%d image = one tile (%s)%n", medians.get("total"),
                width, height, stages(medians));
        return medians;
    }

    /** What the peers measured, for the JSON report. */
    private static final class PeerResults {
        final Map<String, Double> forwardMs = new LinkedHashMap<>();
        final Map<String, List<Double>> ratios = new LinkedHashMap<>();
        final Map<String, Double> loadMs = new LinkedHashMap<>();
        /** Our forward median in the runs paired with each peer's. */
        final Map<String, Double> pairedOursMs = new LinkedHashMap<>();
        Double onnxExportMs;
    }

    private PeerEngine openPeer(String name, SegmentationModel model, long[] inputShape, int threadCount)
            throws DilationException {
        return switch (name) {
            case "caffe" -> new CaffePeer(prototxt, weights);
            case "opencv" -> new OpenCvDnnPeer(prototxt, weights, threadCount);
            default -> new OnnxRuntimePeer(model, inputShape, threadCount);
        };
    }

    /**
     * Loads a peer, checks its output against ours, then times it in {@code repeat} pairs of runs, ours right before
     * its own: the ratio of each pair is measured under the same load, which on a shared machine drifts between the
     * stages of a bench run.
     */
    private void runPeer(String name, SegmentationModel model, INDArray input, INDArray ours, int threadCount,
                         PrintWriter out, PrintWriter err, PeerResults results) throws InvalidInputException {
        String outputBlob = model.metadata().outputBlob();
        err.println("bench: " + name + ": loading " + (name.equals("onnxruntime") ? "the model exported as ONNX"
                : weights) + "...");
        long loadStart = System.nanoTime();
        PeerEngine opened;
        try {
            opened = openPeer(name, model, input.shape(), threadCount);
        } catch (DilationException e) {
            out.printf("peer %-11s not run: %s%n", name, e.getMessage());
            return;
        }
        try (PeerEngine peer = opened) {
            double loadMs = (System.nanoTime() - loadStart) / 1e6;
            String exportNote = "";
            if (peer instanceof OnnxRuntimePeer onnxRuntime) {
                results.onnxExportMs = onnxRuntime.exportMs();
                loadMs -= onnxRuntime.exportMs();
                exportNote = String.format(" (after %,.0f ms of export to ONNX)", onnxRuntime.exportMs());
            }
            INDArray theirs = peer.forward(input, outputBlob);
            if (!Arrays.equals(theirs.shape(), ours.shape())) {
                out.printf("peer %-11s output shape %s differs from ours %s: not timed%n", name,
                        Arrays.toString(theirs.shape()), Arrays.toString(ours.shape()));
                return;
            }
            double difference = theirs.sub(ours).amaxNumber().doubleValue();
            if (difference > PEER_TOLERANCE) {
                out.printf("peer %-11s output differs from ours by %.3g (> %.0e): not timed. Is it the same "
                        + "caffemodel the model was converted from?%n", name, difference, PEER_TOLERANCE);
                return;
            }
            err.println("bench: " + name + ": " + repeat + " runs, each after one of ours...");
            double[] theirMs = new double[repeat];
            double[] oursMs = new double[repeat];
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < repeat; i++) {
                oursMs[i] = timedForwards(model, input, 0, 1)[0];
                long start = System.nanoTime();
                peer.forward(input, outputBlob);
                theirMs[i] = (System.nanoTime() - start) / 1e6;
                ratios.add(oursMs[i] / theirMs[i]);
            }
            results.forwardMs.put(name, median(theirMs));
            results.pairedOursMs.put(name, median(oursMs));
            results.ratios.put(name, ratios);
            results.loadMs.put(name, loadMs);
            out.printf("peer %-11s %,.0f ms median of %s (output within %.1e of ours); load %,.0f ms%s; ours/%s per "
                            + "pair of runs: %s (ours %s)%n", name, median(theirMs), runs(theirMs), difference, loadMs,
                    exportNote, name, ratios.stream().map(r -> String.format("%.2f", r)).toList(), runs(oursMs));
        }
    }

    private static String stages(Map<String, Double> stages) {
        StringBuilder text = new StringBuilder();
        stages.forEach((stage, ms) -> text.append(text.length() == 0 ? "" : ", ")
                .append(stage).append(String.format(" %,.0f ms", ms)));
        return text.toString();
    }

    private static String runs(double[] values) {
        return values.length + " (" + Arrays.stream(values).mapToObj(v -> String.format("%,.0f", v)).toList() + ")";
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
