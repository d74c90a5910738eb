package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate} on a labelled set whose labels are the model's own predictions with known changes: some
 * pixels moved to another class, some set to the ignore value. The confusion counts and scores are known exactly.
 */
class EvaluateCommandTest {

    private static final int CLASSES = 21;

    @Test
    void countsAndScoresAreExact(@TempDir Path dir) throws Exception {
        Path model = TinyModel.convert(dir);
        Path images = Files.createDirectories(dir.resolve("images"));
        Path labels = Files.createDirectories(dir.resolve("labels"));
        Path predicted = dir.resolve("predicted");
        TinyModel.image(images.resolve("a.png"), 40, 30, 11);
        TinyModel.image(images.resolve("b.jpg"), 24, 36, 12);
        assertThat(CliRun.of("segment", "--model", model.toString(), "-o", predicted.toString(), "--output", "labels",
                images.toString()).exitCode()).isZero();

        long[][] expected = new long[CLASSES][CLASSES];
        for (String stem : new String[] {"a", "b"}) {
            int[] prediction = SegmentFixturesTest.pixels(predicted.resolve(stem + "_labels.png"));
            int[] truth = prediction.clone();
            for (int i = 0; i < 100; i++) {
                truth[i] = (prediction[i] + 1 + i % 3) % CLASSES;
            }
            for (int i = 100; i < 150; i++) {
                truth[i] = 255;
            }
            for (int i = 0; i < truth.length; i++) {
                if (truth[i] != 255) {
                    expected[truth[i]][prediction[i]]++;
                }
            }
            int width = stem.equals("a") ? 30 : 36;
            writeLabels(labels.resolve(stem + ".png"), truth, truth.length / width, width);
        }

        Path json = dir.resolve("scores.json");
        CliRun run = CliRun.of("evaluate", "--model", model.toString(), "--images", images.toString(), "--labels",
                labels.toString(), "--ignore", "255", "--json", json.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("Mean IoU", "Pixel accuracy", "Mean class accuracy", "Images 2");

        JsonNode scores = new ObjectMapper().readTree(json.toFile());
        long total = 40 * 30 + 24 * 36 - 2 * 50;
        assertThat(scores.path("pixels").asLong()).isEqualTo(total);
        for (int t = 0; t < CLASSES; t++) {
            for (int p = 0; p < CLASSES; p++) {
                assertThat(scores.path("confusion").get(t).get(p).asLong()).as("truth %d predicted %d", t, p)
                        .isEqualTo(expected[t][p]);
            }
        }
        assertThat(scores.path("pixel_accuracy").asDouble()).isCloseTo((total - 200.0) / total, within(1e-12));
        double iouSum = 0;
        int present = 0;
        for (int c = 0; c < CLASSES; c++) {
            long truthCount = 0;
            long predictedCount = 0;
            for (int k = 0; k < CLASSES; k++) {
                truthCount += expected[c][k];
                predictedCount += expected[k][c];
            }
            long union = truthCount + predictedCount - expected[c][c];
            if (union > 0) {
                iouSum += (double) expected[c][c] / union;
                present++;
            }
        }
        assertThat(scores.path("mean_iou").asDouble()).isCloseTo(iouSum / present, within(1e-12));
    }

    @Test
    void colorLabelImagesAreReportedAndUnlabelledImagesCountedNotScored(@TempDir Path dir) throws Exception {
        Path model = TinyModel.convert(dir);
        Path images = Files.createDirectories(dir.resolve("images"));
        Path labels = Files.createDirectories(dir.resolve("labels"));
        TinyModel.image(images.resolve("a.png"), 20, 20, 1);
        TinyModel.image(images.resolve("b.png"), 20, 20, 2);
        TinyModel.image(images.resolve("c.png"), 20, 20, 4);
        TinyModel.image(labels.resolve("a.png"), 20, 20, 3);
        writeLabels(labels.resolve("c.png"), new int[400], 20, 20);
        CliRun run = CliRun.of("evaluate", "--model", model.toString(), "--images", images.toString(), "--labels",
                labels.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(SegmentCommand.SOME_FAILED);
        assertThat(run.err()).contains("a.png is an RGB color image", "1 of 3 images have no label in " + labels)
                .doesNotContain("b.png");
        assertThat(run.out()).contains("Images 1, labelled pixels 400");
    }

    @Test
    void aVocStyleListChoosesTheImagesAndReportsListedOnesWithoutALabel(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("JPEGImages"));
        Path labels = Files.createDirectories(dir.resolve("SegmentationClass"));
        for (String stem : new String[] {"2007_000001", "2007_000002", "2007_000003", "2007_000004"}) {
            TinyModel.image(images.resolve(stem + ".jpg"), 20, 20, stem.hashCode());
            if (!stem.equals("2007_000004")) {
                writeLabels(labels.resolve(stem + ".png"), new int[400], 20, 20);
            }
        }
        Path list = Files.writeString(dir.resolve("val.txt"), "2007_000001\n2007_000003\n2007_000004\n");
        CliRun run = CliRun.of("evaluate", "--model", TinyModel.converted().toString(), "--images", images.toString(),
                "--labels", labels.toString(), "--list", list.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(SegmentCommand.SOME_FAILED);
        assertThat(run.err().lines().filter(line -> line.startsWith("dilation4j evaluate"))).containsExactly(
                "dilation4j evaluate: skipped " + images.resolve("2007_000004.jpg")
                + ": no label image named 2007_000004.* in " + labels);
        assertThat(run.out()).contains("Images 2, labelled pixels 800");
    }

    @Test
    void aListedStemWithoutAnImageIsRefusedByListLineAndStemBeforeAnythingRuns(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("JPEGImages"));
        Path labels = Files.createDirectories(dir.resolve("SegmentationClass"));
        for (String stem : new String[] {"2007_000001", "2007_000003"}) {
            Files.writeString(images.resolve(stem + ".jpg"), "never decoded");
            Files.writeString(labels.resolve(stem + ".png"), "never decoded");
        }
        Path list = Files.writeString(dir.resolve("val.txt"), "2007_000001\n\n 2007_000009 \n2007_000003\n2008_000100\n");
        Path json = dir.resolve("scores.json");
        // The model does not exist: the list is checked before it would be loaded.
        CliRun run = CliRun.of("evaluate", "--model", dir.resolve("absent.zip").toString(), "--images",
                images.toString(), "--labels", labels.toString(), "--list", list.toString(), "--json", json.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err().lines()).containsExactly("dilation4j evaluate: error: List " + list + " line 3 names "
                + "2007_000009, but " + images + " holds no image with that file stem, nor for 1 more of the list's 4 "
                + "stems; is the list for this image directory?");
        assertThat(run.out()).isEmpty();
        assertThat(json).doesNotExist();
    }

    private static void writeLabels(Path file, int[] values, int height, int width) {
        try (Mat mat = new Mat(height, width, opencv_core.CV_8UC1)) {
            ByteBuffer bytes = mat.createBuffer();
            for (int i = 0; i < values.length; i++) {
                bytes.put(i, (byte) values[i]);
            }
            assertThat(opencv_imgcodecs.imwrite(file.toString(), mat)).isTrue();
        }
    }
}
