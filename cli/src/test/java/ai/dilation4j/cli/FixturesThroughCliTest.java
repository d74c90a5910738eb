package ai.dilation4j.cli;

import static ai.dilation4j.testing.BlobAssert.assertBlobClose;
import static ai.dilation4j.testing.BlobAssert.assertProbabilitiesClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import ai.dilation4j.runtime.io.Npy;
import ai.dilation4j.testing.RequiresSharedData;
import ai.dilation4j.testing.SharedData;

/**
 * Every fixture of {@code ../shared/fixtures} goes through {@code convert} and {@code forward --blobs all}, as a
 * user would run them, and every blob the fixture saved must match: {@code max|ours - ref| <= 1e-4 max|ref|},
 * {@code prob} within 1e-5.
 */
class FixturesThroughCliTest {

    static List<Path> fixtures() {
        return SharedData.fixtures();
    }

    @RequiresSharedData
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void convertAndForwardReproduceEverySavedBlob(Path fixture, @TempDir Path work) throws IOException, Exception {
        JsonNode manifest = new ObjectMapper().readTree(fixture.resolve("manifest.json").toFile());
        Path model = work.resolve("model.zip");
        CliRun convert = CliRun.of("convert", "--prototxt", fixture.resolve("deploy.prototxt").toString(),
                "--weights", fixture.resolve("weights.caffemodel").toString(), "-o", model.toString());
        assertEquals(0, convert.exitCode(), convert::toString);

        Path out = work.resolve("blobs");
        CliRun forward = CliRun.of("forward", "--model", model.toString(), "--input-npy",
                fixture.resolve("input_blob.npy").toString(), "--blobs", "all", "--out", out.toString());
        assertEquals(0, forward.exitCode(), forward::toString);

        List<Path> expected;
        try (Stream<Path> files = Files.list(fixture.resolve("blobs"))) {
            expected = files.filter(f -> f.toString().endsWith(".npy")).sorted().toList();
        }
        assertTrue(expected.size() > 0, "fixture has saved blobs");
        String outputBlob = manifest.path("output_blob").asText("prob");
        for (Path reference : expected) {
            String file = reference.getFileName().toString();
            Path ours = out.resolve(file);
            assertTrue(Files.exists(ours), () -> "forward wrote no " + file + "; it wrote " + list(out));
            INDArray expectedValue = Npy.read(reference);
            INDArray actual = Npy.read(ours);
            if (file.equals("prob.npy") && outputBlob.equals("prob")) {
                assertProbabilitiesClose(fixture.getFileName() + "/" + file, actual, expectedValue);
            } else {
                assertBlobClose(fixture.getFileName() + "/" + file, actual, expectedValue);
            }
        }
    }

    private static List<String> list(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            return List.of(e.toString());
        }
    }
}
