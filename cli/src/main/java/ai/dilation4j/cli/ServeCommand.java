package ai.dilation4j.cli;

import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import ai.dilation4j.runtime.SegmentationModel;
import ai.dilation4j.runtime.Segmenter;
import ai.dilation4j.runtime.SegmenterOptions;
import ai.dilation4j.samples.service.SegmentationService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the sample HTTP segmentation service (samples/) until stopped (Ctrl-C).",
                "  POST /segment?output=labels|color|json  body: an encoded image; answers the 8-bit label PNG, "
                        + "the palette PNG, or JSON with per-class fractions and timings (default json)",
                "  GET /health, GET /metrics (request counts by status, latency percentiles)",
                "Answers 503 when --threads requests run and --queue more wait, 413 for bodies over --max-bytes or "
                        + "images over --max-pixels, 400 for bodies that are not images."})
final class ServeCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @picocli.CommandLine.Mixin
    ExecutionOptions execution;

    @picocli.CommandLine.Mixin
    ModelOption modelOption;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; 0.0.0.0 for every interface).")
    String host;

    @Option(names = "--port", defaultValue = "8080", paramLabel = "PORT",
            description = "Port to listen on (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N",
            description = "Images segmented at once, each on its own graph over the shared weights "
                    + "(default: ${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--queue", defaultValue = "4", paramLabel = "N",
            description = "Requests that may wait for a free slot before new ones get 503 (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--max-bytes", defaultValue = "16777216", paramLabel = "BYTES",
            description = "Largest request body accepted; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    long maxBytes;

    @Option(names = "--max-pixels", defaultValue = "20000000", paramLabel = "N",
            description = "Largest image (width x height) accepted, checked from the image header before decoding; "
                    + "larger ones get 413 (default: ${DEFAULT-VALUE}).")
    long maxPixels;

    @Option(names = "--tile-batch", paramLabel = "N",
            description = "Tiles of one image per network call (default: 1 on the CPU; on a GPU as many as fit in "
                    + "its free memory).")
    Integer tileBatch;

    @picocli.CommandLine.Mixin
    PresetOption preset;

    @Override
    public Integer call() throws Exception {
        SegmenterOptions.Builder options = SegmenterOptions.builder().threads(threads)
                .maxEncodedBytes(maxBytes).maxInputPixels(maxPixels);
        if (tileBatch != null) {
            options.tileBatch(tileBatch);
        }
        options.dataset(preset.dataset());
        CountDownLatch stopped = new CountDownLatch(1);
        execution.apply(spec.commandLine().getErr());
        try (SegmentationModel model = SegmentationModel.load(modelOption.file());
             Segmenter segmenter = model.segmenter(options.build());
             SegmentationService service = new SegmentationService(segmenter,
                     new SegmentationService.Config(host, port, threads, queue, maxBytes))) {
            service.start();
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            spec.commandLine().getOut().printf("Serving %s on http://%s:%d/ (POST /segment, GET /health, "
                    + "GET /metrics); Ctrl-C stops.%n", model.metadata().name(), host, service.port());
            spec.commandLine().getOut().flush();
            stopped.await();
        }
        return 0;
    }
}
