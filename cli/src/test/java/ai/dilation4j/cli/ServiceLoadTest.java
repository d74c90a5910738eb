package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.model.SegmenterOptions;
import ai.dilation4j.runtime.output.SegmentationImages;
import ai.dilation4j.server.SegmentationService;
import ai.dilation4j.server.ServiceConfig;

/**
 * The service on loopback under concurrent load and bad input: responses identical to single-threaded
 * results, 503 (not failures) beyond the queue limit, 4xx for bad bodies, and the service keeps serving.
 */
class ServiceLoadTest {

    @TempDir
    static Path dir;
    static SegmentationModel model;
    static List<byte[]> images = new ArrayList<>();
    static List<byte[]> expectedLabels = new ArrayList<>();
    static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void prepare() throws Exception {
        model = SegmentationModel.load(TinyModel.convert(dir));
        int[][] sizes = {{16, 24}, {12, 40}, {30, 20}, {9, 9}};
        try (Segmenter sequential = model.segmenter(SegmenterOptions.defaults())) {
            for (int i = 0; i < sizes.length; i++) {
                Path image = TinyModel.image(dir.resolve("img" + i + ".png"), sizes[i][0], sizes[i][1], i);
                images.add(Files.readAllBytes(image));
                expectedLabels.add(SegmentationImages.encodePng(SegmentationImages.labels(sequential.segment(image))));
            }
        }
    }

    @AfterAll
    static void release() {
        model.close();
    }

    @Test
    void concurrentClientsGetTheSingleThreadedResults() throws Exception {
        try (Segmenter segmenter = model.segmenter(SegmenterOptions.builder().threads(2).build());
             SegmentationService service = start(segmenter, 2, 8, 1 << 20)) {
            int clients = 8;
            int perClient = 6;
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<List<String>>> futures = new ArrayList<>();
            long started = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    List<String> problems = new ArrayList<>();
                    for (int r = 0; r < perClient; r++) {
                        int image = (client + r) % images.size();
                        HttpResponse<byte[]> response = post(service, "labels", images.get(image));
                        if (response.statusCode() != 200 || !Arrays.equals(response.body(), expectedLabels.get(image))) {
                            problems.add("client " + client + " image " + image + ": HTTP " + response.statusCode());
                        }
                    }
                    return problems;
                }));
            }
            for (Future<List<String>> future : futures) {
                assertThat(future.get()).isEmpty();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            pool.shutdown();
            JsonNode metrics = metricsCounting(service, clients * perClient);
            assertThat(metrics.path("by_status").path("200").asInt()).isEqualTo(clients * perClient);
            assertThat(metrics.path("by_status").size()).as("only 200s").isEqualTo(1);
            System.out.printf("service load: %d requests from %d clients in %.2f s = %.1f req/s; latency %s%n",
                    clients * perClient, clients, seconds, clients * perClient / seconds,
                    metrics.path("latency_ok_requests"));
        }
    }

    @Test
    void overloadIsAnswered503AndNothingElse() throws Exception {
        try (Segmenter segmenter = model.segmenter(SegmenterOptions.defaults());
             SegmentationService service = start(segmenter, 1, 1, 1 << 20)) {
            int clients = 16;
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int image = c % images.size();
                futures.add(pool.submit(() -> {
                    for (int r = 0; r < 3; r++) {
                        HttpResponse<byte[]> response = post(service, "labels", images.get(image));
                        statuses.computeIfAbsent(response.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                        if (response.statusCode() == 200) {
                            assertThat(response.body()).isEqualTo(expectedLabels.get(image));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
            pool.shutdown();
            assertThat(statuses.keySet()).containsOnly(200, 503);
            assertThat(statuses.get(503).get()).isPositive();
            assertThat(post(service, "labels", images.get(0)).statusCode()).as("still serving").isEqualTo(200);
        }
    }

    @Test
    void badBodiesGetTheir4xxAndTheServiceKeepsServing() throws Exception {
        try (Segmenter segmenter = model.segmenter(limitedOptions());
             SegmentationService service = start(segmenter, 1, 2, 64 * 1024)) {
            byte[] jpeg = Files.readAllBytes(TinyModel.image(dir.resolve("cut.jpg"), 40, 40, 7));
            assertStatus(service, new byte[0], 400, "empty");
            assertStatus(service, "this is not an image".getBytes(), 400, "Cannot decode image");
            assertStatus(service, Arrays.copyOf(jpeg, jpeg.length / 2), 400, "truncated JPEG");
            assertStatus(service, pngHeader(100_000, 100_000), 413, "100000x100000");
            assertStatus(service, new byte[100 * 1024], 413, "exceeds the limit");
            HttpResponse<byte[]> get = CLIENT.send(HttpRequest.newBuilder(uri(service, "/segment")).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(get.statusCode()).isEqualTo(405);
            HttpResponse<byte[]> json = post(service, "json", images.get(1));
            assertThat(json.statusCode()).isEqualTo(200);
            assertThat(new ObjectMapper().readTree(json.body()).path("class_fractions").size()).isEqualTo(21);
            assertThat(post(service, "color", images.get(2)).statusCode()).isEqualTo(200);
            assertThat(get(service, "/health").path("status").asText()).isEqualTo("ok");
        }
    }

    /**
     * A leak grows with the number of requests; the JVM growing its heap towards -Xmx does not, and shows in RSS
     * too. So native memory (RSS less the committed Java heap) and the Java heap in use after a GC are measured
     * separately, each over 300 requests after a warm-up of 300 (measured: native memory rises for the first ~300
     * requests as the allocator's per-thread arenas fill, then moves within about ±80 MB).
     */
    @Test
    void memoryStaysFlatAfterWarmUp() throws Exception {
        try (Segmenter segmenter = model.segmenter(SegmenterOptions.builder().threads(2).build());
             SegmentationService service = start(segmenter, 2, 4, 1 << 20)) {
            for (int i = 0; i < 300; i++) {
                post(service, "labels", images.get(i % images.size()));
            }
            long[] before = memoryKb();
            for (int i = 0; i < 300; i++) {
                assertThat(post(service, "labels", images.get(i % images.size())).statusCode()).isEqualTo(200);
            }
            long[] after = memoryKb();
            System.out.printf("service memory after warm-up and after 300 more requests: native %d -> %d MB, heap "
                    + "in use %d -> %d MB%n", before[0] >> 10, after[0] >> 10, before[1] >> 10, after[1] >> 10);
            assertThat(after[0] - before[0]).as("native memory growth in KB over 300 requests").isLessThan(160 * 1024);
            assertThat(after[1] - before[1]).as("Java heap growth in KB over 300 requests").isLessThan(50 * 1024);
        }
    }

    /** Native memory (RSS less the committed Java heap) and the Java heap in use after a GC, in KB. */
    private static long[] memoryKb() throws IOException {
        System.gc();
        java.lang.management.MemoryUsage heap = java.lang.management.ManagementFactory.getMemoryMXBean()
                .getHeapMemoryUsage();
        return new long[] {residentKb() - (heap.getCommitted() >> 10), heap.getUsed() >> 10};
    }

    private static SegmenterOptions limitedOptions() {
        return SegmenterOptions.builder().maxInputPixels(10_000_000).build();
    }

    private static SegmentationService start(Segmenter segmenter, int threads, int queue, long maxBytes)
            throws IOException {
        SegmentationService service = new SegmentationService(segmenter, ServiceConfig.builder().host("127.0.0.1")
                .port(0).threads(threads).queue(queue).maxBodyBytes(maxBytes).build());
        service.start();
        return service;
    }

    private static void assertStatus(SegmentationService service, byte[] body, int status, String message)
            throws Exception {
        HttpResponse<byte[]> response = post(service, "labels", body);
        assertThat(response.statusCode()).as(new String(response.body())).isEqualTo(status);
        assertThat(new String(response.body())).contains(message);
    }

    private static HttpResponse<byte[]> post(SegmentationService service, String output, byte[] body)
            throws IOException, InterruptedException {
        return CLIENT.send(HttpRequest.newBuilder(uri(service, "/segment?output=" + output))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode get(SegmentationService service, String path) throws Exception {
        HttpResponse<byte[]> response = CLIENT.send(HttpRequest.newBuilder(uri(service, path)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        return new ObjectMapper().readTree(response.body());
    }

    /**
     * /metrics.json once it counts {@code requests} requests, or after 5 s: a worker counts its request just after
     * writing the answer, so the last client may read its answer before it is counted.
     */
    private static JsonNode metricsCounting(SegmentationService service, int requests) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        JsonNode metrics = get(service, "/metrics.json");
        while (metrics.path("requests").asInt() < requests && System.nanoTime() < deadline) {
            Thread.sleep(20);
            metrics = get(service, "/metrics.json");
        }
        return metrics;
    }

    private static URI uri(SegmentationService service, String path) {
        return URI.create("http://127.0.0.1:" + service.port() + path);
    }

    /** The first bytes of a PNG whose header claims the given size; the image data is missing. */
    private static byte[] pngHeader(int width, int height) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'});
        out.writeBytes(new byte[] {(byte) (width >>> 24), (byte) (width >>> 16), (byte) (width >>> 8), (byte) width});
        out.writeBytes(new byte[] {(byte) (height >>> 24), (byte) (height >>> 16), (byte) (height >>> 8), (byte) height});
        out.writeBytes(new byte[] {8, 2, 0, 0, 0, 0, 0, 0, 0});
        return out.toByteArray();
    }

    private static long residentKb() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
