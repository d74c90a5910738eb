package ai.dilation4j.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.awt.image.WritableRaster;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.runtime.segment.SegmentationResult;
import ai.dilation4j.runtime.testing.SyntheticImages;

/**
 * Any {@link BufferedImage} is segmented as OpenCV would decode the same pixels: sub-images (whose raster is a
 * window on a larger buffer), color types with and without alpha, 8- and 16-bit gray. And every result's
 * timings are complete.
 */
class JavaImageInputsTest {

    private static final int HEIGHT = 30;
    private static final int WIDTH = 44;

    @Test
    void everyImageTypeAndSubImageGivesTheLabelsOfTheSamePixelsAsBgr(@TempDir Path dir) throws Exception {
        Random random = new Random(11);
        int[] rgb = new int[HEIGHT * WIDTH];
        for (int i = 0; i < rgb.length; i++) {
            rgb[i] = random.nextInt(1 << 24);
        }
        int[] gray16 = new int[HEIGHT * WIDTH];
        for (int i = 0; i < gray16.length; i++) {
            gray16[i] = random.nextInt(1 << 16);
        }
        try (SegmentationModel model = SegmentationModel.load(TinyGraph.tiled(dir.resolve("tiny.zip")));
             Segmenter segmenter = model.segmenter(SegmenterOptions.defaults());
             Mat colorMat = bgrMat(rgb);
             Mat grayMat = grayMat(gray16)) {
            int[] color = segmenter.segment(colorMat).labels();
            int[] gray = segmenter.segment(grayMat).labels();

            BufferedImage large = new BufferedImage(WIDTH + 9, HEIGHT + 7, BufferedImage.TYPE_3BYTE_BGR);
            large.setRGB(5, 4, WIDTH, HEIGHT, rgb, 0, WIDTH);
            assertThat(segmenter.segment(large.getSubimage(5, 4, WIDTH, HEIGHT)).labels()).as("sub-image")
                    .isEqualTo(color);
            for (int type : new int[] {BufferedImage.TYPE_INT_RGB, BufferedImage.TYPE_INT_BGR,
                    BufferedImage.TYPE_3BYTE_BGR, BufferedImage.TYPE_INT_ARGB, BufferedImage.TYPE_4BYTE_ABGR}) {
                BufferedImage image = new BufferedImage(WIDTH, HEIGHT, type);
                int[] withAlpha = rgb.clone();
                for (int i = 0; i < withAlpha.length; i++) {
                    withAlpha[i] |= random.nextInt(256) << 24; // ignored, as IMREAD_COLOR ignores alpha
                }
                image.setRGB(0, 0, WIDTH, HEIGHT, withAlpha, 0, WIDTH);
                SegmentationResult result = segmenter.segment(image);
                assertThat(result.labels()).as("type %d", type).isEqualTo(color);
                assertThat(result.conversions().contains("alpha channel ignored")).isEqualTo(image.getColorModel().hasAlpha());
            }
            BufferedImage sixteen = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_USHORT_GRAY);
            sixteen.getRaster().setSamples(0, 0, WIDTH, HEIGHT, 0, gray16);
            assertThat(segmenter.segment(sixteen).labels()).as("16-bit gray").isEqualTo(gray);
            BufferedImage eight = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_BYTE_GRAY);
            WritableRaster raster = eight.getRaster();
            for (int i = 0; i < gray16.length; i++) {
                raster.setSample(i % WIDTH, i / WIDTH, 0, gray16[i] >> 8);
            }
            assertThat(segmenter.segment(eight).labels()).as("8-bit gray, raw samples").isEqualTo(gray);
        }
    }

    @Test
    void timingsIncludeDecodingAndATotal(@TempDir Path dir) throws Exception {
        Path image = SyntheticImages.scene(dir.resolve("scene.png"), HEIGHT, WIDTH, 2);
        try (SegmentationModel model = SegmentationModel.load(TinyGraph.tiled(dir.resolve("tiny.zip")));
             Segmenter segmenter = model.segmenter(SegmenterOptions.defaults())) {
            for (SegmentationResult result : new SegmentationResult[] {segmenter.segment(image),
                    segmenter.segment(Files.readAllBytes(image))}) {
                Map<String, Double> timings = result.timingsMs();
                assertThat(timings).containsKeys("decode", "preprocess", "forward", "postprocess", "total");
                assertThat(timings.get("decode")).isPositive();
                double stages = timings.entrySet().stream().filter(e -> !e.getKey().equals("total"))
                        .mapToDouble(Map.Entry::getValue).sum();
                assertThat(timings.get("total")).isCloseTo(stages, within(1e-9));
                assertThat(result.withTiming("write", 5).timingsMs().get("total")).isCloseTo(stages + 5, within(1e-9));
            }
            assertThat(segmenter.segment(Files.readAllBytes(image)).name()).isEqualTo("encoded image ("
                    + Files.size(image) + " bytes)");
        }
    }

    private static Mat bgrMat(int[] rgb) {
        Mat mat = new Mat(HEIGHT, WIDTH, opencv_core.CV_8UC3);
        ByteBuffer bytes = mat.createBuffer();
        for (int i = 0; i < rgb.length; i++) {
            bytes.put(3 * i, (byte) rgb[i]).put(3 * i + 1, (byte) (rgb[i] >> 8)).put(3 * i + 2, (byte) (rgb[i] >> 16));
        }
        return mat;
    }

    private static Mat grayMat(int[] gray16) {
        Mat mat = new Mat(HEIGHT, WIDTH, opencv_core.CV_8UC1);
        ByteBuffer bytes = mat.createBuffer();
        for (int i = 0; i < gray16.length; i++) {
            bytes.put(i, (byte) (gray16[i] >> 8));
        }
        return mat;
    }
}
