package ai.dilation4j.models;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import ai.dilation4j.converter.RandomCaffeModel;
import ai.dilation4j.runtime.model.SegmentationModel;

/** The zoo in Java, against a loopback server standing in for dl.yf.io, with a small test preset. */
class ModelZooTest {

    @TempDir
    Path dir;
    private HttpServer server;
    private final AtomicInteger weightsServed = new AtomicInteger();
    private byte[] weights;
    private ModelPreset tiny;

    @BeforeEach
    void serve() throws Exception {
        tiny = ModelRegistry.read(ModelZooTest.class.getResource("tiny/tiny.json"));
        Path prototxt = Files.write(dir.resolve("tiny_deploy.prototxt"), ModelZoo.pinnedPrototxt(tiny));
        RandomCaffeModel.write(prototxt, dir.resolve("tiny.caffemodel"), 5, RandomCaffeModel.Format.V2);
        weights = Files.readAllBytes(dir.resolve("tiny.caffemodel"));
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            try (exchange) {
                if (exchange.getRequestURI().getPath().startsWith("/good/")) {
                    weightsServed.incrementAndGet();
                    exchange.sendResponseHeaders(200, weights.length);
                    exchange.getResponseBody().write(weights);
                } else if (exchange.getRequestURI().getPath().startsWith("/stall/")) {
                    exchange.sendResponseHeaders(200, weights.length);
                    exchange.getResponseBody().write(weights, 0, weights.length / 2);
                    exchange.getResponseBody().flush();
                    Thread.sleep(30_000);
                } else {
                    exchange.sendResponseHeaders(404, -1);
                }
            } catch (InterruptedException | IOException e) {
                // the client went away
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private ModelZoo.Builder zoo(String officialPath) {
        return ModelZoo.builder().cache(dir.resolve("cache")).presets(List.of(tiny)).offline(false)
                .mirrors(List.of()).officialBase(URI.create(http(officialPath)));
    }

    private String http(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    @Test
    void loadFetchesOnFirstUseThenUsesTheCache() throws Exception {
        ModelZoo zoo = zoo("/good/").build();
        try (SegmentationModel model = zoo.load("tiny")) {
            assertThat(model.metadata().numClasses()).isEqualTo(21);
            assertThat(model.metadata().datasetSpec()).contains(tiny.dataset());
        }
        try (SegmentationModel again = zoo("/good/").offline(true).build().load("tiny")) {
            assertThat(again.metadata().name()).isEqualTo("tiny_dilated");
        }
        assertThat(weightsServed.get()).isEqualTo(1);
        assertThat(dir.resolve("cache/tiny/weights.sha256")).exists();
    }

    @Test
    void aStalledSourceGivesWayToAMirror() throws Exception {
        ModelZoo zoo = zoo("/stall/").mirrors(List.of(URI.create(http("/good/")))).stallTimeout(Duration.ofSeconds(1))
                .build();
        long started = System.nanoTime();
        ModelZoo.FetchedModel fetched = zoo.fetch("tiny", java.util.Optional.empty());
        assertThat(fetched.download().orElseThrow().source().label()).startsWith("mirror");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void aPublishedChecksumThatDoesNotMatchKeepsNothing() {
        ModelPreset published = new ModelPreset(tiny.name(), tiny.modelName(), tiny.dataset(), tiny.inputHeight(),
                tiny.inputWidth(), tiny.prototxt(), tiny.prototxtSha256(), tiny.weightsFile(), -1, tiny.weightsUrl(),
                "0".repeat(64));
        ModelZoo zoo = zoo("/good/").presets(List.of(published)).build();
        assertThatThrownBy(() -> zoo.modelFile("tiny")).isInstanceOf(ModelFetchException.class)
                .hasMessageContaining("SHA-256").hasMessageContaining("dilation4j fetch tiny --weights FILE");
        assertThat(dir.resolve("cache")).doesNotExist();
    }

    @Test
    void twoConcurrentFetchesOfOnePresetDownloadOnceAndShareTheModel() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Path>> fetches = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                fetches.add(pool.submit(() -> zoo("/good/").build().modelFile("tiny")));
            }
            Path first = fetches.get(0).get(120, TimeUnit.SECONDS);
            assertThat(fetches.get(1).get(120, TimeUnit.SECONDS)).isEqualTo(first);
            assertThat(weightsServed.get()).as("the second fetch waited and took the cached model").isEqualTo(1);
            try (SegmentationModel model = SegmentationModel.load(first)) {
                assertThat(model.metadata().numClasses()).isEqualTo(21);
            }
            assertThat(dir.resolve("cache/.tiny.lock")).doesNotExist();
        } finally {
            pool.shutdownNow();
        }
    }
}
