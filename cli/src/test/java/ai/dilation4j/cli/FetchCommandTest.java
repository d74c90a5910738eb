package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
    private byte[] prototxt;
    private byte[] weights;
    private Path cache;

    @BeforeEach
    void serve() throws IOException {
        Path prototxtFile = TinyModel.writeCaffeFiles(dir);
        prototxt = Files.readAllBytes(prototxtFile);
        weights = Files.readAllBytes(dir.resolve("tiny.caffemodel"));
        cache = dir.resolve("cache");
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread thread = new Thread(this::serveRequests, "test-http");
        thread.setDaemon(true);
        thread.start();
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    /**
     * A minimal HTTP/1.0 server that closes every connection, so a body shorter than its Content-Length reaches
     * the client as a cut connection, as when a real download is interrupted.
     */
    private void serveRequests() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.ISO_8859_1));
                String path = in.readLine().split(" ")[1];
                while (!in.readLine().isEmpty()) {
                    // skip the request headers
                }
                requests.incrementAndGet();
                OutputStream out = socket.getOutputStream();
                byte[] body = path.equals("/deploy.prototxt") ? prototxt : weights;
                if (!path.equals("/deploy.prototxt") && !path.equals("/weights.caffemodel")
                        && !path.equals("/cut.caffemodel")) {
                    out.write("HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    continue;
                }
                out.write(("HTTP/1.0 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.write(body, 0, path.equals("/cut.caffemodel") ? body.length / 2 : body.length);
            } catch (IOException | RuntimeException e) {
                // connection ended; the client's outcome is what the tests check
            }
        }
    }

    @Test
    void downloadsVerifiesConvertsAndCachesThePreset() throws Exception {
        CliRun run = fetch("/weights.caffemodel");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        Path presetDir = cache.resolve("pascal_voc");
        assertThat(presetDir.resolve("dilation8_pascal_voc_deploy.prototxt")).hasBinaryContent(prototxt);
        assertThat(presetDir.resolve("dilation8_pascal_voc.caffemodel")).hasBinaryContent(weights);
        assertThat(presetDir.resolve("model.zip")).exists();
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
        assertNoCaffemodelLeft();
    }

    @Test
    void anInterruptedDownloadIsNeverTakenForAComplete() {
        CliRun run = fetch("/cut.caffemodel");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("cut.caffemodel", "was cut short", "Run the command again");
        assertNoCaffemodelLeft();
        assertThat(fetch("/weights.caffemodel").exitCode()).as("a later fetch completes").isZero();
    }

    @Test
    void httpErrorsNameTheAddress() {
        CliRun run = fetch("/missing.caffemodel");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("missing.caffemodel", "HTTP 404");
        assertNoCaffemodelLeft();
    }

    private CliRun fetch(String weightsPath, String... extra) {
        String base = "http://127.0.0.1:" + server.getLocalPort();
        String[] args = Stream.concat(Stream.of("fetch", "pascal_voc", "--cache", cache.toString(),
                "--prototxt-url", base + "/deploy.prototxt", "--weights-url", base + weightsPath),
                Stream.of(extra)).toArray(String[]::new);
        return CliRun.of(args);
    }

    private void assertNoCaffemodelLeft() {
        try (Stream<Path> files = Files.walk(cache)) {
            assertThat(files.map(Path::getFileName).map(Path::toString)
                    .filter(name -> name.contains("caffemodel") || name.equals("model.zip"))).isEmpty();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

}
