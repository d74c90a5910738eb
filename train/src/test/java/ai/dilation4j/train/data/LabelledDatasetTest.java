package ai.dilation4j.train.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.image.ImageLimits;

/** Every bad pair is reported by file name (and value) when the data set is opened, before any training. */
class LabelledDatasetTest {

    @TempDir
    Path dir;

    @Test
    void pairsImagesAndLabelsByStemAndAcceptsTheIgnoreValue() throws Exception {
        image("a", 12, 10);
        label("a", 12, 10, 2, 255);
        image("b", 8, 8);
        label("b", 8, 8, 0, 1);
        LabelledDataset dataset = open(3);
        assertThat(dataset.size()).isEqualTo(2);
        assertThat(dataset.pairs().get(0).label().getFileName().toString()).isEqualTo("a.png");
        try (LabelledDataset.Example example = dataset.read(0)) {
            assertThat(example.image().width()).isEqualTo(12);
            assertThat(example.label().values()[0]).isEqualTo(2);
        }
    }

    @Test
    void aLabelValueThatIsNeitherAClassNorIgnoredNamesTheFileAndTheValue() throws Exception {
        image("a", 12, 10);
        label("a", 12, 10, 1, 7);
        assertThatThrownBy(() -> open(3)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(dir.resolve("labels/a.png").toString())
                .hasMessageContaining("value 7")
                .hasMessageContaining("0..2");
    }

    @Test
    void aSizeMismatchNamesBothFiles() throws Exception {
        image("a", 12, 10);
        label("a", 10, 12, 1, 1);
        assertThatThrownBy(() -> open(3)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(dir.resolve("labels/a.png").toString())
                .hasMessageContaining(dir.resolve("images/a.png").toString())
                .hasMessageContaining("10x12").hasMessageContaining("12x10");
    }

    @Test
    void unreadableFilesAreNamed() throws Exception {
        image("a", 12, 10);
        Files.createDirectories(dir.resolve("labels"));
        Files.write(dir.resolve("labels/a.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        assertThatThrownBy(() -> open(3)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(dir.resolve("labels/a.png").toString());

        label("a", 12, 10, 1, 1);
        Files.write(dir.resolve("images/a.png"), "not an image".getBytes());
        assertThatThrownBy(() -> open(3)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(dir.resolve("images/a.png").toString());
    }

    @Test
    void anImageWithoutALabelIsNamed() throws Exception {
        image("a", 12, 10);
        image("b", 12, 10);
        label("a", 12, 10, 1, 1);
        assertThatThrownBy(() -> open(3)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining(dir.resolve("images/b.png").toString())
                .hasMessageContaining("b.*");
    }

    private LabelledDataset open(int classes) throws InvalidInputException, IOException {
        return LabelledDataset.open(dir.resolve("images"), dir.resolve("labels"), classes, ImageLimits.DEFAULT);
    }

    private void image(String stem, int width, int height) throws IOException {
        Files.createDirectories(dir.resolve("images"));
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        ImageIO.write(image, "png", dir.resolve("images/" + stem + ".png").toFile());
    }

    /** A gray label image, {@code first} at (0, 0) and {@code rest} elsewhere. */
    private void label(String stem, int width, int height, int first, int rest) throws IOException {
        Files.createDirectories(dir.resolve("labels"));
        BufferedImage label = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                label.getRaster().setSample(x, y, 0, x == 0 && y == 0 ? first : rest);
            }
        }
        ImageIO.write(label, "png", dir.resolve("labels/" + stem + ".png").toFile());
    }
}
