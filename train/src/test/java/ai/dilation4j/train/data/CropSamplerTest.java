package ai.dilation4j.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.image.ImageLimits;

/**
 * The crops keep image and labels aligned as fyu's label slicing does: output cell (j, i) is labelled with the
 * label under crop pixel (margin + zoom * j, margin + zoom * i). The image's blue channel holds each pixel's column
 * and green its row, its label the column, so every sampled label can be checked against the pixel it claims.
 */
class CropSamplerTest {

    private static final int MARGIN = 7;
    private static final int ZOOM = 2;
    private static final int WIDTH = 40;
    private static final int HEIGHT = 30;

    @TempDir
    Path dir;

    @Test
    void labelsAreSlicedAtMarginPlusZoomStepsOfTheMirroredOrPlainCrop() throws Exception {
        DatasetSpec spec = new DatasetSpec("coords", List.of("c"), List.of(new int[] {0, 0, 0}),
                new double[] {0, 0, 0}, MARGIN, ZOOM);
        CropSampler sampler = new CropSampler(spec, 46); // taller than the padded image (30 + 14): centred padding too
        assertThat(sampler.outputSize()).isEqualTo(16);
        LabelledDataset dataset = LabelledDataset.open(write("images", true), write("labels", false), 255,
                ImageLimits.DEFAULT);
        int mirrored = 0;
        int plain = 0;
        int ignored = 0;
        SplittableRandom random = new SplittableRandom(11);
        for (int n = 0; n < 40; n++) {
            try (LabelledDataset.Example example = dataset.read(0)) {
                CropSampler.Sample sample = sampler.sample(example, random);
                int crop = sampler.crop();
                int side = sampler.outputSize();
                for (int j = 0; j < side; j++) {
                    for (int i = 0; i < side; i++) {
                        int label = sample.labels()[j * side + i];
                        int y = MARGIN + ZOOM * j;
                        int x = MARGIN + ZOOM * i;
                        float blue = sample.image()[y * crop + x];
                        if (label == LabelledDataset.IGNORE) {
                            ignored++;
                            continue;
                        }
                        assertThat(blue).as("column under cell (%d, %d)", j, i).isEqualTo(label);
                        if (i + 1 < side && sample.labels()[j * side + i + 1] != LabelledDataset.IGNORE) {
                            int step = sample.labels()[j * side + i + 1] - label;
                            assertThat(Math.abs(step)).isEqualTo(ZOOM);
                            mirrored += step < 0 ? 1 : 0;
                            plain += step > 0 ? 1 : 0;
                        }
                        float green = sample.image()[(crop + y) * crop + x];
                        float greenBelow = j + 1 < side ? sample.image()[(crop + y + ZOOM) * crop + x] : green + ZOOM;
                        if (j + 1 < side && sample.labels()[(j + 1) * side + i] != LabelledDataset.IGNORE) {
                            assertThat(greenBelow - green).as("rows step by the zoom").isEqualTo(ZOOM);
                        }
                    }
                }
            }
        }
        assertThat(mirrored).as("mirrored crops").isPositive();
        assertThat(plain).as("plain crops").isPositive();
        assertThat(ignored).as("cells over the margin are ignored").isPositive();
    }

    @Test
    void aCropThatMisalignsTheOutputGridIsRefusedWithTheSizesThatFit() throws Exception {
        DatasetSpec dilated8 = new DatasetSpec("voc", List.of("c"), List.of(new int[] {0, 0, 0}),
                new double[] {0, 0, 0}, 186, 8);
        assertThat(new CropSampler(dilated8, 500).outputSize()).isEqualTo(16);
        assertThatThrownBy(() -> new CropSampler(dilated8, 501)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("501").hasMessageContaining("margin 186").hasMessageContaining("380");
        assertThatThrownBy(() -> new CropSampler(dilated8, 372)).isInstanceOf(InvalidInputException.class);
    }

    @Test
    void reflect101MatchesOpenCv() {
        // gfedcb|abcdefgh|gfedcba for a row of 8
        int[] expected = {6, 5, 4, 3, 2, 1, 0, 1, 2, 3, 4, 5, 6, 7, 6, 5, 4, 3, 2, 1, 0, 1};
        for (int k = 0; k < expected.length; k++) {
            assertThat(CropSampler.reflect101(k - 6, 8)).as("index %d", k - 6).isEqualTo(expected[k]);
        }
        assertThat(CropSampler.reflect101(-3, 1)).isZero();
    }

    /** An image (blue = column, green = row) or its label (the column), as {@code <dir>/<sub>/coords.png}. */
    private Path write(String sub, boolean image) throws Exception {
        Path folder = Files.createDirectories(dir.resolve(sub));
        BufferedImage picture = new BufferedImage(WIDTH, HEIGHT,
                image ? BufferedImage.TYPE_INT_RGB : BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < HEIGHT; y++) {
            for (int x = 0; x < WIDTH; x++) {
                if (image) {
                    picture.setRGB(x, y, y << 8 | x);
                } else {
                    picture.getRaster().setSample(x, y, 0, x);
                }
            }
        }
        ImageIO.write(picture, "png", folder.resolve("coords.png").toFile());
        return folder;
    }
}
