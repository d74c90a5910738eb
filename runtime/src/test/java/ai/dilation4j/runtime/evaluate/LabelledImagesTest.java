package ai.dilation4j.runtime.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.runtime.InvalidInputException;

/** A list of file stems (VOC's val.txt) chooses the images to score; a stem with no image is named by its line. */
class LabelledImagesTest {

    @Test
    void aListChoosesImagesInItsOrderAndKeepsThoseWithoutALabel(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Path labels = Files.createDirectories(dir.resolve("labels"));
        for (String stem : List.of("a", "b", "c")) {
            Files.writeString(images.resolve(stem + ".jpg"), "");
        }
        Files.writeString(labels.resolve("a.png"), "");
        Files.writeString(labels.resolve("c.png"), "");
        Path list = Files.writeString(dir.resolve("val.txt"), "c\n\n  b \na\n");

        List<LabelledImages.Entry> entries = LabelledImages.listed(images, labels, LabelFormat.INDEX, list);

        assertThat(entries).extracting(LabelledImages.Entry::image)
                .containsExactly(images.resolve("c.jpg"), images.resolve("b.jpg"), images.resolve("a.jpg"));
        assertThat(entries.get(0).label()).contains(labels.resolve("c.png"));
        assertThat(entries.get(1).label()).isEmpty();
        assertThat(entries.get(1).expectedLabel()).isEqualTo("b.*");
    }

    @Test
    void aStemWithoutAnImageIsRefusedWithTheListLineAndStem(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Path labels = Files.createDirectories(dir.resolve("labels"));
        Files.writeString(images.resolve("a.jpg"), "");
        Path one = Files.writeString(dir.resolve("one.txt"), "a\nmissing\n");
        Path three = Files.writeString(dir.resolve("three.txt"), "\nx\na\ny\nz\n");
        Path none = Files.writeString(dir.resolve("none.txt"), "\n \n");
        Path binary = Files.write(dir.resolve("binary.txt"), new byte[] {'a', '\n', (byte) 0xff, (byte) 0xfe, '\n'});

        assertThatThrownBy(() -> LabelledImages.listed(images, labels, LabelFormat.INDEX, one))
                .isInstanceOf(InvalidInputException.class).hasMessage("List " + one + " line 2 names missing, but "
                        + images + " holds no image with that file stem; is the list for this image directory?");
        assertThatThrownBy(() -> LabelledImages.listed(images, labels, LabelFormat.INDEX, three))
                .isInstanceOf(InvalidInputException.class).hasMessage("List " + three + " line 2 names x, but "
                        + images + " holds no image with that file stem, nor for 2 more of the list's 4 stems; is "
                        + "the list for this image directory?");
        assertThatThrownBy(() -> LabelledImages.listed(images, labels, LabelFormat.INDEX, none))
                .isInstanceOf(InvalidInputException.class).hasMessage("List " + none + " names no image.");
        assertThatThrownBy(() -> LabelledImages.listed(images, labels, LabelFormat.INDEX, binary))
                .isInstanceOf(InvalidInputException.class).hasMessage("List " + binary + " is not UTF-8 text; give a "
                        + "text file of file stems, one per line.");
        assertThatThrownBy(() -> LabelledImages.listed(images, labels, LabelFormat.INDEX, dir.resolve("absent.txt")))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("absent.txt is not a file");
    }
}
