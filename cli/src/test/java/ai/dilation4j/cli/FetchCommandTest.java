package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;

import ai.dilation4j.models.ModelCache;
import ai.dilation4j.models.ModelRegistry;
import ai.dilation4j.models.ModelZoo;
import ai.dilation4j.runtime.DatasetSpec;

/**
 * {@code fetch} and {@code --model PRESET} through the model zoo, against a local HTTP server standing in for dl.yf.io
 * and mirrors, with a small preset ("tiny": {@link TinyModel}'s network with pascal_voc's dataset fields).
 */
class FetchCommandTest {

    @TempDir
    Path dir;
    private HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private byte[] weights;
    private byte[] otherWeights;
    private Path cache;
    private Path presetDir;

    @BeforeEach
    void serve() throws Exception {
        Path files = Files.createDirectories(dir.resolve("files"));
        Path prototxt = TinyModel.writeCaffeFiles(files);
        weights = Files.readAllBytes(files.resolve("tiny.caffemodel"));
        Path other = Files.createDirectories(dir.resolve("other"));
        TinyModel.writeCaffeFiles(other);
        CliRun reseeded = CliRun.of("random-weights", "--prototxt", prototxt.toString(), "-o",
                other.resolve("tiny.caffemodel").toString(), "--seed", "6");
        assertThat(reseeded.exitCode()).as(reseeded.toString()).isZero();
        otherWeights = Files.readAllBytes(other.resolve("tiny.caffemodel"));
        System.setProperty(ModelZoo.EXTRA_PRESETS_PROPERTY, writePreset(files, prototxt).toString());

        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            String path = exchange.getRequestURI().getPath();
            try (exchange) {
                if (path.startsWith("/good/")) {
                    exchange.sendResponseHeaders(200, weights.length);
                    exchange.getResponseBody().write(weights);
                } else if (path.startsWith("/unannounced-cut/")) {
                    // Without a length, the end of the body is the end of the connection: only conversion can tell.
                    exchange.sendResponseHeaders(200, 0);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(weights, 0, weights.length / 2);
                    }
                } else if (path.startsWith("/busy/")) {
                    exchange.sendResponseHeaders(503, -1);
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            }
        });
        server.start();
        cache = dir.resolve("cache");
        presetDir = cache.resolve("tiny");
        official("/good/");
    }

    @AfterEach
    void stop() {
        server.stop(0);
        System.clearProperty(ModelZoo.EXTRA_PRESETS_PROPERTY);
        System.clearProperty(ModelZoo.OFFICIAL_BASE_PROPERTY);
        System.clearProperty(ModelCache.PROPERTY);
    }

    @Test
    void fetchesVerifiesConvertsAndSaysWhereEachFileCameFrom() throws Exception {
        CliRun run = fetch();
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("tiny.caffemodel: from 127.0.0.1 (" + http("/good/tiny.caffemodel") + ")",
                weights.length + " bytes", "SHA-256 " + sha256(weights), "tiny_deploy.prototxt: bundled",
                "--model tiny");
        assertThat(run.err()).contains("Downloading from 127.0.0.1 (" + http("/good/tiny.caffemodel") + ")");
        assertThat(namesIn(presetDir)).containsExactlyInAnyOrder("model.zip", "weights.sha256");
        assertThat(presetDir.resolve("weights.sha256")).hasContent(sha256(weights) + "  tiny.caffemodel");
        assertThat(namesIn(cache)).as("no lock file left").containsExactly("tiny");

        CliRun again = fetch();
        assertThat(again.exitCode()).isZero();
        assertThat(again.out()).contains("already in the cache");
        assertThat(requests.get()).as("a cached model is not downloaded again").isEqualTo(1);
    }

    @Test
    void aSourceAnswering503OrRefusingGivesWayToTheNext() throws IOException {
        official("/busy/");
        CliRun run = fetch("--mirror", http("/good"));
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("from mirror " + http("/good") + " (" + http("/good/tiny.caffemodel") + ")");

        Files.delete(presetDir.resolve("model.zip"));
        String closed;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = "http://127.0.0.1:" + socket.getLocalPort() + "/";
        }
        System.setProperty(ModelZoo.OFFICIAL_BASE_PROPERTY, closed);
        CliRun refused = fetch("--mirror", http("/busy"), "--mirror", http("/good/"));
        assertThat(refused.exitCode()).as(refused.toString()).isZero();
        assertThat(refused.out()).contains("from mirror " + http("/good/") + " (" + http("/good/tiny.caffemodel") + ")");
    }

    @Test
    void whenEverySourceFailsOneMessageListsThemAndNamesFetchWeights() {
        official("/busy/");
        CliRun run = fetch("--mirror", http("/missing"));
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("127.0.0.1 (" + http("/busy/tiny.caffemodel") + "): HTTP 503 (3 attempts)",
                "mirror " + http("/missing") + " (" + http("/missing/tiny.caffemodel") + "): HTTP 404", "dilation4j fetch tiny --weights FILE")
                .doesNotContain("\tat ");
        assertThat(cache).as("no folder left behind").doesNotExist();
    }

    @Test
    void offlineNeverTouchesTheNetworkAndLeavesNoFolder() {
        CliRun run = fetch("--offline");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("(offline)", "127.0.0.1 (" + http("/good/tiny.caffemodel") + "): offline",
                "dilation4j fetch tiny --weights FILE");
        assertThat(requests.get()).isZero();
        assertThat(cache).doesNotExist();
    }

    @Test
    void importsACaffemodelYouHaveFromAPathOrAFileUrlOffline() throws IOException {
        Path file = dir.resolve("files/tiny.caffemodel");
        CliRun run = fetch("--offline", "--weights", file.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("from file (" + file.toUri() + ")");
        Files.delete(presetDir.resolve("model.zip"));
        CliRun url = fetch("--offline", "--weights", file.toUri().toString());
        assertThat(url.exitCode()).as(url.toString()).isZero();
        assertThat(presetDir.resolve("model.zip")).exists();
        assertThat(requests.get()).isZero();

        CliRun missing = fetch("--weights", dir.resolve("none.caffemodel").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("none.caffemodel", "does not exist");
    }

    @Test
    void aWeightsSourceOfAnotherSchemeIsAUsageError() {
        CliRun run = fetch("--weights", "ftp://127.0.0.1/tiny.caffemodel");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().strip().lines()).hasSize(1);
        assertThat(run.err()).contains("--weights", "ftp://127.0.0.1/tiny.caffemodel");
        assertThat(cache).doesNotExist();
    }

    @Test
    void aCorruptDownloadNeverReachesTheCache() throws IOException {
        official("/unannounced-cut/");
        CliRun run = fetch();
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains("does not convert", "not accepted", "deleted").doesNotContain("\tat ");
        assertThat(cache).doesNotExist();
    }

    @Test
    void theFirstAcceptedChecksumIsRecordedAndALaterDifferentFileRefusedUnlessAccepted() throws IOException {
        assertThat(fetch().exitCode()).isZero();
        byte[] model = Files.readAllBytes(presetDir.resolve("model.zip"));
        Path other = dir.resolve("other/tiny.caffemodel");

        CliRun refused = fetch("--weights", other.toString());
        assertThat(refused.exitCode()).isEqualTo(1);
        assertThat(refused.err()).contains("SHA-256 " + sha256(otherWeights), sha256(weights),
                "dilation4j fetch tiny --accept-new-weights");
        assertThat(presetDir.resolve("model.zip")).as("the cached model stays").hasBinaryContent(model);
        assertThat(presetDir.resolve("weights.sha256")).hasContent(sha256(weights) + "  tiny.caffemodel");

        CliRun accepted = fetch("--weights", other.toString(), "--accept-new-weights");
        assertThat(accepted.exitCode()).as(accepted.toString()).isZero();
        assertThat(presetDir.resolve("weights.sha256")).hasContent(sha256(otherWeights) + "  tiny.caffemodel");
        assertThat(Files.readAllBytes(presetDir.resolve("model.zip"))).isNotEqualTo(model);
    }

    @Test
    void segmentFetchesThePresetOnFirstUse() {
        System.setProperty(ModelCache.PROPERTY, cache.toString());
        CliRun offline = CliRun.of("segment", "--model", "tiny", "--offline", "-o", dir.resolve("out").toString(),
                TinyModel.image(dir.resolve("x.png"), 20, 24, 1).toString());
        assertThat(offline.exitCode()).isEqualTo(1);
        assertThat(offline.err()).contains("): offline", "dilation4j fetch tiny --weights FILE");

        CliRun run = CliRun.of("segment", "--model", "tiny", "-o", dir.resolve("out").toString(),
                dir.resolve("x.png").toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).contains("Fetching tiny.caffemodel for preset tiny",
                "Downloading from 127.0.0.1 (" + http("/good/tiny.caffemodel") + "), " + String.format(
                        java.util.Locale.ROOT, "%.1f MB", weights.length / 1e6));
        assertThat(dir.resolve("out/x_color.png")).exists();
        assertThat(presetDir.resolve("model.zip")).exists();
    }

    private void official(String path) {
        System.setProperty(ModelZoo.OFFICIAL_BASE_PROPERTY, http(path));
    }

    private String http(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    private CliRun fetch(String... extra) {
        return CliRun.of(Stream.concat(Stream.of("fetch", "tiny", "--cache", cache.toString()), Stream.of(extra))
                .toArray(String[]::new));
    }

    /** A preset file for the tiny network, with pascal_voc's dataset fields. */
    static Path writePreset(Path dir, Path prototxt) throws Exception {
        DatasetSpec voc = ModelRegistry.find("pascal_voc").orElseThrow().dataset();
        Map<String, Object> preset = new LinkedHashMap<>();
        preset.put("name", "tiny");
        preset.put("modelName", "tiny_dilated");
        preset.put("classes", voc.classNames());
        preset.put("palette", voc.palette());
        preset.put("meanBgr", voc.meanBgr());
        preset.put("labelMargin", voc.labelMargin());
        preset.put("zoom", voc.zoom());
        preset.put("inputHeight", 388);
        preset.put("inputWidth", 396);
        preset.put("prototxt", Map.of("resource", prototxt.getFileName().toString(),
                "sha256", sha256(Files.readAllBytes(prototxt))));
        preset.put("weights", Map.of("file", "tiny.caffemodel", "url", "http://dl.yf.io/dilation/models/tiny.caffemodel"));
        Path json = dir.resolve("tiny.json");
        new ObjectMapper().writeValue(json.toFile(), preset);
        return json;
    }

    static String sha256(byte[] bytes) throws IOException {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IOException(e);
        }
    }

    private static List<String> namesIn(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(p -> p.getFileName().toString()).toList();
        }
    }
}
