package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.testing.SmallNetworks;

/**
 * {@code convert --dataset FILE} and {@code --input-order}: a dataset file's fields are stored and used; the options
 * that cannot go together are usage errors. (A network trained on RGB images converted with {@code --input-order rgb}
 * is in {@link KerasConvertTest}.)
 */
class ConvertCommandOverridesTest {

    @TempDir
    Path dir;

    @Test
    void aDatasetFileIsStoredWithTheModelAndSegmentUsesIt() throws Exception {
        Path prototxt = Files.writeString(dir.resolve("small.prototxt"), SmallNetworks.CONV_RELU_SCORE);
        Path weights = randomWeights(prototxt);
        List<int[]> palette = List.of(new int[] {1, 2, 3}, new int[] {40, 50, 60}, new int[] {70, 80, 90},
                new int[] {200, 10, 20}, new int[] {5, 250, 5});
        Path dataset = Files.writeString(dir.resolve("roads.json"), """
                {"name": "roads", "classes": ["a", "b", "c", "d", "e"],
                 "palette": [[1, 2, 3], [40, 50, 60], [70, 80, 90], [200, 10, 20], [5, 250, 5]],
                 "meanBgr": [90, 100, 110.5], "labelMargin": 1, "zoom": 1}
                """);
        Path model = dir.resolve("roads.zip");
        CliRun run = CliRun.of("convert", "--prototxt", prototxt.toString(), "--weights", weights.toString(),
                "--dataset", dataset.toString(), "-o", model.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();

        CliRun inspect = CliRun.of("inspect", "--model", model.toString());
        assertThat(inspect.out()).contains("Dataset    roads: mean BGR [90.0, 100.0, 110.5], label margin 1, zoom 1",
                "Classes    a, b, c, d, e", "Source     dataset  roads.json").doesNotContain("Preset");

        Path images = Files.createDirectories(dir.resolve("images"));
        TinyModel.image(images.resolve("photo.png"), 20, 24, 4);
        Path out = dir.resolve("out");
        CliRun segment = CliRun.of("segment", "--model", model.toString(), "-o", out.toString(), "--output", "color",
                images.toString());
        assertThat(segment.exitCode()).as(segment.toString()).isZero();
        BufferedImage color = ImageIO.read(out.resolve("photo_color.png").toFile());
        Set<Integer> colors = new HashSet<>();
        for (int y = 0; y < color.getHeight(); y++) {
            for (int x = 0; x < color.getWidth(); x++) {
                colors.add(color.getRGB(x, y) & 0xffffff);
            }
        }
        assertThat(palette.stream().map(rgb -> rgb[0] << 16 | rgb[1] << 8 | rgb[2])).containsAll(colors);
        assertThat(colors).isNotEmpty();
    }

    @Test
    void presetAndDatasetTogetherOrAnUnknownInputOrderAreUsageErrors() {
        String output = dir.resolve("m.zip").toString();
        CliRun both = CliRun.of("convert", "--prototxt", "a.prototxt", "--weights", "a.caffemodel", "--preset",
                "pascal_voc", "--dataset", "roads.json", "-o", output);
        assertUsageError(both, "--preset=NAME, --dataset=FILE are mutually exclusive");
        CliRun order = CliRun.of("convert", "--keras", "a.h5", "--input-order", "grb", "-o", output);
        assertUsageError(order, "Invalid value for option '--input-order': expected bgr or rgb, got 'grb'");
        assertThat(dir.resolve("m.zip")).doesNotExist();
    }

    @Test
    void helpDocumentsTheOverridesAndWhatAConvertedModelTakes() {
        CliRun help = CliRun.of("convert", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out().replaceAll("\\s+", " ")).contains("--dataset=FILE", "--input-order=bgr|rgb",
                "the BGR image minus the dataset's mean (meanBgr)", "label margin", "zoom", "Default: bgr",
                "At most 1 MB");
    }

    private static void assertUsageError(CliRun run, String message) {
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().lines()).as(run.toString()).hasSize(2);
        assertThat(run.err()).as(run.toString()).startsWith("dilation4j convert: ").contains(message)
                .contains("See 'dilation4j convert --help'.");
    }

    private Path randomWeights(Path prototxt) {
        Path weights = dir.resolve("small.caffemodel");
        CliRun run = CliRun.of("random-weights", "--prototxt", prototxt.toString(), "-o", weights.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return weights;
    }
}
