package ai.dilation4j.models.download;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Downloader} against a local HTTP server that misbehaves on purpose. */
class DownloaderTest {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");
    private static final Duration STALL = Duration.ofMillis(400);

    @TempDir
    Path dir;
    private final byte[] content = new byte[256 * 1024 + 7];
    private String sha256;
    private Path target;
    private HttpServer server;
    private ExecutorService handlers;
    private final CountDownLatch released = new CountDownLatch(1);
    /** Each request as "path range", range "-" when none was asked. */
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final List<long[]> progress = new CopyOnWriteArrayList<>();

    @BeforeEach
    void serve() throws Exception {
        new Random(42).nextBytes(content);
        sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        target = dir.resolve("cache/net.caffemodel");
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        handlers = Executors.newCachedThreadPool();
        server.setExecutor(handlers);
        server.createContext("/", this::respond);
        server.start();
    }

    @AfterEach
    void stop() {
        released.countDown();
        server.stop(0);
        handlers.shutdownNow();
    }

    private void respond(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String range = exchange.getRequestHeaders().getFirst("Range");
        requests.add(path + " " + (range == null ? "-" : range));
        int hit = hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        try (exchange; OutputStream out = exchange.getResponseBody()) {
            switch (path) {
                case "/file" -> serveRange(exchange, range);
                case "/cut" -> {
                    if (hit == 1) {
                        // closing before Content-Length bytes cuts the connection, as a failing network would
                        exchange.sendResponseHeaders(200, content.length);
                        out.write(content, 0, content.length / 2);
                    } else {
                        serveRange(exchange, range);
                    }
                }
                case "/no-range" -> {
                    exchange.sendResponseHeaders(200, content.length);
                    out.write(content);
                }
                case "/wrong-range" -> {
                    exchange.getResponseHeaders().set("Content-Range",
                            "bytes 0-" + (content.length - 1) + "/" + content.length);
                    exchange.sendResponseHeaders(range == null ? 200 : 206, content.length);
                    out.write(content);
                }
                case "/damaged" -> {
                    byte[] damaged = content.clone();
                    damaged[damaged.length / 3] ^= 1;
                    exchange.sendResponseHeaders(200, damaged.length);
                    out.write(damaged);
                }
                case "/stall" -> {
                    exchange.sendResponseHeaders(200, content.length);
                    out.write(content, 0, content.length / 2);
                    out.flush();
                    released.await(30, TimeUnit.SECONDS);
                }
                case "/503" -> exchange.sendResponseHeaders(503, -1);
                case "/hop/1" -> redirect(exchange, 302, "2");
                case "/hop/2" -> redirect(exchange, 307, "3");
                case "/hop/3" -> redirect(exchange, 301, "/file");
                case "/loop" -> redirect(exchange, 302, "loop");
                default -> exchange.sendResponseHeaders(404, -1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** As a server that honours Range: 206 with the rest of the file, 416 past its end, 200 without Range. */
    private void serveRange(HttpExchange exchange, String range) throws IOException {
        Matcher matcher = range == null ? null : RANGE.matcher(range);
        if (matcher == null || !matcher.matches()) {
            exchange.sendResponseHeaders(200, content.length);
            exchange.getResponseBody().write(content);
            return;
        }
        int start = Integer.parseInt(matcher.group(1));
        if (start >= content.length) {
            exchange.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
            exchange.sendResponseHeaders(416, -1);
            return;
        }
        exchange.getResponseHeaders().set("Content-Range",
                "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
        exchange.sendResponseHeaders(206, content.length - start);
        exchange.getResponseBody().write(content, start, content.length - start);
    }

    private static void redirect(HttpExchange exchange, int status, String location) throws IOException {
        exchange.getResponseHeaders().set("Location", location);
        exchange.sendResponseHeaders(status, -1);
    }

    private Source http(String path) {
        return new Source("local " + path, URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path));
    }

    private static Source refusing() throws IOException {
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new Source("refusing", URI.create("http://127.0.0.1:" + closed.getLocalPort() + "/file"));
        }
    }

    private Downloader.Builder quick() {
        return Downloader.builder().stallTimeout(STALL).connectTimeout(Duration.ofSeconds(5)).attemptsPerSource(2)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(40))
                .progress((source, done, total, rate) -> progress.add(new long[] {done, total, (long) rate}));
    }

    private Download fetch(Source... sources) throws Exception {
        return quick().build().fetch(List.of(sources), target, Optional.of(sha256));
    }

    private DownloadFailedException failure(Downloader downloader, Source... sources) {
        return catchThrowableOfType(() -> downloader.fetch(List.of(sources), target, Optional.of(sha256)),
                DownloadFailedException.class);
    }

    private Path partial() {
        return PartialFile.pathFor(target);
    }

    private void assertComplete(Download download, Source expectedSource) {
        assertThat(download.source()).isEqualTo(expectedSource);
        assertThat(download.file()).isEqualTo(target.toAbsolutePath());
        assertThat(download.size()).isEqualTo(content.length);
        assertThat(download.sha256()).isEqualTo(sha256);
        assertThat(target).hasBinaryContent(content);
        assertThat(partial()).doesNotExist();
    }

    private void assertNothingAtTarget() {
        assertThat(target).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"refused", "/503", "/stall", "/404"})
    void aFailingSourceGivesWayToTheNext(String failing) throws Exception {
        Source first = failing.equals("refused") ? refusing() : http(failing);
        Download download = fetch(first, http("/file"));
        assertComplete(download, http("/file"));
        int tries = failing.equals("/404") ? 1 : 2;
        assertThat(requests.stream().filter(r -> r.startsWith(failing + " ")))
                .as("transient errors are retried, a missing file is not").hasSize(failing.equals("refused") ? 0 : tries);
    }

    @Test
    void whenEverySourceFailsEachErrorIsListed() throws Exception {
        Source refusing = refusing();
        DownloadFailedException e = failure(quick().build(), refusing, http("/503"), http("/stall"), http("/404"));
        assertThat(e.failures()).extracting(Failure::source)
                .containsExactly(refusing, http("/503"), http("/stall"), http("/404"));
        assertThat(e.failures()).extracting(Failure::error).containsExactly("connection refused (2 attempts)",
                "HTTP 503 (2 attempts)", "stalled: nothing received for 400 ms after " + content.length / 2
                        + " bytes (2 attempts)", "HTTP 404");
        assertThat(e.getMessage().lines()).containsExactly("Could not download net.caffemodel:",
                "  refusing (" + refusing.uri() + "): connection refused (2 attempts)",
                "  local /503 (" + http("/503").uri() + "): HTTP 503 (2 attempts)",
                "  local /stall (" + http("/stall").uri() + "): stalled: nothing received for 400 ms after "
                        + content.length / 2 + " bytes (2 attempts)",
                "  local /404 (" + http("/404").uri() + "): HTTP 404");
        assertNothingAtTarget();
        assertThat(partial()).as("the bytes the stalled source sent stay for a resume").hasSize(content.length / 2);
    }

    @Test
    void aCutDownloadResumesWithARangeRequest() throws Exception {
        assertComplete(fetch(http("/cut")), http("/cut"));
        assertThat(requests).containsExactly("/cut -", "/cut bytes=" + content.length / 2 + "-");
    }

    @Test
    void aPartialFileFromAnEarlierRunIsResumedAndTheChecksumCoversAllOfIt() throws Exception {
        Files.createDirectories(target.getParent());
        Files.write(partial(), Arrays.copyOf(content, 1000));
        assertComplete(fetch(http("/file")), http("/file"));
        assertThat(requests).containsExactly("/file bytes=1000-");
        assertThat(progress.get(progress.size() - 1)).startsWith(content.length, content.length);
    }

    @Test
    void aServerThatIgnoresRangeRestartsTheFileCleanly() throws Exception {
        Files.createDirectories(target.getParent());
        Files.write(partial(), new byte[1000]); // wrong bytes: kept, they would spoil the file
        assertComplete(fetch(http("/no-range")), http("/no-range"));
        assertThat(requests).containsExactly("/no-range bytes=1000-");
    }

    @Test
    void aRangeRefusedWith416StartsOver() throws Exception {
        Files.createDirectories(target.getParent());
        Files.write(partial(), new byte[content.length + 10]);
        assertComplete(fetch(http("/file")), http("/file"));
        assertThat(requests).containsExactly("/file bytes=" + (content.length + 10) + "-", "/file -");
    }

    @Test
    void aCompletePartialFileAnswered416IsCheckedAndKept() throws Exception {
        Files.createDirectories(target.getParent());
        Files.write(partial(), content);
        assertComplete(fetch(http("/file")), http("/file"));
        assertThat(requests).containsExactly("/file bytes=" + content.length + "-");
    }

    @Test
    void aContentRangeThatDoesNotMatchTheRequestStartsOver() throws Exception {
        Files.createDirectories(target.getParent());
        Files.write(partial(), new byte[1000]);
        assertComplete(fetch(http("/wrong-range")), http("/wrong-range"));
        assertThat(requests).containsExactly("/wrong-range bytes=1000-", "/wrong-range -");
    }

    @Test
    void aChecksumMismatchFailsThatSourceAndNeverReachesTheTarget() throws Exception {
        assertComplete(fetch(http("/damaged"), http("/file")), http("/file"));

        Files.delete(target);
        DownloadFailedException e = failure(quick().build(), http("/damaged"));
        assertThat(e.failures()).singleElement().extracting(Failure::error).asString()
                .startsWith("SHA-256 is ").contains("but " + sha256 + " was expected");
        assertNothingAtTarget();
        assertThat(partial()).doesNotExist();
        assertThat(requests).as("a mismatch is not retried").containsExactly("/damaged -", "/file -", "/damaged -");
    }

    @Test
    void aResumedFileThatFailsTheChecksumIsFetchedWholeOnceMore() throws Exception {
        Files.createDirectories(target.getParent());
        Files.write(partial(), new byte[1000]); // an earlier run's bytes, not the file's
        assertComplete(fetch(http("/file")), http("/file"));
        assertThat(requests).containsExactly("/file bytes=1000-", "/file -");
    }

    @Test
    void followsAChainOfRelativeRedirects() throws Exception {
        assertComplete(fetch(http("/hop/1")), http("/hop/1"));
        assertThat(requests).containsExactly("/hop/1 -", "/hop/2 -", "/hop/3 -", "/file -");

        Files.delete(target);
        DownloadFailedException e = failure(quick().build(), http("/loop"));
        assertThat(e.failures()).singleElement().extracting(Failure::error).asString()
                .startsWith("more than 10 redirects");
        assertThat(hits.get("/loop")).hasValue(11);
    }

    @Test
    void aRedirectFromHttpsToHttpIsRefused() throws Exception {
        URI secure = URI.create("https://dl.example/a/net.caffemodel");
        assertThat(HttpTransfer.redirectTarget(URI.create("http://dl.example/a"), 302, Optional.of("https://x/b")))
                .isEqualTo(URI.create("https://x/b"));
        assertThat(HttpTransfer.redirectTarget(secure, 302, Optional.of("../b"))).hasToString("https://dl.example/b");
        assertThatThrownBy(() -> HttpTransfer.redirectTarget(secure, 301, Optional.of("http://dl.example/b")))
                .hasMessage("redirect from https to http (http://dl.example/b) refused");
        assertThatThrownBy(() -> HttpTransfer.redirectTarget(secure, 302, Optional.of("file:///etc/passwd")))
                .hasMessageContaining("not an http(s) URL");
    }

    @Test
    void fileUrlsAndPlainPathsAreCopiedAndChecked() throws Exception {
        Path copy = Files.write(dir.resolve("have.caffemodel"), content);
        assertComplete(fetch(Sources.parse(copy.toString())), Sources.parse(copy.toString()));
        Files.delete(target);
        assertComplete(fetch(Sources.parse(copy.toUri().toString())), new Source("file", copy.toUri()));

        Files.delete(target);
        Path damaged = Files.write(dir.resolve("damaged.caffemodel"), Arrays.copyOf(content, 10));
        Source missing = Sources.parse(dir.resolve("none.caffemodel").toString());
        DownloadFailedException e = failure(quick().build(), missing, Sources.parse(damaged.toString()));
        assertThat(e.failures()).extracting(Failure::error).satisfiesExactly(
                error -> assertThat(error).endsWith("none.caffemodel does not exist"),
                error -> assertThat(error).startsWith("SHA-256 is "));
        assertNothingAtTarget();
        assertThat(requests).isEmpty();
    }

    @Test
    void offlineNetworkSourcesFailAtOnceAndFileSourcesStillWork() throws Exception {
        Path copy = Files.write(dir.resolve("have.caffemodel"), content);
        Downloader offline = quick().offline(true).build();
        Download download = offline.fetch(List.of(http("/file"), Sources.parse(copy.toString())), target,
                Optional.of(sha256));
        assertComplete(download, Sources.parse(copy.toString()));

        Files.delete(target);
        DownloadFailedException e = failure(offline, http("/file"));
        assertThat(e.failures()).extracting(Failure::error).containsExactly("offline");
        assertThat(requests).isEmpty();
        assertNothingAtTarget();
        assertThat(partial()).doesNotExist();
    }

    @Test
    void anInterruptKeepsThePartialFileForAResumeAndNothingAtTheTarget() throws Exception {
        AtomicLong done = new AtomicLong();
        Downloader downloader = quick().stallTimeout(Duration.ofSeconds(20))
                .progress((source, bytes, total, rate) -> done.set(bytes)).build();
        ExecutorService caller = Executors.newSingleThreadExecutor();
        try {
            Future<Download> running = caller.submit(() -> downloader.fetch(List.of(http("/stall")), target,
                    Optional.of(sha256)));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (done.get() < content.length / 2 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(done.get()).isEqualTo(content.length / 2);
            assertThat(partial()).exists();
            assertNothingAtTarget();
            caller.shutdownNow();
            assertThat(caller.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            assertThatThrownBy(running::get).hasCauseInstanceOf(InterruptedException.class);
        } finally {
            caller.shutdownNow();
        }
        assertNothingAtTarget();
        assertThat(partial()).hasSize(content.length / 2);

        assertComplete(fetch(http("/file")), http("/file"));
        assertThat(requests).containsExactly("/stall -", "/file bytes=" + content.length / 2 + "-");
    }

    @Test
    void progressIsThrottledAndEndsWithTheTotal() throws Exception {
        long started = System.nanoTime();
        assertComplete(fetch(http("/stall"), http("/file")), http("/file"));
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        assertThat(progress).last().satisfies(last -> assertThat(last).startsWith(content.length, content.length));
        assertThat(progress.get(progress.size() - 1)[2]).as("bytes per second").isPositive();
        // at most one report per 200 ms per transfer, plus one at each transfer's end (3 transfers)
        assertThat(progress).hasSizeLessThanOrEqualTo((int) (elapsedMs / 200) + 2 * 3);
        assertThat(progress.get(0)).startsWith(content.length / 2, content.length);
    }

    @Test
    void aTargetAnotherDownloadIsWritingIsRefused() throws Exception {
        Files.createDirectories(target.getParent());
        try (PartialFile busy = PartialFile.open(target.toAbsolutePath())) {
            DownloadFailedException e = failure(quick().build(), http("/file"));
            assertThat(e).hasMessageContaining("another download is writing");
            assertThat(busy.length()).isZero();
        }
        assertThat(requests).isEmpty();
        assertNothingAtTarget();
    }

    @Test
    void sourcesForWeightsComeInOrder() {
        URI official = URI.create("http://dl.yf.io/dilation/models/dilation8_pascal_voc.caffemodel");
        Path local = dir.resolve("mine.caffemodel");
        List<Source> sources = Sources.forWeights(official, true,
                List.of(URI.create("https://m.example/"), URI.create("https://n.example/models")), Optional.of(local));
        assertThat(sources).containsExactly(
                new Source("file", local.toUri()),
                new Source("dl.yf.io", official),
                new Source("Internet Archive", URI.create("https://web.archive.org/web/2019id_/" + official)),
                new Source("mirror https://m.example/",
                        URI.create("https://m.example/dilation8_pascal_voc.caffemodel")),
                new Source("mirror https://n.example/models",
                        URI.create("https://n.example/models/dilation8_pascal_voc.caffemodel")));
        assertThat(Sources.forWeights(official, true, List.of(), Optional.empty())).extracting(Source::label)
                .containsExactly("dl.yf.io", "Internet Archive");
        assertThat(Sources.forWeights(official, false, List.of(), Optional.empty())).extracting(Source::label)
                .containsExactly("dl.yf.io");
    }

    @Test
    void parseAcceptsUrlsAndPathsAndRefusesTheRest() {
        assertThat(Sources.parse("https://m.example/a.caffemodel"))
                .isEqualTo(new Source("m.example", URI.create("https://m.example/a.caffemodel")));
        assertThat(Sources.parse("rel/a.caffemodel").uri())
                .isEqualTo(Path.of("rel/a.caffemodel").toAbsolutePath().toUri());
        for (String bad : List.of("ftp://m.example/a", "", "http:///a", "https://m.example/a b", "file://host/x")) {
            assertThatThrownBy(() -> Sources.parse(bad)).isInstanceOf(IllegalArgumentException.class)
                    .satisfies(e -> assertThat(e.getMessage()).isNotBlank().doesNotContain("\n"));
        }
    }

    @Test
    void badOptionsAndChecksumsAreRefused() {
        assertThatThrownBy(() -> Downloader.builder().attemptsPerSource(0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Downloader.builder().stallTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> quick().build().fetch(List.of(http("/file")), target, Optional.of("abc")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64 hexadecimal digits");
        assertThat(requests).isEmpty();
    }
}
