package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.model.SegmenterOptions;
import ai.dilation4j.server.SegmentationService;
import ai.dilation4j.server.ServiceConfig;

/**
 * The service against hostile and impatient clients on loopback: slow headers, slow bodies, too many
 * connections, bodies beyond the memory set aside for them, clients that leave before their answer, form uploads;
 * and the metrics that count them, in both views (Prometheus text and JSON). Timeouts are
 * shortened to seconds; every loop is bounded in count and time.
 */
class ServiceHardeningTest {

    /** Requests that run at once plus those that may wait, plus 4: enough to have starved the JDK server. */
    private static final int THREADS = 1;
    private static final int QUEUE = 1;
    private static final int SLOW_CLIENTS = THREADS + QUEUE + 4;
    private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(2);
    private static final long DRIP_MILLIS = 500;
    /** Room for one body of the largest size being received, not for two. */
    private static final int BODY_LIMIT = 600 * 1024;
    private static final long BODY_BUDGET = 1 << 20;

    @TempDir
    static Path dir;
    static SegmentationModel model;
    static byte[] smallImage;
    /** Many tiles of the tiny model (16x24 image pixels each): tens of seconds of work, cancelled in the test. */
    static byte[] wideImage;
    static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    static final ObjectMapper JSON = new ObjectMapper();
    static final String CHUNKED_SEGMENT_HEADERS = "POST /segment?output=json HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n";

    private final List<AutoCloseable> resources = new ArrayList<>();

    @BeforeAll
    static void prepare() throws Exception {
        model = SegmentationModel.load(TinyModel.convert(dir));
        smallImage = Files.readAllBytes(TinyModel.image(dir.resolve("small.png"), 16, 24, 1));
        wideImage = Files.readAllBytes(TinyModel.image(dir.resolve("wide.png"), 16 * 8, 24 * 14, 2));
    }

    @AfterAll
    static void release() {
        model.close();
    }

    @AfterEach
    void closeResources() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void slowHeadersNeitherDelayHealthNorKeepTheirConnections() throws Exception {
        SegmentationService service = start(ServiceConfig.builder().headerTimeout(SHORT_TIMEOUT));
        long opened = System.nanoTime();
        List<RawConnection> slow = connect(service, SLOW_CLIENTS);
        List<Future<RawConnection.Ending>> endings = readAllUntilClosed(slow);
        drip(slow, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));

        for (int round = 0; round < 3; round++) {
            long start = System.nanoTime();
            HttpResponse<String> health = get(service, "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(millisSince(start)).as("/health with %d slow clients", SLOW_CLIENTS).isLessThan(2_000);
            Thread.sleep(300);
        }

        for (Future<RawConnection.Ending> ending : endings) {
            RawConnection.Ending closed = ending.get(15, TimeUnit.SECONDS);
            assertThat(closed.timedOut()).as("closed by the server").isFalse();
            assertThat(closed.received()).as("nothing is answered to incomplete headers").isEmpty();
            assertThat((closed.endedNanos() - opened) / 1e6).as("ms until closed")
                    .isBetween(SHORT_TIMEOUT.toMillis() * 0.75, SHORT_TIMEOUT.toMillis() + 6_000.0);
        }
        assertThat(metrics(service).path("connections").path("closed_slow_headers").asInt()).isEqualTo(SLOW_CLIENTS);
    }

    @Test
    void slowBodiesHoldNoSlotAndAreCutOffWith408() throws Exception {
        SegmentationService service = start(ServiceConfig.builder().bodyTimeout(SHORT_TIMEOUT));
        List<RawConnection> slow = connect(service, SLOW_CLIENTS);
        List<Future<RawConnection.Ending>> endings = readAllUntilClosed(slow);
        long headersSent = System.nanoTime();
        for (RawConnection connection : slow) {
            connection.send("POST /segment?output=json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n");
        }
        drip(slow, new byte[1000]);

        for (int round = 0; round < 2; round++) {
            HttpResponse<String> response = post(service, "json", smallImage);
            assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        }

        for (Future<RawConnection.Ending> ending : endings) {
            RawConnection.Ending closed = ending.get(15, TimeUnit.SECONDS);
            assertThat(closed.timedOut()).as("closed by the server").isFalse();
            assertThat(closed.received()).startsWith("HTTP/1.1 408").contains("did not arrive within 2 s");
            assertThat((closed.endedNanos() - headersSent) / 1e6).as("ms until cut off")
                    .isBetween(SHORT_TIMEOUT.toMillis() * 0.75, SHORT_TIMEOUT.toMillis() + 6_000.0);
        }
        JsonNode metrics = metrics(service);
        assertThat(metrics.path("by_status").path("408").asInt()).isEqualTo(SLOW_CLIENTS);
        assertThat(metrics.path("by_status").path("200").asInt()).isEqualTo(2);
        assertThat(metrics.path("by_status").has("503")).as("no client was refused as busy").isFalse();
        assertThat(metrics.path("connections").path("closed_slow_body").asInt()).isEqualTo(SLOW_CLIENTS);
    }

    @Test
    void connectionsBeyondTheCapAreRefusedAtOnceUntilOneCloses() throws Exception {
        int cap = 3;
        SegmentationService service = start(ServiceConfig.builder().maxConnections(cap));
        List<RawConnection> open = connect(service, cap);
        for (RawConnection connection : open) {
            // A full exchange proves the server holds the connection (kept alive afterwards).
            connection.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(connection.readResponse()).startsWith("HTTP/1.1 200");
        }

        long start = System.nanoTime();
        try (RawConnection extra = new RawConnection(service.port(), 5_000)) {
            RawConnection.Ending refused = extra.readUntilClosed();
            assertThat(refused.timedOut()).isFalse();
            assertThat(refused.received()).startsWith("HTTP/1.1 503").contains("too many connections");
        }
        assertThat(millisSince(start)).as("refused at once").isLessThan(2_000);

        open.get(0).close();
        String health = "";
        for (int attempt = 0; attempt < 50 && !health.startsWith("HTTP/1.1 200"); attempt++) {
            Thread.sleep(100);
            try (RawConnection again = new RawConnection(service.port(), 5_000)) {
                again.send("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
                health = again.readUntilClosed().received();
            }
        }
        assertThat(health).as("/health once a connection closed").startsWith("HTTP/1.1 200").contains("\"ok\"");
        open.get(1).close();
        assertThat(metrics(service).path("connections").path("refused_over_limit").asInt()).isPositive();
    }

    @Test
    void aClientThatLeavesCancelsItsSegmentation() throws Exception {
        SegmentationService service = start(ServiceConfig.builder());
        RawConnection running = new RawConnection(service.port(), 10_000);
        resources.add(running);
        sendSegmentation(running, wideImage);
        waitFor(service, m -> m.path("in_flight").asInt() == 1, "the first request admitted");
        RawConnection waiting = new RawConnection(service.port(), 10_000);
        resources.add(waiting);
        sendSegmentation(waiting, wideImage);
        waitFor(service, m -> m.path("in_flight").asInt() == 2, "the second request queued");
        Thread.sleep(1_000); // the first one is now well inside its tiles

        waiting.close();
        long start = System.nanoTime();
        waitFor(service, m -> m.path("cancelled").asInt() == 1, "the queued request cancelled");
        running.close();
        waitFor(service, m -> m.path("cancelled").asInt() == 2 && m.path("in_flight").asInt() == 0,
                "the running request cancelled");
        HttpResponse<String> next = post(service, "json", smallImage);
        assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
        assertThat(millisSince(start)).as("ms from the disconnects to the next answer (the image alone takes "
                + "tens of seconds)").isLessThan(8_000);

        JsonNode metrics = metrics(service);
        assertThat(metrics.path("by_status").path("499").asInt()).isEqualTo(2);
        assertThat(metrics.path("by_status").path("200").asInt()).isEqualTo(1);
    }

    @Test
    void aBodyBeingReceivedHoldsItsReservationAndTheNextOneIsRefusedAtOnce() throws Exception {
        SegmentationService service = start(budgeted());
        byte[] body = imageOfLength(BODY_LIMIT);
        RawConnection first = open(service);
        first.send(segmentHeaders(BODY_LIMIT, ""));
        first.send(Arrays.copyOf(body, 1000));
        waitForReserved(service, BODY_LIMIT, "the first body, from its Content-Length");

        long start = System.nanoTime();
        RawConnection second = open(service);
        second.send(segmentHeaders(BODY_LIMIT, ""));
        String refusal = second.readResponse();
        assertThat(millisSince(start)).as("ms until refused (the body timeout is 30 s)").isLessThan(2_000);
        assertThat(refusal).startsWith("HTTP/1.1 503").containsIgnoringCase("retry-after: 1")
                .containsIgnoringCase("connection: close").contains("bytes set aside for them");
        second.send(body);
        RawConnection.Ending secondEnd = second.readUntilClosed();
        assertThat(secondEnd.timedOut()).as("closed by the server once the refused body is read").isFalse();
        assertThat(reservedBytes(metrics(service))).as("the refused body reserved nothing").isEqualTo(BODY_LIMIT);

        start = System.nanoTime();
        RawConnection waiting = open(service);
        waiting.send(segmentHeaders(BODY_LIMIT, "Expect: 100-continue\r\n"));
        RawConnection.Ending waitingEnd = waiting.readUntilClosed();
        assertThat(waitingEnd.timedOut()).as("closed at once: the client waits to send its body").isFalse();
        assertThat(waitingEnd.received()).startsWith("HTTP/1.1 503").doesNotContain("100 Continue");
        assertThat(millisSince(start)).as("ms until refused and closed").isLessThan(2_000);
        assertThat(get(service, "/health").statusCode()).as("/health while the budget is taken").isEqualTo(200);

        first.send(Arrays.copyOfRange(body, 1000, body.length));
        assertThat(first.readResponse()).startsWith("HTTP/1.1 200");
        waitForReserved(service, 0, "the first body complete");
        HttpResponse<String> third = post(service, "json", body);
        assertThat(third.statusCode()).as(third.body()).isEqualTo(200);

        JsonNode metrics = metrics(service);
        assertThat(reservedBytes(metrics)).isZero();
        assertThat(metrics.path("connections").path("refused_body_budget").asInt()).isEqualTo(2);
        assertThat(metrics.path("by_status").path("503").asInt()).isEqualTo(2);
        assertThat(metrics.path("by_status").path("200").asInt()).isEqualTo(2);
    }

    @Test
    void aBodyThatTimesOutGivesBackItsReservation() throws Exception {
        SegmentationService service = start(budgeted().bodyTimeout(SHORT_TIMEOUT));
        byte[] body = imageOfLength(BODY_LIMIT);
        RawConnection slow = open(service);
        slow.send(segmentHeaders(BODY_LIMIT, ""));
        slow.send(Arrays.copyOf(body, 1000));
        waitForReserved(service, BODY_LIMIT, "the slow body");
        assertThat(post(service, "json", body).statusCode()).as("no room for a second body").isEqualTo(503);

        RawConnection.Ending cutOff = slow.readUntilClosed();
        assertThat(cutOff.received()).startsWith("HTTP/1.1 408");
        waitForReserved(service, 0, "the slow body cut off");
        HttpResponse<String> next = post(service, "json", body);
        assertThat(next.statusCode()).as(next.body()).isEqualTo(200);
        assertThat(reservedBytes(metrics(service))).isZero();
    }

    @Test
    void chunkedBodiesAreReservedChunkByChunk() throws Exception {
        SegmentationService service = start(budgeted());
        RawConnection chunked = open(service);
        chunked.send(CHUNKED_SEGMENT_HEADERS);
        sendChunk(chunked, 300 * 1024);
        waitForReserved(service, 300 * 1024, "the first chunk");
        sendChunk(chunked, 100 * 1024);
        waitForReserved(service, 400 * 1024, "two chunks");

        byte[] body = imageOfLength(BODY_LIMIT);
        RawConnection declared = open(service);
        declared.send(segmentHeaders(BODY_LIMIT, ""));
        declared.send(Arrays.copyOf(body, 1000));
        waitForReserved(service, 400 * 1024 + BODY_LIMIT, "two chunks and a declared body");

        sendChunk(chunked, 100 * 1024); // 100 KB more do not fit: 24 KB are left
        assertThat(chunked.readResponse()).startsWith("HTTP/1.1 503");
        waitForReserved(service, BODY_LIMIT, "the refused chunked body freed");
        chunked.send("0\r\n\r\n");
        assertThat(chunked.readUntilClosed().timedOut()).as("closed by the server").isFalse();

        declared.send(Arrays.copyOfRange(body, 1000, body.length));
        assertThat(declared.readResponse()).startsWith("HTTP/1.1 200");
        waitForReserved(service, 0, "the declared body complete");
        assertThat(metrics(service).path("connections").path("refused_body_budget").asInt()).isEqualTo(1);
    }

    @Test
    void everyOtherEndingGivesBackTheReservation() throws Exception {
        SegmentationService service = start(budgeted());
        RawConnection leaving = open(service);
        leaving.send(segmentHeaders(BODY_LIMIT, ""));
        leaving.send(new byte[1000]);
        waitForReserved(service, BODY_LIMIT, "a body");
        leaving.close();
        waitForReserved(service, 0, "its client gone");

        RawConnection growing = open(service);
        growing.send(CHUNKED_SEGMENT_HEADERS);
        sendChunk(growing, 400 * 1024);
        waitForReserved(service, 400 * 1024, "a chunked body");
        sendChunk(growing, 300 * 1024);
        assertThat(growing.readResponse()).startsWith("HTTP/1.1 413");
        waitForReserved(service, 0, "the chunked body past the limit");

        RawConnection malformed = open(service);
        malformed.send(CHUNKED_SEGMENT_HEADERS);
        sendChunk(malformed, 100 * 1024);
        waitForReserved(service, 100 * 1024, "another chunked body");
        malformed.send("not a chunk size\r\n");
        assertThat(malformed.readResponse()).startsWith("HTTP/1.1 400");
        waitForReserved(service, 0, "the malformed chunked body");

        RawConnection tooLarge = open(service);
        tooLarge.send(segmentHeaders(BODY_LIMIT + 1, ""));
        assertThat(tooLarge.readResponse()).startsWith("HTTP/1.1 413");
        assertThat(reservedBytes(metrics(service))).as("nothing reserved for a body refused unread").isZero();

        byte[] body = imageOfLength(BODY_LIMIT);
        RawConnection continued = open(service);
        continued.send(segmentHeaders(BODY_LIMIT, "Expect: 100-continue\r\n"));
        assertThat(continued.readResponse()).startsWith("HTTP/1.1 100");
        waitForReserved(service, BODY_LIMIT, "a body announced by 100-continue");
        continued.send(body);
        assertThat(continued.readResponse()).startsWith("HTTP/1.1 200");
        waitForReserved(service, 0, "that body complete");
        assertThat(metrics(service).path("connections").path("refused_body_budget").asInt()).isZero();
    }

    @Test
    void formUploadsAreRefusedWith415FromTheirHeaders() throws Exception {
        SegmentationService service = start(budgeted());
        RawConnection waiting = open(service);
        waiting.send("POST /segment HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=b\r\n"
                + "Content-Length: " + BODY_LIMIT + "\r\nExpect: 100-continue\r\n\r\n");
        RawConnection.Ending refused = waiting.readUntilClosed();
        assertThat(refused.timedOut()).as("closed at once: the client waits to send its body").isFalse();
        assertThat(refused.received()).startsWith("HTTP/1.1 415").doesNotContain("100 Continue")
                .contains("--data-binary");

        String form = "--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"small.png\"\r\n\r\n"
                + "not the image alone\r\n--b--\r\n";
        HttpResponse<String> browser = CLIENT.send(HttpRequest.newBuilder(uri(service, "/segment"))
                .header("Content-Type", "Multipart/Form-Data; boundary=b").timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(browser.statusCode()).isEqualTo(415);
        assertThat(JSON.readTree(browser.body()).path("error").asText())
                .contains("send the raw image bytes as the request body");

        assertThat(post(service, "json", smallImage).statusCode()).as("raw bytes still segmented").isEqualTo(200);
        waitFor(service, m -> m.path("requests").asInt() == 3, "three segmentation requests counted");
        JsonNode metrics = metrics(service);
        assertThat(metrics.path("by_status").path("415").asInt()).isEqualTo(2);
        assertThat(reservedBytes(metrics)).as("nothing reserved for a refused form").isZero();
        assertThat(metrics.path("connections").path("refused_body_budget").asInt()).isZero();
    }

    @Test
    void metricsAreServedInThePrometheusTextFormat() throws Exception {
        SegmentationService service = start(budgeted());
        for (int i = 0; i < 2; i++) {
            assertThat(post(service, "json", smallImage).statusCode()).isEqualTo(200);
        }
        assertThat(post(service, "json", new byte[] {1, 2, 3}).statusCode()).isEqualTo(400);
        assertThat(get(service, "/health").statusCode()).isEqualTo(200);
        waitFor(service, m -> m.path("requests").asInt() == 3, "three segmentation requests counted");

        HttpResponse<String> scrape = get(service, "/metrics");
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
        String text = scrape.body();
        assertThat(sample(text, "dilation4j_requests_total{endpoint=\"segment\",status=\"200\"}")).isEqualTo(2);
        assertThat(sample(text, "dilation4j_requests_total{endpoint=\"segment\",status=\"400\"}")).isEqualTo(1);
        assertThat(sample(text, "dilation4j_requests_total{endpoint=\"health\",status=\"200\"}")).isEqualTo(1);
        assertThat(sample(text, "dilation4j_segmentation_duration_seconds_count")).isEqualTo(2);
        assertThat(sample(text, "dilation4j_requests_in_flight")).isZero();
        assertThat(sample(text, "dilation4j_request_body_budget_bytes")).isEqualTo(BODY_BUDGET);
        assertThat(sample(text, "dilation4j_request_body_reserved_bytes")).isZero();
        assertThat(sample(text, "dilation4j_connections_open")).isPositive();
        assertThat(text).contains("# TYPE dilation4j_segmentation_duration_seconds summary",
                "dilation4j_segmentation_duration_seconds{quantile=\"0.5\"}");

        JsonNode json = JSON.readTree(get(service, "/metrics?format=json").body());
        assertThat(json.path("by_status").path("200").asInt()).isEqualTo(2);
        assertThat(json.path("latency_ok_requests").path("count").asInt()).isEqualTo(2);
        assertThat(json.path("latency_ok_requests").path("p50_ms").asDouble()).isPositive();
    }

    /** The value of the sample named (with its labels) {@code series} in a Prometheus text scrape. */
    private static double sample(String scrape, String series) {
        return scrape.lines().filter(line -> line.startsWith(series + " ")).findFirst()
                .map(line -> Double.parseDouble(line.substring(series.length() + 1).trim().split(" ")[0]))
                .orElseThrow(() -> new AssertionError("no sample " + series + " in\n" + scrape));
    }

    private SegmentationService start(ServiceConfig.Builder config) throws Exception {
        Segmenter segmenter = model.segmenter(SegmenterOptions.builder().threads(THREADS).build());
        resources.add(segmenter);
        SegmentationService service = new SegmentationService(segmenter,
                config.host("127.0.0.1").port(0).threads(THREADS).queue(QUEUE).build());
        resources.add(service);
        service.start();
        return service;
    }

    private static ServiceConfig.Builder budgeted() {
        return ServiceConfig.builder().maxBodyBytes(BODY_LIMIT).maxBufferedBodyBytes(BODY_BUDGET);
    }

    private List<RawConnection> connect(SegmentationService service, int count) throws Exception {
        List<RawConnection> connections = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            connections.add(open(service));
        }
        return connections;
    }

    private RawConnection open(SegmentationService service) throws Exception {
        RawConnection connection = new RawConnection(service.port(), 15_000);
        resources.add(connection);
        return connection;
    }

    /** The small image followed by zeros up to {@code length} bytes, which its decoder never reads. */
    private static byte[] imageOfLength(int length) {
        return Arrays.copyOf(smallImage, length);
    }

    private static String segmentHeaders(long contentLength, String extraHeaders) {
        return "POST /segment?output=json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + contentLength + "\r\n"
                + extraHeaders + "\r\n";
    }

    private static void sendChunk(RawConnection connection, int size) throws Exception {
        connection.send(Integer.toHexString(size) + "\r\n");
        connection.send(new byte[size]);
        connection.send("\r\n");
    }

    /** Reads every connection to its end on its own thread, so that nothing the server sends is missed. */
    private List<Future<RawConnection.Ending>> readAllUntilClosed(List<RawConnection> connections) {
        ExecutorService readers = Executors.newFixedThreadPool(connections.size());
        resources.add(readers::shutdownNow);
        List<Future<RawConnection.Ending>> endings = new ArrayList<>();
        for (RawConnection connection : connections) {
            endings.add(readers.submit(connection::readUntilClosed));
        }
        return endings;
    }

    /** Sends {@code bytes} to every connection, one byte each per {@value #DRIP_MILLIS} ms, until they are closed. */
    private void drip(List<RawConnection> connections, byte[] bytes) {
        ScheduledExecutorService dripper = Executors.newSingleThreadScheduledExecutor();
        resources.add(dripper::shutdownNow);
        boolean[] closed = new boolean[connections.size()];
        int[] next = {0};
        dripper.scheduleAtFixedRate(() -> {
            if (next[0] >= bytes.length) {
                return;
            }
            for (int i = 0; i < connections.size(); i++) {
                try {
                    if (!closed[i]) {
                        connections.get(i).send(new byte[] {bytes[next[0]]});
                    }
                } catch (java.io.IOException e) {
                    closed[i] = true;
                }
            }
            next[0]++;
        }, 0, DRIP_MILLIS, TimeUnit.MILLISECONDS);
    }

    private static void sendSegmentation(RawConnection connection, byte[] image) throws Exception {
        connection.send("POST /segment?output=json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " + image.length
                + "\r\n\r\n");
        connection.send(image);
    }

    /** Polls /metrics.json (at most 10 s) until {@code condition} holds. */
    private static void waitFor(SegmentationService service, Predicate<JsonNode> condition, String what)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode metrics = metrics(service);
        while (!condition.test(metrics) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            metrics = metrics(service);
        }
        assertThat(condition.test(metrics)).as(what + "; metrics: " + metrics).isTrue();
    }

    private static void waitForReserved(SegmentationService service, long bytes, String what) throws Exception {
        waitFor(service, m -> reservedBytes(m) == bytes, bytes + " bytes of bodies reserved after " + what);
    }

    private static long reservedBytes(JsonNode metrics) {
        return metrics.path("request_bodies").path("reserved_bytes").asLong(-1);
    }

    private static JsonNode metrics(SegmentationService service) throws Exception {
        HttpResponse<String> response = get(service, "/metrics.json");
        assertThat(response.statusCode()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private static HttpResponse<String> get(SegmentationService service, String path) throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(service, path)).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> post(SegmentationService service, String output, byte[] body)
            throws Exception {
        return CLIENT.send(HttpRequest.newBuilder(uri(service, "/segment?output=" + output))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static URI uri(SegmentationService service, String path) {
        return URI.create("http://127.0.0.1:" + service.port() + path);
    }

    private static double millisSince(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e6;
    }
}
