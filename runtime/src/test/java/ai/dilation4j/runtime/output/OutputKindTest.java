package ai.dilation4j.runtime.output;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.nio.ByteBuffer;
import java.nio.IntBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.runtime.io.Npy;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.model.Segmenter;
import ai.dilation4j.runtime.model.SegmenterOptions;
import ai.dilation4j.runtime.model.TinyGraph;
import ai.dilation4j.runtime.segment.SegmentationResult;
import ai.dilation4j.runtime.testing.SyntheticImages;

/** Every kind of output, read back, holds the result: labels, palette colors, probabilities, the blended image. */
class OutputKindTest {

    private static final int HEIGHT = 37;
    private static final int WIDTH = 29;

    @TempDir
    static Path dir;
    static Path image;
    static SegmentationResult result;

    @BeforeAll
    static void segment() throws Exception {
        image = SyntheticImages.scene(dir.resolve("scene.png"), HEIGHT, WIDTH, 4);
        try (SegmentationModel model = SegmentationModel.load(TinyGraph.tiled(dir.resolve("tiny.zip")));
             Segmenter segmenter = model.segmenter(SegmenterOptions.defaults())) {
            result = segmenter.segment(image);
        }
    }

    @Test
    void everyKindReadsBackAsTheResult() throws Exception {
        try (Mat bgr = opencv_imgcodecs.imread(image.toString())) {
            int[] labels = result.labels();
            assertThat(Arrays.stream(labels).distinct().count()).as("classes in the image").isGreaterThan(1);
            for (OutputKind kind : OutputKind.values()) {
                kind.write(result, bgr, dir.resolve("scene" + kind.suffix()));
            }
            List<int[]> palette = TinyGraph.TILED_DATASET.palette();

            try (Mat written = opencv_imgcodecs.imread(dir.resolve("scene_labels.png").toString(),
                    opencv_imgcodecs.IMREAD_UNCHANGED)) {
                assertThat(written.channels()).isOne();
                ByteBuffer pixels = written.createBuffer();
                for (int i = 0; i < labels.length; i++) {
                    assertThat(pixels.get(i) & 0xff).as("label pixel %d", i).isEqualTo(labels[i]);
                }
            }
            BufferedImage color = ImageIO.read(dir.resolve("scene_color.png").toFile());
            BufferedImage indexed = ImageIO.read(dir.resolve("scene_palette.png").toFile());
            assertThat(indexed.getColorModel()).isInstanceOf(IndexColorModel.class);
            for (int i = 0; i < labels.length; i++) {
                int[] rgb = palette.get(labels[i]);
                int expected = (rgb[0] << 16) | (rgb[1] << 8) | rgb[2];
                assertThat(color.getRGB(i % WIDTH, i / WIDTH) & 0xffffff).as("color pixel %d", i).isEqualTo(expected);
                assertThat(indexed.getRaster().getSample(i % WIDTH, i / WIDTH, 0)).as("palette index %d", i)
                        .isEqualTo(labels[i]);
                assertThat(indexed.getRGB(i % WIDTH, i / WIDTH) & 0xffffff).isEqualTo(expected);
            }
            assertThat(Npy.read(dir.resolve("scene_prob.npy"))).isEqualTo(result.probabilities().toArray());
            try (Mat overlay = opencv_imgcodecs.imread(dir.resolve("scene_overlay.png").toString())) {
                ByteBuffer blended = overlay.createBuffer();
                ByteBuffer original = bgr.createBuffer();
                int[] rgb = palette.get(labels[0]);
                for (int channel = 0; channel < 3; channel++) {
                    double half = ((original.get(channel) & 0xff) + rgb[2 - channel]) / 2.0;
                    assertThat((double) (blended.get(channel) & 0xff)).isCloseTo(half,
                            within(0.5));
                }
            }
        }
    }

    @Test
    void theLabelBufferIsAReadOnlyViewOfTheLabels() {
        IntBuffer view = result.labelBuffer();
        int[] copy = new int[view.remaining()];
        view.get(copy);
        assertThat(copy).isEqualTo(result.labels()).hasSize(HEIGHT * WIDTH);
        assertThat(view.isReadOnly()).isTrue();
        assertThatThrownBy(() -> result.labelBuffer().put(0, 7)).isInstanceOf(ReadOnlyBufferException.class);
        result.labels()[0] = copy[0] + 1;
        assertThat(result.labelBuffer().get(0)).as("labels() is a copy").isEqualTo(copy[0]);
    }

    @Test
    void kindsAreNamedAndSummariesListTheClassesByName() {
        assertThat(OutputKind.parse("labels")).contains(OutputKind.LABELS);
        assertThat(OutputKind.parse("LABELS")).isEmpty();
        assertThat(OutputKind.PROB.suffix()).isEqualTo("_prob.npy");
        assertThat(OutputKind.PALETTE.suffix()).isEqualTo("_palette.png");
        Map<String, Object> summary = SegmentationSummary.of(result);
        assertThat(summary.keySet()).containsExactly("width", "height", "tiles", "class_fractions", "timings_ms");
        assertThat(summary).containsEntry("width", WIDTH).containsEntry("height", HEIGHT).containsEntry("tiles", 6);
        @SuppressWarnings("unchecked")
        Map<String, Double> fractions = (Map<String, Double>) summary.get("class_fractions");
        assertThat(fractions.keySet()).containsExactlyElementsOf(TinyGraph.TILED_DATASET.classNames());
        assertThat(fractions.values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(1.0, within(1e-9));
        assertThat(summary.get("timings_ms")).isEqualTo(result.timingsMs());
    }
}
