package ai.dilation4j.samples.service;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import org.bytedeco.opencv.opencv_core.Mat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import ai.dilation4j.runtime.DilationException;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.Segmenter;
import ai.dilation4j.runtime.segment.ImageTooLargeException;
import ai.dilation4j.runtime.segment.SegmentationImages;
import ai.dilation4j.runtime.segment.SegmentationResult;

/**
 * A sample HTTP service on the dilation4j API.
 *
 * <ul>
 *   <li>{@code POST /segment?output=labels|color|json}: body = an encoded image; answers the 8-bit label PNG, the
 *       palette PNG, or JSON with per-class pixel fractions and timings (default json);</li>
 *   <li>{@code GET /health}: {@code {"status":"ok"}};</li>
 *   <li>{@code GET /metrics}: request counts by status, requests in flight, latency percentiles.</li>
 * </ul>
 *
 * At most {@code threads} images are segmented at once and at most {@code queue} more wait; a request beyond
 * that is answered 503 at once instead of piling up. Bodies over {@code maxBodyBytes} get 413, images over the
 * segmenter's pixel limit 413 (checked from the header, before decoding), undecodable bodies 400.
 */
public final class SegmentationService implements AutoCloseable {

    /** Service settings. */
    public record Config(String host, int port, int threads, int queue, long maxBodyBytes) {
        public Config {
            if (threads < 1 || queue < 0 || maxBodyBytes < 1) {
                throw new IllegalArgumentException("threads >= 1, queue >= 0 and maxBodyBytes >= 1 are required");
            }
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(SegmentationService.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long DRAIN_LIMIT = 32L << 20;

    private final Segmenter segmenter;
    private final Config config;
    private final Semaphore admitted;
    private final ServiceMetrics metrics = new ServiceMetrics();
    private final HttpServer server;
    private final ExecutorService handlers;

    public SegmentationService(Segmenter segmenter, Config config) throws IOException {
        this.segmenter = segmenter;
        this.config = config;
        this.admitted = new Semaphore(config.threads() + config.queue());
        this.server = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 64);
        // Room for every admitted request plus a few threads that answer 503s, health and metrics promptly.
        this.handlers = Executors.newFixedThreadPool(config.threads() + config.queue() + 4);
        server.setExecutor(handlers);
        server.createContext("/segment", this::segment);
        server.createContext("/health", exchange -> respondJson(exchange, 200, Map.of("status", "ok")));
        server.createContext("/metrics", exchange -> respondJson(exchange, 200, metrics.snapshot()));
    }

    public void start() {
        server.start();
        LOG.info("Serving on http://{}:{}/ (threads {}, queue {})", config.host(), port(), config.threads(),
                config.queue());
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private void segment(HttpExchange exchange) throws IOException {
        long start = System.nanoTime();
        metrics.started();
        int status = 500;
        try {
            status = handleSegment(exchange);
        } catch (RuntimeException e) {
            LOG.error("Unexpected failure", e);
            status = respondError(exchange, 500, "internal error: " + e);
        } finally {
            metrics.finished(status, System.nanoTime() - start);
            exchange.close();
        }
    }

    private int handleSegment(HttpExchange exchange) throws IOException {
        if (!exchange.getRequestMethod().equals("POST")) {
            return respondError(exchange, 405, "use POST with the image as the request body");
        }
        String output = query(exchange.getRequestURI(), "output", "json");
        if (!output.equals("json") && !output.equals("labels") && !output.equals("color")) {
            return respondError(exchange, 400, "output must be labels, color or json");
        }
        if (!admitted.tryAcquire()) {
            exchange.getResponseHeaders().add("Retry-After", "1");
            return respondError(exchange, 503, "busy: " + config.threads() + " requests running and " + config.queue()
                    + " waiting; retry later");
        }
        try {
            long declared = contentLength(exchange);
            if (declared > config.maxBodyBytes()) {
                drain(exchange, declared);
                return respondError(exchange, 413, "body of " + declared + " bytes exceeds the limit of "
                        + config.maxBodyBytes());
            }
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, config.maxBodyBytes() + 1));
            }
            if (body.length > config.maxBodyBytes()) {
                drain(exchange, Long.MAX_VALUE);
                return respondError(exchange, 413, "body exceeds the limit of " + config.maxBodyBytes() + " bytes");
            }
            SegmentationResult result;
            try {
                result = segmenter.segment("request", body);
            } catch (ImageTooLargeException e) {
                return respondError(exchange, 413, e.getMessage());
            } catch (InvalidInputException e) {
                return respondError(exchange, 400, e.getMessage());
            } catch (DilationException e) {
                return respondError(exchange, 503, e.getMessage());
            }
            return switch (output) {
                case "labels" -> respondPng(exchange, SegmentationImages.labels(result));
                case "color" -> respondPng(exchange, SegmentationImages.color(result));
                default -> respondJson(exchange, 200, summary(result));
            };
        } finally {
            admitted.release();
        }
    }

    /**
     * Reads and discards a refused body of moderate size, so the client (still sending) receives the error
     * response instead of a connection reset; larger bodies are cut off with the connection.
     */
    private static void drain(HttpExchange exchange, long declared) throws IOException {
        if (declared > DRAIN_LIMIT) {
            return;
        }
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[64 * 1024];
            long left = DRAIN_LIMIT;
            for (int n; left > 0 && (n = in.read(buffer)) > 0; ) {
                left -= n;
            }
        }
    }

    static Map<String, Object> summary(SegmentationResult result) {
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("width", result.width());
        summary.put("height", result.height());
        Map<String, Double> fractions = new LinkedHashMap<>();
        double[] values = result.classFractions();
        for (int c = 0; c < values.length; c++) {
            fractions.put(result.dataset().classNames().get(c), values[c]);
        }
        summary.put("class_fractions", fractions);
        summary.put("timings_ms", result.timingsMs());
        return summary;
    }

    private static long contentLength(HttpExchange exchange) {
        String value = exchange.getRequestHeaders().getFirst("Content-Length");
        try {
            return value == null ? -1 : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String query(URI uri, String name, String fallback) {
        String query = uri.getRawQuery();
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.startsWith(name + "=")) {
                    return pair.substring(name.length() + 1);
                }
            }
        }
        return fallback;
    }

    private static int respondPng(HttpExchange exchange, Mat image) throws IOException {
        try (image) {
            return respond(exchange, 200, "image/png", SegmentationImages.encodePng(image));
        }
    }

    private static int respondJson(HttpExchange exchange, int status, Object body) throws IOException {
        return respond(exchange, status, "application/json", JSON.writeValueAsBytes(body));
    }

    private static int respondError(HttpExchange exchange, int status, String message) throws IOException {
        return respondJson(exchange, status, Map.of("error", message));
    }

    private static int respond(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
        return status;
    }

    @Override
    public void close() {
        server.stop(1);
        handlers.shutdown();
        try {
            handlers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
