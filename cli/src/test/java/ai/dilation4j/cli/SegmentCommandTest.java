package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.ndarray.INDArray;

import ai.dilation4j.runtime.io.Npy;

class SegmentCommandTest {

    @TempDir
    static Path shared;
    static Path model;

    @TempDir
    Path dir;

    @BeforeAll
    static void convertTinyModel() throws Exception {
        model = TinyModel.convert(shared);
    }

    @Test
    void segmentsADirectoryWritingEveryOutputAndAJsonLinePerImage() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        TinyModel.image(images.resolve("a.png"), 40, 30, 1);
        TinyModel.image(images.resolve("b.jpg"), 17, 50, 2);
        Files.writeString(images.resolve("notes.txt"), "not an image");
        Path out = dir.resolve("out");
        Path json = dir.resolve("results.jsonl");
        CliRun run = CliRun.of("segment", "--model", model.toString(), "-o", out.toString(), "--output",
                "color,labels,prob,overlay", "--json", json.toString(), images.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();

        for (String stem : List.of("a", "b")) {
            for (String suffix : List.of("_color.png", "_labels.png", "_overlay.png", "_prob.npy")) {
                assertThat(out.resolve(stem + suffix)).exists();
            }
        }
        assertThat(out.resolve("notes_color.png")).doesNotExist();
        try (Mat color = opencv_imgcodecs.imread(out.resolve("b_color.png").toString(), opencv_imgcodecs.IMREAD_UNCHANGED);
             Mat labels = opencv_imgcodecs.imread(out.resolve("b_labels.png").toString(), opencv_imgcodecs.IMREAD_UNCHANGED)) {
            assertThat(new int[] {color.rows(), color.cols(), color.channels()}).containsExactly(17, 50, 3);
            assertThat(new int[] {labels.rows(), labels.cols(), labels.channels()}).containsExactly(17, 50, 1);
        }
        INDArray prob = Npy.read(out.resolve("a_prob.npy"));
        assertThat(prob.shape()).containsExactly(21, 40, 30);
        assertThat(prob.sum(0).minNumber().doubleValue()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-4));

        List<String> lines = Files.readAllLines(json);
        assertThat(lines).hasSize(2);
        JsonNode first = new ObjectMapper().readTree(lines.get(0));
        assertThat(first.path("image").asText()).endsWith("a.png");
        assertThat(first.path("width").asInt()).isEqualTo(30);
        double sum = 0;
        for (JsonNode fraction : first.path("class_fractions")) {
            sum += fraction.asDouble();
        }
        assertThat(sum).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(first.path("class_fractions").has("aeroplane")).isTrue();
        assertThat(first.path("timings_ms").path("forward").asDouble()).isPositive();
        assertThat(first.path("timings_ms").has("total")).isTrue();
        assertThat(run.out()).as("JSON went to the file").isEmpty();
    }

    @Test
    void aBadImageIsReportedAndSkippedAndTheExitCodeSaysSo() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        TinyModel.image(images.resolve("good.png"), 20, 20, 3);
        Files.write(images.resolve("broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        Path good = TinyModel.image(dir.resolve("full.jpg"), 30, 30, 4);
        byte[] jpeg = Files.readAllBytes(good);
        Files.write(images.resolve("truncated.jpg"), java.util.Arrays.copyOf(jpeg, 40));
        Path out = dir.resolve("out");
        CliRun run = CliRun.of("segment", "--model", model.toString(), "-o", out.toString(), images.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(SegmentCommand.SOME_FAILED);
        assertThat(run.err()).contains("skipped " + images.resolve("broken.png"), "Cannot decode image",
                "skipped " + images.resolve("truncated.jpg"), "2 of 3 images failed");
        assertThat(out.resolve("good_labels.png")).exists();
        assertThat(out.resolve("broken_labels.png")).doesNotExist();
        assertThat(run.out().lines()).hasSize(1);
    }

    @Test
    void grayscaleAlphaAndSixteenBitImagesAreConvertedAndSaidSo() throws Exception {
        Path gray = dir.resolve("gray.png");
        Path rgba = dir.resolve("rgba.png");
        Path deep = dir.resolve("deep.png");
        try (Mat g = new Mat(12, 14, opencv_core.CV_8UC1);
             Mat a = new Mat(12, 14, opencv_core.CV_8UC4);
             Mat d = new Mat(12, 14, opencv_core.CV_16UC3)) {
            ByteBuffer gb = g.createBuffer();
            for (int i = 0; i < 12 * 14; i++) {
                gb.put(i, (byte) (i * 3));
            }
            ByteBuffer ab = a.createBuffer();
            for (int i = 0; i < 12 * 14 * 4; i++) {
                ab.put(i, (byte) (i * 7));
            }
            ShortBuffer db = d.createBuffer();
            for (int i = 0; i < 12 * 14 * 3; i++) {
                db.put(i, (short) (i * 300));
            }
            assertThat(opencv_imgcodecs.imwrite(gray.toString(), g)).isTrue();
            assertThat(opencv_imgcodecs.imwrite(rgba.toString(), a)).isTrue();
            assertThat(opencv_imgcodecs.imwrite(deep.toString(), d)).isTrue();
        }
        CliRun run = CliRun.of("segment", "--model", model.toString(), "-o", dir.resolve("out").toString(),
                gray.toString(), rgba.toString(), deep.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.err()).contains("gray.png: grayscale image replicated to 3 channels",
                "rgba.png: alpha channel ignored", "deep.png: 16-bit image reduced to 8 bits per channel");
        assertThat(run.out()).contains("\"conversions\":[\"grayscale image replicated to 3 channels\"]");
    }

    @Test
    void unusableArgumentsFailClearly() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        CliRun noImages = CliRun.of("segment", "--model", model.toString(), empty.toString());
        assertThat(noImages.exitCode()).isEqualTo(1);
        assertThat(noImages.err()).contains("holds no image files");

        CliRun missing = CliRun.of("segment", "--model", model.toString(), dir.resolve("nope.png").toString());
        assertThat(missing.exitCode()).isEqualTo(1);
        assertThat(missing.err()).contains("nope.png does not exist");

        System.setProperty("dilation4j.cache", dir.resolve("cache").toString());
        try {
            CliRun notFetched = CliRun.of("segment", "--model", "cityscapes", "--offline", empty.toString());
            assertThat(notFetched.exitCode()).isEqualTo(1);
            assertThat(notFetched.err()).contains("Cannot fetch dilation10_cityscapes.caffemodel for preset "
                    + "cityscapes (offline)", "dl.yf.io (http://dl.yf.io/dilation/models/dilation10_cityscapes"
                    + ".caffemodel): offline", "dilation4j fetch cityscapes --weights FILE");
            assertThat(dir.resolve("cache")).as("nothing created").doesNotExist();
        } finally {
            System.clearProperty("dilation4j.cache");
        }

        CliRun wrongPreset = CliRun.of("segment", "--model", model.toString(), "--preset", "cityscapes",
                TinyModel.image(dir.resolve("x.png"), 10, 10, 9).toString());
        assertThat(wrongPreset.exitCode()).isEqualTo(1);
        assertThat(wrongPreset.err()).contains("19 classes", "outputs 21");
    }
}
