package ai.dilation4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import ai.dilation4j.runtime.evaluate.ConfusionMatrix;
import ai.dilation4j.train.Freeze;
import ai.dilation4j.train.Trainer;
import ai.dilation4j.train.TrainingListener;
import ai.dilation4j.train.TrainingOptions;
import ai.dilation4j.train.TrainingProgress;
import ai.dilation4j.train.TrainingSummary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Fine-tune a converted DilatedNet on your own labelled images, as fyu/dilation's train.py does: "
                + "random aligned crops, random mirroring, reflect-101 padding by the label margin, labels sliced to the "
                + "network output (stride = zoom, offset = margin), softmax cross-entropy over the labelled pixels "
                + "(label 255 ignored), SGD with Nesterov momentum 0.9, weight decay 5e-4, biases at 2x the rate, the "
                + "rate x0.1 every --lr-step iterations.",
                "Images and labels are paired by file stem: images/2007_000032.jpg with labels/2007_000032.png, a gray "
                        + "or palette PNG of class indices of the image's size (255 = not labelled).",
                "The output is an ordinary model file (segment, evaluate, serve) with the new classes and palette; it "
                        + "also holds the training state, so --resume continues it with more iterations."},
        footer = {"", "Exit codes: 0 trained, 1 the command failed (bad data is named), 2 invalid usage, 130 stopped by "
                + "Ctrl-C after writing a checkpoint (continue with --resume)."})
final class TrainCommand implements Callable<Integer> {

    static final int STOPPED = 130;
    private static final int MAX_BATCH = 1024;
    /** Far above any crop fyu trained with (500 for VOC, 1396 for Cityscapes); the pixel limit still applies. */
    private static final int MAX_CROP = 4096;
    /** Without a terminal, a progress line at most this often (and at the first and last iteration). */
    private static final long LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ZooOptions zoo;

    @Option(names = "--model", paramLabel = "FILE|PRESET",
            description = "Model to start from: a file written by `convert`, or a preset name (pascal_voc, camvid, "
                    + "kitti, cityscapes), fetched and converted on first use. Not with --resume.")
    String model;

    @Option(names = "--resume", paramLabel = "CKPT",
            description = "Continue the run a checkpoint (or a model this command wrote) holds, with its optimizer "
                    + "state, iteration count, classes, --freeze, --batch, --crop, --lr, --lr-step and --seed.")
    Path resume;

    @Option(names = "--images", required = true, paramLabel = "DIR", description = "Directory of training images.")
    Path images;

    @Option(names = "--labels", required = true, paramLabel = "DIR",
            description = "Directory of training labels: 8-bit gray or palette PNGs of class indices, named like their "
                    + "images; 255 marks pixels left out of the loss.")
    Path labels;

    @Option(names = "--val-images", paramLabel = "DIR",
            description = "Validation images, segmented and scored (mean IoU) before training and after every epoch.")
    Path validationImages;

    @Option(names = "--val-labels", paramLabel = "DIR", description = "Labels of the validation images.")
    Path validationLabels;

    @Option(names = "--classes", split = ",", paramLabel = "NAME",
            description = "Class names of the labels, comma separated, label value 0 first (default: the model's). "
                    + "Another number of classes than the model's gets a fresh final layer.")
    List<String> classes;

    @Option(names = "--palette", split = ",", paramLabel = "RRGGBB",
            description = "Class colors as hex RGB, comma separated, one per class (default: the model's for the same "
                    + "classes, else PASCAL VOC's colors).")
    List<String> palette;

    @Option(names = "--freeze", defaultValue = "frontend", paramLabel = "PART",
            description = {"What stays fixed (default: ${DEFAULT-VALUE}):",
                    "frontend: conv1_1 ... fc-final run as a fixed inference graph; the context module (ct_*) trains "
                            + "(fyu's context stage);",
                    "none: every layer trains (fyu's joint stage)."})
    String freeze;

    @Option(names = "--iterations", defaultValue = "20000", paramLabel = "N",
            description = "Iterations in all, counting those of a resumed run (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--batch", defaultValue = "8", paramLabel = "N",
            description = "Crops per iteration (default: ${DEFAULT-VALUE}, as fyu's train.py).")
    int batch;

    @Option(names = "--crop", paramLabel = "N",
            description = "Crop size; (N - 2 x label margin) must be a multiple of the zoom (default: the smallest such "
                    + "size of at least 500, i.e. 500 for DilatedNet-8: 16x16 outputs).")
    Integer crop;

    @Option(names = "--lr", paramLabel = "X",
            description = "Base learning rate (default: fyu's, 0.001 with --freeze frontend, 0.00001 with none).")
    Double learningRate;

    @Option(names = "--lr-step", defaultValue = "100000", paramLabel = "N",
            description = "Multiply the learning rate by 0.1 every N iterations (default: ${DEFAULT-VALUE}, as fyu's).")
    int learningRateStep;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "N",
            description = "Seed of the crops, mirroring, image order and fresh layers (default: ${DEFAULT-VALUE}); the "
                    + "same seed repeats a run.")
    long seed;

    @Option(names = "--checkpoint-every", defaultValue = "1000", paramLabel = "N",
            description = "Write a checkpoint every N iterations (default: ${DEFAULT-VALUE}); Ctrl-C writes one too.")
    int checkpointEvery;

    @Option(names = "--checkpoint", paramLabel = "FILE",
            description = "Checkpoint file (default: next to the output, <name>.checkpoint.zip); replaced atomically, "
                    + "removed once the output is written.")
    Path checkpoint;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE",
            description = "The fine-tuned model file, written atomically at the end.")
    Path output;

    @Mixin
    LimitOptions limits;

    @Override
    public Integer call() throws Exception {
        TrainingOptions.Builder builder = checkedUsage();
        PrintWriter err = spec.commandLine().getErr();
        TrainingOptions options = (model != null ? builder.model(zoo.zoo().resolve(model)) : builder.resume(resume))
                .build();
        CountDownLatch finished = new CountDownLatch(1);
        try (Trainer trainer = Trainer.open(options)) {
            if (trainer.freshFinalLayer()) {
                err.println("dilation4j train: " + trainer.dataset().numClasses() + " classes: the final layer starts "
                        + "afresh (weights N(0, 0.001²), as fyu's).");
            }
            // Ctrl-C: the trainer stops before its next iteration and writes a checkpoint; the JVM waits for it.
            Thread onInterrupt = new Thread(() -> {
                trainer.requestStop();
                try {
                    finished.await(10, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "dilation4j-train-interrupt");
            Runtime.getRuntime().addShutdownHook(onInterrupt);
            try {
                TrainingSummary summary = trainer.train(new Progress(err));
                if (!summary.completed()) {
                    err.println("dilation4j train: stopped at iteration " + summary.iteration() + "; "
                            + summary.written() + " holds the run: continue it with --resume " + summary.written());
                    err.flush();
                    return STOPPED;
                }
                spec.commandLine().getOut().println("Wrote " + summary.written() + " after " + summary.iteration()
                        + " iterations" + (summary.lastMeanIou().isPresent() ? String.format(Locale.ROOT,
                        ", validation mean IoU %.4f", summary.lastMeanIou().getAsDouble()) : "") + ".");
                return 0;
            } finally {
                finished.countDown();
                removeHook(onInterrupt);
            }
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down (Ctrl-C): the hook is running and waits for the checkpoint
        }
    }

    /** Checks the usage before anything loads; returns the options but the model to start from. */
    private TrainingOptions.Builder checkedUsage() {
        picocli.CommandLine commandLine = spec.commandLine();
        if ((model == null) == (resume == null)) {
            throw new ParameterException(commandLine, model == null
                    ? "give --model FILE|PRESET to start, or --resume CKPT to continue a run"
                    : "give --model to start a run or --resume to continue one, not both");
        }
        if ((validationImages == null) != (validationLabels == null)) {
            throw new ParameterException(commandLine, "give --val-images and --val-labels together");
        }
        OptionRanges.requireAtLeast(commandLine, "--iterations", iterations, 1);
        OptionRanges.requireBetween(commandLine, "--batch", batch, 1, MAX_BATCH);
        if (crop != null) {
            OptionRanges.requireBetween(commandLine, "--crop", crop, 1, MAX_CROP);
        }
        if (learningRate != null) {
            OptionRanges.requirePositive(commandLine, "--lr", learningRate);
        }
        OptionRanges.requireAtLeast(commandLine, "--lr-step", learningRateStep, 1);
        OptionRanges.requireAtLeast(commandLine, "--checkpoint-every", checkpointEvery, 1);
        Freeze freezing = parseFreeze();
        List<int[]> colors = parsePalette();
        if (classes != null && colors != null && classes.size() != colors.size()) {
            throw new ParameterException(commandLine, "--classes names " + classes.size() + " classes but --palette "
                    + "gives " + colors.size() + " colors");
        }
        if (resume != null) {
            for (String option : List.of("--classes", "--freeze", "--batch", "--crop", "--lr", "--lr-step", "--seed")) {
                if (commandLine.getParseResult().hasMatchedOption(option)) {
                    throw new ParameterException(commandLine, option + " comes from the checkpoint when resuming; "
                            + "leave it out");
                }
            }
        }
        if (Files.isDirectory(output)) {
            throw new ParameterException(commandLine, "-o " + output + " is a directory; give the model file to write");
        }
        TrainingOptions.Builder builder = TrainingOptions.builder().images(images).labels(labels)
                .validation(validationImages, validationLabels).classes(classes, colors).freeze(freezing)
                .iterations(iterations).batch(batch).learningRateStep(learningRateStep).seed(seed)
                .checkpointEvery(checkpointEvery).checkpoint(checkpoint).output(output).limits(limits.limits());
        if (crop != null) {
            builder.crop(crop);
        }
        if (learningRate != null) {
            builder.learningRate(learningRate);
        }
        return builder;
    }

    private Freeze parseFreeze() {
        return switch (freeze.toLowerCase(Locale.ROOT)) {
            case "frontend" -> Freeze.FRONTEND;
            case "none" -> Freeze.NONE;
            default -> throw new ParameterException(spec.commandLine(), "--freeze must be frontend or none (got "
                    + freeze + ")");
        };
    }

    private List<int[]> parsePalette() {
        if (palette == null) {
            return null;
        }
        List<int[]> colors = new ArrayList<>();
        for (String color : palette) {
            String hex = color.strip().startsWith("#") ? color.strip().substring(1) : color.strip();
            if (!hex.matches("[0-9a-fA-F]{6}")) {
                throw new ParameterException(spec.commandLine(), "--palette color '" + color + "' is not RRGGBB hex "
                        + "(e.g. 800000 for dark red)");
            }
            int rgb = Integer.parseInt(hex, 16);
            colors.add(new int[] {rgb >> 16 & 0xff, rgb >> 8 & 0xff, rgb & 0xff});
        }
        return colors;
    }

    /** The progress line: redrawn in place on a terminal, else a line every few seconds. */
    private static final class Progress implements TrainingListener {
        private final PrintWriter err;
        private final boolean terminal = ConsoleProgress.stderrIsTerminal();
        private long lastLine;
        private boolean lineOpen;

        Progress(PrintWriter err) {
            this.err = err;
        }

        @Override
        public void iterationDone(TrainingProgress p) {
            String line = String.format(Locale.ROOT, "Iteration %d/%d  loss %.4f  lr %.3g  %.2f images/s  ETA %s",
                    p.iteration(), p.iterations(), p.loss(), p.learningRate(), p.imagesPerSecond(),
                    duration(p.remaining()));
            long now = System.nanoTime();
            if (terminal) {
                err.print("\r" + line + "  ");
                lineOpen = true;
                if (p.iteration() == p.iterations()) {
                    endLine();
                }
            } else if (lastLine == 0 || now - lastLine >= LOG_INTERVAL_NANOS || p.iteration() == p.iterations()) {
                err.println(line);
                lastLine = now;
            }
            err.flush();
        }

        @Override
        public void validated(int epoch, int iteration, ConfusionMatrix scores) {
            endLine();
            err.printf(Locale.ROOT, "Epoch %d (iteration %d): validation mean IoU %.4f, pixel accuracy %.4f%n", epoch,
                    iteration, scores.meanIou(), scores.pixelAccuracy());
            err.flush();
        }

        @Override
        public void checkpointWritten(Path file, int iteration) {
            endLine();
            err.println("Iteration " + iteration + ": wrote " + file);
            err.flush();
        }

        private void endLine() {
            if (lineOpen) {
                err.println();
                lineOpen = false;
            }
        }

        private static String duration(Duration d) {
            long s = d.toSeconds();
            return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
        }
    }
}
