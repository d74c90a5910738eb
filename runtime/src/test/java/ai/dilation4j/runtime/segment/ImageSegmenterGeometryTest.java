package ai.dilation4j.runtime.segment;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.image.ImageLimits;
import ai.dilation4j.runtime.image.ImageTooLargeException;

/** What a model's geometry allows, decided before any image is read or any tile allocated. */
class ImageSegmenterGeometryTest {

    /** PASCAL VOC's geometry (margin 186, zoom 8) and class count; names and colors do not matter here. */
    private static final DatasetSpec VOC = new DatasetSpec("pascal_voc",
            IntStream.range(0, 21).mapToObj(c -> "class" + c).toList(),
            Collections.nCopies(21, new int[] {0, 0, 0}), new double[] {102.93, 111.36, 116.52}, 186, 8);

    @Test
    void aTileTooLargeToHoldIsRefusedWhenTheSegmenterIsMade() {
        assertThatThrownBy(() -> segmenter(100_000, 100_000, ImageLimits.DEFAULT))
                .isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("takes 100000x100000 input tiles")
                .hasMessageContaining("Convert the model with its deploy input size");
    }

    @Test
    void aTileThatLeavesNoOutputInsideTheMarginIsRefused() {
        assertThatThrownBy(() -> segmenter(300, 900, ImageLimits.DEFAULT))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("label margin of 186");
    }

    @Test
    void theTileCountFollowsPredictPyForAnyTileSize() throws Exception {
        ImageSegmenter segmenter = segmenter(901, 917, ImageLimits.DEFAULT.withMaxTiles(6));
        segmenter.checkWork("fits", 545 * 3, 529 * 2); // 2 rows x 3 columns of 529 x 545 valid pixels
        assertThatThrownBy(() -> segmenter.checkWork("one more column", 545 * 3 + 1, 529 * 2))
                .isInstanceOf(ImageTooLargeException.class).hasMessageContaining("needs 8 network tiles");
        assertThat(ImageLimits.DEFAULT.maxTiles()).isEqualTo(128);
    }

    private static ImageSegmenter segmenter(long height, long width, ImageLimits limits) throws InvalidInputException {
        ModelMetadata metadata = new ModelMetadata(ModelMetadata.FORMAT_VERSION, "test", "data",
                new long[] {1, 3, height, width}, "prob", 21, Map.of(), List.of(), null, null, "test");
        return new ImageSegmenter(metadata, VOC, tiles -> Nd4j.zeros(1, 21, 1, 1), 1, limits);
    }
}
