package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.model.SegmenterOptions;
import ai.dilation4j.runtime.segment.SegmentationResult;
import ai.dilation4j.server.SegmentationService;
import ai.dilation4j.server.ServiceConfig;

/**
 * Out-of-range {@code serve} options are usage errors: exit 2 with one line naming the option, its range and the
 * value given, no stack trace, and nothing loaded (the model file named does not exist). The service answers every
 * PNG kind {@code segment --output} writes, under the same name.
 */
class ServeCommandTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--threads|0|--threads must be between 1 and 64 (got 0)",
            "--threads|-3|--threads must be between 1 and 64 (got -3)",
            "--threads|100000|--threads must be between 1 and 64 (got 100000)",
            "--queue|-1|--queue must be between 0 and 1024 (got -1)",
            "--port|70000|--port must be between 0 and 65535 (got 70000)",
            "--tile-batch|0|--tile-batch must be between 1 and 64 (got 0)",
            "--max-bytes|0|--max-bytes must be between 1 and 1073741824 (got 0)",
            "--max-pixels|0|--max-pixels must be at least 1 (got 0)",
            "--max-aspect-ratio|0.5|--max-aspect-ratio must be at least 1 (got 0.5)",
            "--max-connections|0|--max-connections must be between 1 and 65535 (got 0)",
            "--max-buffered-bytes|0|--max-buffered-bytes must be between 1 and 1099511627776 (got 0)",
            "--max-buffered-bytes|1000000|--max-buffered-bytes (1000000) must be at least --max-bytes (67108864)",
            "--header-timeout|0|--header-timeout must be between 1 and 3600 (got 0)",
            "--body-timeout|-5|--body-timeout must be between 1 and 3600 (got -5)",
            "--idle-timeout|7200|--idle-timeout must be between 1 and 3600 (got 7200)"})
    void outOfRangeOptionsAreUsageErrors(String option, String value, String message) {
        CliRun run = CliRun.of("serve", "--model", "no-such-model.zip", option, value);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().lines().findFirst()).as(run.toString()).hasValueSatisfying(
                line -> assertThat(line).contains(message));
        assertThat(run.err()).as("no stack trace").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void theBodyBudgetIsCheckedAgainstTheBodyLimitGiven() {
        CliRun run = CliRun.of("serve", "--model", "no-such-model.zip", "--max-bytes", "2000000",
                "--max-buffered-bytes", "1999999");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().lines().findFirst()).as(run.toString()).hasValueSatisfying(line -> assertThat(line)
                .contains("--max-buffered-bytes (1999999) must be at least --max-bytes (2000000)"));
        CliRun fits = CliRun.of("serve", "--model", "no-such-model.zip", "--max-bytes", "2000000",
                "--max-buffered-bytes", "2000000");
        assertThat(fits.exitCode()).as("the options pass, then the missing model fails: " + fits).isEqualTo(1);
    }

    @Test
    void helpStatesTheLimitsAndTimeouts() {
        CliRun help = CliRun.of("serve", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out().replaceAll("\\s+", " ")).contains("1 to 64", "own network graph", "0 to 1024",
                "--max-connections", "--header-timeout", "--body-timeout", "--idle-timeout", "408",
                "cancels its segmentation", "--max-buffered-bytes", "does not fit gets 503 at once");
    }

    @Test
    void theServiceAnswersEveryPngKindOfSegmentOutputByItsName(@TempDir Path dir) throws Exception {
        Path imageFile = TinyModel.image(dir.resolve("a.png"), 18, 26, 5);
        byte[] body = Files.readAllBytes(imageFile);
        BufferedImage image = ImageIO.read(imageFile.toFile());
        HttpClient client = HttpClient.newHttpClient();
        try (SegmentationModel model = SegmentationModel.load(TinyModel.converted());
             Segmenter segmenter = model.segmenter(SegmenterOptions.defaults());
             SegmentationService service = new SegmentationService(segmenter,
                     ServiceConfig.builder().host("127.0.0.1").port(0).build())) {
            service.start();
            SegmentationResult expected = segmenter.segment(imageFile);
            int[] labels = expected.labels();
            List<int[]> palette = expected.dataset().palette();
            assertThat(Arrays.stream(labels).distinct().count()).as("the image shows several classes").isGreaterThan(1);

            BufferedImage labelsPng = png(post(client, service, "labels", body, 200));
            BufferedImage colorPng = png(post(client, service, "color", body, 200));
            BufferedImage palettePng = png(post(client, service, "palette", body, 200));
            BufferedImage overlayPng = png(post(client, service, "overlay", body, 200));
            assertThat(palettePng.getColorModel()).isInstanceOf(IndexColorModel.class);
            IndexColorModel colors = (IndexColorModel) palettePng.getColorModel();
            for (int y = 0; y < 18; y++) {
                for (int x = 0; x < 26; x++) {
                    int label = labels[y * 26 + x];
                    int[] rgb = palette.get(label);
                    assertThat(labelsPng.getRaster().getSample(x, y, 0)).isEqualTo(label);
                    assertThat(rgb(colorPng.getRGB(x, y))).containsExactly(rgb);
                    assertThat(palettePng.getRaster().getSample(x, y, 0)).isEqualTo(label);
                    assertThat(rgb(colors.getRGB(label))).containsExactly(rgb);
                    int[] pixel = rgb(image.getRGB(x, y));
                    int[] blended = rgb(overlayPng.getRGB(x, y));
                    for (int c = 0; c < 3; c++) {
                        assertThat(Math.abs(2 * blended[c] - pixel[c] - rgb[c])).as("overlay at %d,%d", x, y)
                                .isLessThanOrEqualTo(1);
                    }
                }
            }
            assertThat(new String(post(client, service, "json", body, 200), StandardCharsets.UTF_8))
                    .contains("\"width\":26", "\"height\":18");
            for (String refused : List.of("prob", "LABELS", "bogus", "")) {
                assertThat(new String(post(client, service, refused, body, 400), StandardCharsets.UTF_8))
                        .contains("output must be one of json, color, labels, palette, overlay (got '" + refused + "')");
            }
        }
    }

    private static byte[] post(HttpClient client, SegmentationService service, String output, byte[] body,
                               int status) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = client.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + service.port() + "/segment?output=" + output))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as("output=%s: %s", output, new String(response.body(),
                StandardCharsets.UTF_8)).isEqualTo(status);
        return response.body();
    }

    private static BufferedImage png(byte[] bytes) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        assertThat(image).as("a PNG").isNotNull();
        assertThat(image.getWidth()).isEqualTo(26);
        assertThat(image.getHeight()).isEqualTo(18);
        return image;
    }

    private static int[] rgb(int argb) {
        return new int[] {(argb >> 16) & 0xff, (argb >> 8) & 0xff, argb & 0xff};
    }
}
