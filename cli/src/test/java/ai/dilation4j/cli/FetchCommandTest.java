package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code fetch} against a local HTTP server serving a small network's files. */
class FetchCommandTest {

    @TempDir
    Path dir;
    private ServerSocket server;
    private final AtomicInteger requests = new AtomicInteger();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private byte[] prototxt;
    private byte[] weights;
    private Path cache;
    private Path presetDir;

    @BeforeEach
    void serve() throws IOException {
        Path prototxtFile = TinyModel.writeCaffeFiles(dir);
        prototxt = Files.readAllBytes(prototxtFile);
        weights = Files.readAllBytes(dir.resolve("tiny.caffemodel"));
        cache = dir.resolve("cache");
        presetDir = cache.resolve("pascal_voc");
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread thread = new Thread(this::acceptConnections, "test-http");
        thread.setDaemon(true);
        thread.start();
    }

    @AfterEach
    void stop() throws IOException {
        stopped.countDown();
        server.close();
    }

    private void acceptConnections() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                Thread handler = new Thread(() -> respond(socket), "test-http-connection");
                handler.setDaemon(true);
                handler.start();
            } catch (IOException e) {
                // server closed
            }
        }
    }

    /**
     * A minimal HTTP/1.0 server that closes every connection, so a body shorter than its Content-Length reaches
     * the client as a cut connection, as when a real download is interrupted.
     */
    private void respond(Socket connection) {
        try (Socket socket = connection) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            String path = in.readLine().split(" ")[1];
            while (!in.readLine().isEmpty()) {
                // skip the request headers
            }
            requests.incrementAndGet();
            OutputStream out = socket.getOutputStream();
            byte[] body = path.equals("/deploy.prototxt") ? prototxt : weights;
            switch (path) {
                case "/deploy.prototxt", "/weights.caffemodel" -> {
                    write(out, "HTTP/1.0 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
                    out.write(body);
                }
                case "/cut.caffemodel" -> {
                    write(out, "HTTP/1.0 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
                    out.write(body, 0, body.length / 2);
                }
                // Without a Content-Length the end of the connection ends the body: only conversion can tell.
                case "/unannounced-cut.caffemodel" -> {
                    write(out, "HTTP/1.0 200 OK\r\n\r\n");
                    out.write(body, 0, body.length / 2);
                }
                case "/moved.caffemodel" ->
                        write(out, "HTTP/1.0 302 Found\r\nLocation: /weights.caffemodel\r\nContent-Length: 0\r\n\r\n");
                case "/stall.caffemodel" -> {
                    write(out, "HTTP/1.0 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n");
                    out.write(body, 0, body.length / 2);
                    out.flush();
                    stopped.await(60, TimeUnit.SECONDS);
                }
                default -> write(out, "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            // connection ended; the client's outcome is what the tests check
        }
    }

    private static void write(OutputStream out, String head) throws IOException {
        out.write(head.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void downloadsVerifiesConvertsAndCachesThePreset() throws Exception {
        String sha256 = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(weights));
        CliRun run = fetch("/weights.caffemodel", "--weights-sha256", sha256.toUpperCase(Locale.ROOT));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(presetDir.resolve("dilation8_pascal_voc_deploy.prototxt")).hasBinaryContent(prototxt);
        assertThat(presetDir.resolve("dilation8_pascal_voc.caffemodel")).hasBinaryContent(weights);
        assertThat(presetDir.resolve("dilation8_pascal_voc.caffemodel.sha256"))
                .hasContent(sha256 + "  dilation8_pascal_voc.caffemodel");
        assertThat(presetDir.resolve("dilation8_pascal_voc_deploy.prototxt.sha256")).exists();
        assertThat(presetDir.resolve("model.zip")).exists();
        assertThat(namesIn(presetDir)).hasSize(5);
        assertThat(run.out()).contains("--model pascal_voc");
        assertThat(requests.get()).isEqualTo(2);

        assertThat(fetch("/weights.caffemodel").exitCode()).isZero();
        assertThat(requests.get()).as("cached files are not downloaded again").isEqualTo(2);

        System.setProperty("dilation4j.cache", cache.toString());
        try {
            CliRun segment = CliRun.of("segment", "--model", "pascal_voc", "-o", dir.resolve("out").toString(),
                    TinyModel.image(dir.resolve("x.png"), 20, 24, 1).toString());
            assertThat(segment.exitCode()).as(segment.toString()).isZero();
            assertThat(dir.resolve("out/x_color.png")).exists();
        } finally {
            System.clearProperty("dilation4j.cache");
        }
    }

    @Test
    void aWrongChecksumKeepsNothing() {
        CliRun run = fetch("/weights.caffemodel", "--weights-sha256", "0".repeat(64));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("SHA-256", "was expected", "not kept");
        assertNothingKept();
    }

    @Test
    void anInterruptedDownloadIsNeverTakenForAComplete() {
        CliRun run = fetch("/cut.caffemodel");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("cut.caffemodel", "was cut short", "Run the command again");
        assertNothingKept();
        assertThat(fetch("/weights.caffemodel").exitCode()).as("a later fetch completes").isZero();
    }

    @Test
    void aTruncatedCaffemodelThatFailsConversionIsNotKeptNorReused() {
        CliRun run = fetch("/unannounced-cut.caffemodel");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("dilation8_pascal_voc.caffemodel", "not kept: dilation8_pascal_voc_deploy.prototxt, "
                + "dilation8_pascal_voc.caffemodel").doesNotContain("\tat ");
        assertNothingKept();

        CliRun again = fetch("/weights.caffemodel");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(requests.get()).as("both files are downloaded again").isEqualTo(4);
        assertThat(presetDir.resolve("dilation8_pascal_voc.caffemodel")).hasBinaryContent(weights);
    }

    @Test
    void aCachedFileIsReusedOnlyWhileItsRecordedChecksumHolds() throws IOException {
        assertThat(fetch("/weights.caffemodel").exitCode()).isZero();
        Path model = presetDir.resolve("model.zip");
        Path caffemodel = presetDir.resolve("dilation8_pascal_voc.caffemodel");

        Files.delete(model);
        assertThat(fetch("/weights.caffemodel").exitCode()).isZero();
        assertThat(requests.get()).as("verified files are converted again without a download").isEqualTo(2);

        Files.delete(model);
        Files.write(caffemodel, Arrays.copyOf(weights, weights.length / 2));
        assertThat(fetch("/weights.caffemodel").exitCode()).isZero();
        assertThat(requests.get()).as("a caffemodel changed since it was verified is downloaded again").isEqualTo(3);
        assertThat(caffemodel).hasBinaryContent(weights);

        // As earlier versions left them: a cut caffemodel under its final name, with no record.
        Files.delete(model);
        Files.delete(presetDir.resolve("dilation8_pascal_voc.caffemodel.sha256"));
        Files.write(caffemodel, Arrays.copyOf(weights, weights.length / 2));
        CliRun run = fetch("/weights.caffemodel");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(requests.get()).as("a caffemodel with no record is downloaded again").isEqualTo(4);
        assertThat(caffemodel).hasBinaryContent(weights);
    }

    @Test
    void httpErrorsNameTheAddress() {
        CliRun run = fetch("/missing.caffemodel");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("missing.caffemodel", "HTTP 404");
        assertNothingKept();
    }

    @Test
    void followsRedirects() {
        CliRun run = fetch("/moved.caffemodel");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(presetDir.resolve("dilation8_pascal_voc.caffemodel")).hasBinaryContent(weights);
        assertThat(requests.get()).isEqualTo(3);
    }

    @Test
    void aFileUrlPutsACaffemodelYouHaveIntoTheCache() {
        CliRun run = fetchFrom(http("/deploy.prototxt"), dir.resolve("tiny.caffemodel").toUri().toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(presetDir.resolve("dilation8_pascal_voc.caffemodel")).hasBinaryContent(weights);
        assertThat(presetDir.resolve("model.zip")).exists();
        assertThat(requests.get()).as("only the prototxt came over HTTP").isEqualTo(1);

        CliRun missing = fetchFrom(http("/deploy.prototxt"), dir.resolve("none.caffemodel").toUri().toString(),
                "--force");
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("none.caffemodel", "does not exist");
    }

    @Test
    void otherSchemesAreAUsageError() {
        CliRun run = fetchFrom(http("/deploy.prototxt"), "ftp://127.0.0.1/weights.caffemodel");
        assertUsageError(run, "--weights-url ftp://127.0.0.1/weights.caffemodel", "http, https or file");

        assertUsageError(fetchFrom("weights/deploy.prototxt", http("/weights.caffemodel")), "--prototxt-url",
                "file:///");
    }

    @Test
    void aChecksumMustBe64HexDigits() {
        assertUsageError(fetch("/weights.caffemodel", "--weights-sha256", "zz"), "'zz'", "64 hexadecimal digits");
        assertUsageError(fetch("/weights.caffemodel", "--weights-sha256", "g".repeat(64)), "64 hexadecimal digits");
    }

    @Test
    void aFailedFetchLeavesNoDirectoryBehind() throws IOException {
        String offline;
        try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            offline = "http://127.0.0.1:" + closed.getLocalPort();
        }
        CliRun run = fetchFrom(offline + "/deploy.prototxt", offline + "/weights.caffemodel");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("deploy.prototxt", "cannot connect").doesNotContain("\tat ");
        assertThat(cache).as("the cache root this fetch created").doesNotExist();

        Files.createDirectories(cache);
        assertThat(fetchFrom(offline + "/deploy.prototxt", offline + "/weights.caffemodel").exitCode()).isEqualTo(1);
        assertThat(cache).as("a cache root that was there stays").isDirectory();
        assertThat(presetDir).doesNotExist();
    }

    @Test
    void aStalledDownloadFailsInsteadOfHanging() throws IOException {
        Files.createDirectories(presetDir);
        Path target = presetDir.resolve("stalled.caffemodel");
        long started = System.nanoTime();
        assertThatThrownBy(() -> new Downloader(Duration.ofSeconds(1)).download(URI.create(http("/stall.caffemodel")),
                target, null, (received, total) -> { }))
                .isInstanceOf(Downloader.DownloadException.class)
                .hasMessageContainingAll("stalled", "after " + weights.length / 2 + " bytes");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(30));
        assertThat(namesIn(presetDir)).isEmpty();
    }

    private String http(String path) {
        return "http://127.0.0.1:" + server.getLocalPort() + path;
    }

    private CliRun fetch(String weightsPath, String... extra) {
        return fetchFrom(http("/deploy.prototxt"), http(weightsPath), extra);
    }

    private CliRun fetchFrom(String prototxtUrl, String weightsUrl, String... extra) {
        String[] args = Stream.concat(Stream.of("fetch", "pascal_voc", "--cache", cache.toString(),
                "--prototxt-url", prototxtUrl, "--weights-url", weightsUrl), Stream.of(extra)).toArray(String[]::new);
        return CliRun.of(args);
    }

    private void assertUsageError(CliRun run, String... messageParts) {
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err()).as(run.toString()).contains(messageParts);
        assertThat(run.err().strip().lines()).as("one line").hasSize(1);
        assertThat(cache).as("nothing is created").doesNotExist();
        assertThat(requests.get()).isZero();
    }

    /** No source file, record, model or temporary file of the preset is left. */
    private void assertNothingKept() {
        if (Files.exists(cache)) {
            try (Stream<Path> files = Files.walk(cache)) {
                assertThat(files.filter(Files::isRegularFile)).isEmpty();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
        assertThat(presetDir).doesNotExist();
    }

    private static Stream<String> namesIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).toList().stream();
        }
    }
}
