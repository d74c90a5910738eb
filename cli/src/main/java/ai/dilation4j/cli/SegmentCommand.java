package ai.dilation4j.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;


import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.model.SegmenterOptions;
import ai.dilation4j.runtime.output.OutputKind;
import ai.dilation4j.runtime.output.SegmentationSummary;
import ai.dilation4j.runtime.segment.ImageSegmenter;
import ai.dilation4j.runtime.segment.SegmentationResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import ai.dilation4j.runtime.io.FileNames;

@Command(name = "segment", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Segment images as fyu/dilation's predict.py does (BGR, mean subtraction, reflected label "
                + "margin, tiles of the network input size, zoom, argmax) and write per image, named after its file "
                + "stem:",
                "  <stem>_color.png    class colors (the palette image predict.py writes)",
                "  <stem>_labels.png   8-bit class index per pixel",
                "  <stem>_palette.png  class index per pixel in a palette PNG of the class colors (VOC's label format)",
                "  <stem>_prob.npy     float32 C x H x W class probabilities at image size",
                "  <stem>_overlay.png  the image blended half and half with the class colors",
                "and one JSON line per image (stdout, or --json FILE) with per-class pixel fractions and timings.",
                "Inputs with the same stem (photo.png, photo.jpg) are written under their whole file names "
                        + "(photo.png_labels.png, photo.jpg_labels.png); the same file name in two directories, or a "
                        + "result that would overwrite an input, is refused.",
                "Each image is checked against the limits below from its header, before it is decoded."},
        footer = {"", "Exit codes: 0 all images segmented, 1 the command failed, 2 invalid usage, "
                + "3 some images failed (each is reported by name; the others are written)."})
final class SegmentCommand implements Callable<Integer> {

    static final int SOME_FAILED = 3;
    private static final Set<String> IMAGE_EXTENSIONS = ai.dilation4j.runtime.image.ImageDecoder.FILE_EXTENSIONS;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    ExecutionOptions execution;

    @picocli.CommandLine.Mixin
    ModelOption modelOption;

    @Parameters(arity = "1..*", paramLabel = "IMAGE|DIR",
            description = "Image files, or directories whose images (by extension) are segmented in name order.")
    List<Path> inputs;

    @Option(names = {"-o", "--out"}, defaultValue = ".", paramLabel = "DIR",
            description = "Output directory (default: the current directory).")
    Path outDir;

    @Option(names = "--output", split = ",", defaultValue = "color,labels", paramLabel = "KIND",
            description = "Files to write, comma separated: color, labels, palette, prob, overlay (default: ${DEFAULT-VALUE}).")
    List<String> outputNames;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Write the JSON lines to FILE instead of stdout.")
    Path jsonFile;

    @picocli.CommandLine.Mixin
    PresetOption preset;

    @picocli.CommandLine.Mixin
    LimitOptions limits;

    private final ObjectMapper json = new ObjectMapper();

    @Override
    public Integer call() throws Exception {
        SegmenterOptions options = SegmenterOptions.builder().limits(limits.limits()).dataset(preset.dataset())
                .build();
        List<OutputKind> outputs = outputKinds();
        Path modelFile = modelOption.file();
        List<Path> images = collectImages();
        checkOutputDirectory();
        Map<Path, String> stems;
        try {
            stems = OutputNames.stems(images, outputs.stream().map(OutputKind::suffix).toList(), outDir);
        } catch (OutputNames.ClashException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        Files.createDirectories(outDir);
        ConsoleProgress progress = new ConsoleProgress(spec.commandLine().getErr());
        AtomicInteger failed = new AtomicInteger();
        execution.apply(spec.commandLine().getErr());
        try (SegmentationModel model = SegmentationModel.load(modelFile);
             Segmenter segmenter = model.segmenter(options);
             PrintWriter lines = jsonFile == null ? null
                     : new PrintWriter(Files.newBufferedWriter(jsonFile, StandardCharsets.UTF_8))) {
            PrintWriter jsonOut = lines == null ? spec.commandLine().getOut() : lines;
            Writer writer = new Writer(outputs, stems, jsonOut,
                    lines == null && ConsoleProgress.stdoutIsTerminal() ? progress : null);
            run(segmenter, images, writer, progress, failed);
        }
        if (failed.get() > 0) {
            spec.commandLine().getErr().printf("%d of %d images failed.%n", failed.get(), images.size());
            return SOME_FAILED;
        }
        return 0;
    }

    /**
     * Decoding and preprocessing of the next images run on one thread, post-processing and writing on another,
     * while this thread runs the network: at most two images wait at each hand-over.
     */
    private void run(Segmenter segmenter, List<Path> images, Writer resultWriter, ConsoleProgress progress,
                     AtomicInteger failed) throws InterruptedException {
        ExecutorService loader = Executors.newSingleThreadExecutor(daemon("dilation4j-decode"));
        ExecutorService writer = Executors.newSingleThreadExecutor(daemon("dilation4j-write"));
        Deque<Future<ImageSegmenter.Prepared>> ahead = new ArrayDeque<>();
        Deque<Future<?>> writing = new ArrayDeque<>();
        long started = System.nanoTime();
        AtomicInteger done = new AtomicInteger();
        try {
            for (int i = 0; i < Math.min(2, images.size()); i++) {
                Path image = images.get(i);
                ahead.add(loader.submit(() -> segmenter.prepare(image)));
            }
            for (int i = 0; i < images.size(); i++) {
                Path image = images.get(i);
                Future<ImageSegmenter.Prepared> next = ahead.poll();
                if (i + 2 < images.size()) {
                    Path later = images.get(i + 2);
                    ahead.add(loader.submit(() -> segmenter.prepare(later)));
                }
                ImageSegmenter.Prepared prepared;
                try {
                    prepared = next.get();
                } catch (ExecutionException e) {
                    reportFailure(image, e.getCause(), progress, failed);
                    done.incrementAndGet();
                    continue;
                }
                ImageSegmenter.Inferred inferred;
                try {
                    inferred = segmenter.infer(prepared);
                } catch (DilationException | RuntimeException e) {
                    prepared.close();
                    reportFailure(image, e, progress, failed);
                    done.incrementAndGet();
                    continue;
                }
                writing.add(writer.submit(() -> {
                    try (ImageSegmenter.Prepared owned = prepared) {
                        writeResults(resultWriter, image, owned, segmenter.finish(inferred));
                    } catch (IOException | RuntimeException e) {
                        reportFailure(image, e, progress, failed);
                    }
                    progress.items("Segmenting", done.incrementAndGet(), images.size(), "images",
                            done.get() / ((System.nanoTime() - started) / 1e9));
                }));
                while (writing.size() > 2) {
                    waitFor(writing.poll());
                }
            }
            while (!writing.isEmpty()) {
                waitFor(writing.poll());
            }
        } finally {
            loader.shutdownNow();
            writer.shutdownNow();
            for (Future<ImageSegmenter.Prepared> pending : ahead) {
                pending.cancel(true);
            }
        }
    }

    /** Where and how the results go: the files of each image, then its JSON line. */
    private record Writer(List<OutputKind> outputs, Map<Path, String> stems, PrintWriter jsonOut,
                          ConsoleProgress sharedTerminal) {
    }

    /** Writes the files of one image, then its JSON line (ending the progress bar's line first if it shares stdout's terminal). */
    private void writeResults(Writer writer, Path image, ImageSegmenter.Prepared prepared, SegmentationResult result)
            throws IOException {
        long start = System.nanoTime();
        Map<String, String> written = new LinkedHashMap<>();
        for (OutputKind kind : writer.outputs()) {
            Path file = outDir.resolve(writer.stems().get(image) + kind.suffix());
            kind.write(result, prepared.image().bgr(), file);
            written.put(kind.id(), file.toString());
        }
        result = result.withTiming("write", (System.nanoTime() - start) / 1e6);
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("image", image.toString());
        line.putAll(SegmentationSummary.of(result));
        line.put("outputs", written);
        synchronized (writer.jsonOut()) {
            if (writer.sharedTerminal() != null) {
                writer.sharedTerminal().interrupt();
            }
            writer.jsonOut().println(json.writeValueAsString(line));
            writer.jsonOut().flush();
        }
        for (String conversion : result.conversions()) {
            spec.commandLine().getErr().println("dilation4j segment: " + image + ": " + conversion);
        }
    }

    /** The --output kinds, in the order given, each once; an unknown one is a usage error. */
    private List<OutputKind> outputKinds() {
        try {
            return OutputKind.parseAll("--output", outputNames);
        } catch (IllegalArgumentException e) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** {@code -o} must name a directory (or nothing yet): results go into it under the images' names. */
    private void checkOutputDirectory() {
        if (Files.exists(outDir) && !Files.isDirectory(outDir)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--out " + outDir
                    + " is a file; give a directory (it is created if missing)");
        }
        if (jsonFile != null && Files.isDirectory(jsonFile)) {
            throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--json " + jsonFile
                    + " is a directory; give a file name");
        }
    }


    private void reportFailure(Path image, Throwable error, ConsoleProgress progress, AtomicInteger failed) {
        failed.incrementAndGet();
        PrintWriter err = spec.commandLine().getErr();
        synchronized (err) {
            progress.interrupt();
            err.println("dilation4j segment: skipped " + image + ": " + error.getMessage());
            err.flush();
        }
    }

    private List<Path> collectImages() throws InvalidInputException, IOException {
        List<Path> images = new ArrayList<>();
        for (Path input : inputs) {
            if (Files.isDirectory(input)) {
                try (Stream<Path> entries = Files.list(input)) {
                    List<Path> found = entries.filter(Files::isRegularFile).filter(SegmentCommand::isImageName)
                            .sorted().toList();
                    if (found.isEmpty()) {
                        throw new InvalidInputException("Directory " + input + " holds no image files ("
                                + String.join(", ", IMAGE_EXTENSIONS.stream().sorted().toList()) + ").");
                    }
                    images.addAll(found);
                }
            } else if (Files.exists(input)) {
                images.add(input);
            } else {
                throw new InvalidInputException("Input " + input + " does not exist.");
            }
        }
        return images;
    }

    private static boolean isImageName(Path file) {
        return IMAGE_EXTENSIONS.contains(FileNames.extension(file).toLowerCase(Locale.ROOT));
    }

    private static void waitFor(Future<?> future) throws InterruptedException {
        try {
            future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("writer failed", e.getCause());
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
