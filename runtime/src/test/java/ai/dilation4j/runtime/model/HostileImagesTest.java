package ai.dilation4j.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.runtime.SegmentationCancelledException;
import ai.dilation4j.runtime.image.ImageTooLargeException;
import ai.dilation4j.runtime.testing.CraftedPng;
import ai.dilation4j.runtime.testing.SyntheticImages;

/**
 * Images that cost far more than their bytes are refused by the Segmenter from their header, before any pixel is
 * decoded, and an interrupted caller gets a cancellation. The tiny model's tiles hold 16x24 valid pixels each.
 * (The same refusals through the {@code segment} command: the CLI's HostileImagesTest.)
 */
class HostileImagesTest {

    @TempDir
    static Path dir;
    static SegmentationModel model;

    @BeforeAll
    static void load() throws Exception {
        model = SegmentationModel.load(TinyGraph.tiled(dir.resolve("tiny.zip")));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void aPngBombIsRefusedFromItsHeader() throws Exception {
        byte[] bomb = CraftedPng.zeros(30000, 30000, 1);
        assertThat(bomb.length).isLessThan(1 << 20);
        try (Segmenter segmenter = model.segmenter(SegmenterOptions.defaults())) {
            assertThatThrownBy(() -> segmenter.segment("bomb.png", bomb)).isInstanceOf(ImageTooLargeException.class)
                    .hasMessageContaining("30000x30000 = 900000000 pixels, more than the limit of 20000000");
        }
    }

    @Test
    void aThinImageIsRefusedForItsAspectRatio() throws Exception {
        byte[] thin = CraftedPng.zeros(1, 999_999, 8);
        try (Segmenter segmenter = model.segmenter(SegmenterOptions.defaults())) {
            assertThatThrownBy(() -> segmenter.segment("request", thin)).isInstanceOf(ImageTooLargeException.class)
                    .hasMessageContaining("aspect ratio");
        }
    }

    @Test
    void theTileCountIsLimited() throws Exception {
        Path image = SyntheticImages.scene(dir.resolve("wide.png"), 40, 120, 3); // 3 x 5 tiles of 16x24
        try (Segmenter segmenter = model.segmenter(SegmenterOptions.builder().maxTiles(14).build())) {
            assertThatThrownBy(() -> segmenter.segment(image)).isInstanceOf(ImageTooLargeException.class)
                    .hasMessageContaining("needs 15 network tiles of 388x396 (label margin 186), more than the "
                            + "limit of 14");
        }
    }

    @Test
    void anInterruptedCallerGetsACancellationAndKeepsItsInterruptFlag() throws Exception {
        Path image = SyntheticImages.scene(dir.resolve("scene.png"), 40, 50, 3);
        try (Segmenter segmenter = model.segmenter(SegmenterOptions.defaults())) {
            Thread.currentThread().interrupt();
            try {
                assertThatThrownBy(() -> segmenter.segment(image)).isInstanceOf(SegmentationCancelledException.class)
                        .hasMessageContaining("after 0 of");
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
            assertThat(segmenter.segment(image).tiles()).isEqualTo(3 * 3);
        }
    }
}
