package ai.dilation4j.cli;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.model.SegmenterOptions;
import ai.dilation4j.server.SegmentationService;
import ai.dilation4j.server.ServiceConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Run the HTTP segmentation service until stopped (Ctrl-C).",
                "  POST /segment?output=json|labels|color|palette|overlay  body: an encoded image; answers JSON "
                        + "with per-class fractions and timings (default), or that PNG, as segment --output writes it",
                "  GET /health (answered at once, even when busy), GET /metrics (Prometheus text format: request "
                        + "counts by endpoint and status, 499 = cancelled because the client left; requests in flight; "
                        + "connections; bytes of request bodies being received; latency quantiles), "
                        + "GET /metrics.json (the same counts as JSON)",
                "  Send the image as the raw body (curl --data-binary @photo.jpg); a form upload "
                        + "(multipart/form-data) gets 415.",
                "A request is admitted once its whole body has arrived: then 503 when --threads requests run and "
                        + "--queue more wait; 413 for bodies over --max-bytes or images over the other --max-* limits (checked from the image "
                        + "header before decoding); 400 for bodies that are not images. A client that disconnects cancels its segmentation.",
                "The bodies being received share --max-buffered-bytes of memory: a request whose body (from its "
                        + "Content-Length, or chunk by chunk) does not fit gets 503 at once and its connection is closed.",
                "Slow clients lose their connection: headers must arrive within --header-timeout, the body within "
                        + "--body-timeout (else 408), and a kept-alive connection may stay silent --idle-timeout; "
                        + "connections beyond --max-connections get 503 at once."})
final class ServeCommand implements Callable<Integer> {

    private static final int MAX_TILE_BATCH = 64;
    private static final int MAX_TIMEOUT_SECONDS = ServiceConfig.MAX_TIMEOUT_SECONDS;

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
            description = "Port to listen on, 0 to 65535 (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--threads", defaultValue = "1", paramLabel = "N",
            description = "Images segmented at once, 1 to " + ServiceConfig.MAX_THREADS + " (default: "
                    + "${DEFAULT-VALUE}). Each thread holds its own network graph over the shared weights, with the "
                    + "working memory of one forward pass: memory grows with every thread, and on a small CPU one "
                    + "pass already keeps every core busy.")
    int threads;

    @Option(names = "--queue", defaultValue = "4", paramLabel = "N",
            description = "Requests that may wait for a free thread before new ones get 503, 0 to "
                    + ServiceConfig.MAX_QUEUE + " (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--tile-batch", paramLabel = "N",
            description = "Tiles of one image per network call, 1 to " + MAX_TILE_BATCH + " (default: 1 on the CPU; "
                    + "on a GPU as many as fit in its free memory).")
    Integer tileBatch;

    @Option(names = "--max-connections", defaultValue = "256", paramLabel = "N",
            description = "Open connections at most, 1 to " + ServiceConfig.MAX_CONNECTIONS + "; one more gets 503 "
                    + "and is closed at once (default: ${DEFAULT-VALUE}). Their bodies share --max-buffered-bytes.")
    int maxConnections;

    @Option(names = "--max-buffered-bytes", paramLabel = "BYTES",
            defaultValue = "" + ServiceConfig.DEFAULT_MAX_BUFFERED_BODY_BYTES,
            description = "Bytes of request bodies being received that all connections together may hold in memory; "
                    + "a request whose body does not fit gets 503 at once. At least --max-bytes, at most "
                    + ServiceConfig.MAX_BUFFERED_BODY_BYTES + " (default: ${DEFAULT-VALUE}).")
    long maxBufferedBytes;

    @Option(names = "--header-timeout", defaultValue = "10", paramLabel = "SECONDS",
            description = "Time a client has to send a request's headers, from its first byte; then the "
                    + "connection is closed. 1 to " + MAX_TIMEOUT_SECONDS + " (default: ${DEFAULT-VALUE}).")
    int headerTimeout;

    @Option(names = "--body-timeout", defaultValue = "30", paramLabel = "SECONDS",
            description = "Time a client has to send a request's body once the headers arrived; then it gets 408 "
                    + "and the connection is closed. 1 to " + MAX_TIMEOUT_SECONDS + " (default: ${DEFAULT-VALUE}).")
    int bodyTimeout;

    @Option(names = "--idle-timeout", defaultValue = "60", paramLabel = "SECONDS",
            description = "Time a kept-alive connection may stay silent between requests before it is closed. "
                    + "1 to " + MAX_TIMEOUT_SECONDS + " (default: ${DEFAULT-VALUE}).")
    int idleTimeout;

    @picocli.CommandLine.Mixin
    PresetOption preset;

    @picocli.CommandLine.Mixin
    LimitOptions limits;

    @Override
    public Integer call() throws Exception {
        ServiceConfig config = serviceConfig();
        SegmenterOptions segmenterOptions = segmenterOptions();
        CountDownLatch stopped = new CountDownLatch(1);
        execution.apply(spec.commandLine().getErr());
        try (SegmentationModel model = SegmentationModel.load(modelOption.file());
             Segmenter segmenter = model.segmenter(segmenterOptions);
             SegmentationService service = new SegmentationService(segmenter, config)) {
            service.start();
            Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown));
            spec.commandLine().getOut().printf("Serving %s on http://%s:%d/ (POST /segment, GET /health, "
                    + "GET /metrics, GET /metrics.json); Ctrl-C stops.%n", model.metadata().name(), host, service.port());
            spec.commandLine().getOut().flush();
            stopped.await();
        }
        return 0;
    }

    /** The service settings; out-of-range values are usage errors, reported before the model loads. */
    private ServiceConfig serviceConfig() {
        requireRange("--port", port, 0, 65_535);
        requireRange("--threads", threads, 1, ServiceConfig.MAX_THREADS);
        requireRange("--queue", queue, 0, ServiceConfig.MAX_QUEUE);
        requireRange("--max-bytes", limits.maxBytes, 1, ServiceConfig.MAX_BODY_BYTES);
        requireRange("--max-buffered-bytes", maxBufferedBytes, 1, ServiceConfig.MAX_BUFFERED_BODY_BYTES);
        if (maxBufferedBytes < limits.maxBytes) {
            throw new ParameterException(spec.commandLine(), "--max-buffered-bytes (" + maxBufferedBytes
                    + ") must be at least --max-bytes (" + limits.maxBytes + ") so that a body of the largest size "
                    + "fits; raise --max-buffered-bytes or lower --max-bytes");
        }
        requireRange("--max-connections", maxConnections, 1, ServiceConfig.MAX_CONNECTIONS);
        requireRange("--header-timeout", headerTimeout, 1, MAX_TIMEOUT_SECONDS);
        requireRange("--body-timeout", bodyTimeout, 1, MAX_TIMEOUT_SECONDS);
        requireRange("--idle-timeout", idleTimeout, 1, MAX_TIMEOUT_SECONDS);
        return ServiceConfig.builder().host(host).port(port).threads(threads).queue(queue)
                .maxBodyBytes(limits.maxBytes).maxBufferedBodyBytes(maxBufferedBytes)
                .maxConnections(maxConnections).headerTimeout(Duration.ofSeconds(headerTimeout))
                .bodyTimeout(Duration.ofSeconds(bodyTimeout)).idleTimeout(Duration.ofSeconds(idleTimeout)).build();
    }

    private SegmenterOptions segmenterOptions() throws InvalidInputException {
        SegmenterOptions.Builder options = SegmenterOptions.builder().threads(threads).limits(limits.limits());
        if (tileBatch != null) {
            requireRange("--tile-batch", tileBatch, 1, MAX_TILE_BATCH);
            options.tileBatch(tileBatch);
        }
        options.dataset(preset.dataset());
        return options.build();
    }

    private void requireRange(String option, long value, long min, long max) {
        OptionRanges.requireBetween(spec.commandLine(), option, value, min, max);
    }
}
