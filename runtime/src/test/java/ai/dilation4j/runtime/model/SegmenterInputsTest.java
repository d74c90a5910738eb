package ai.dilation4j.runtime.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.runtime.image.ImageTooLargeException;
import ai.dilation4j.runtime.nn.conv.ConvolutionAlgorithm;
import ai.dilation4j.runtime.segment.SegmentationResult;
import ai.dilation4j.runtime.testing.SyntheticImages;

/** Every input form of the Segmenter gives the same result; options change resolution and limits. */
class SegmenterInputsTest {

    @Test
    void pathBytesBufferedImageAndMatAgree(@TempDir Path dir) throws Exception {
        Path image = SyntheticImages.scene(dir.resolve("scene.png"), 37, 29, 5);
        try (SegmentationModel model = SegmentationModel.load(TinyGraph.tiled(dir.resolve("tiny.zip")));
             Segmenter segmenter = model.segmenter(SegmenterOptions.builder().tileBatch(3).build());
             Mat mat = opencv_imgcodecs.imread(image.toString())) {
            SegmentationResult fromPath = segmenter.segment(image);
            assertThat(segmenter.segment(Files.readAllBytes(image)).labels()).isEqualTo(fromPath.labels());
            assertThat(segmenter.segment(ImageIO.read(image.toFile())).labels()).isEqualTo(fromPath.labels());
            assertThat(segmenter.segment(mat).labels()).isEqualTo(fromPath.labels());
            assertThat(fromPath.tiles()).isEqualTo(3 * 2);
            assertThat(fromPath.colorImage().getWidth()).isEqualTo(29);
            assertThat(fromPath.probabilities().toArray().shape()).containsExactly(21, 37, 29);
        }
    }

    /** The tiny model's 3x3 layer over 128 channels rounds differently with each algorithm, within 1e-5. */
    @Test
    void convolutionAlgorithmIsChosenPerSegmenter(@TempDir Path dir) throws Exception {
        Path image = SyntheticImages.scene(dir.resolve("scene.png"), 37, 29, 5);
        // TinyGraph.tiled's own 3x3 layer is too small for Winograd's algorithm to be chosen.
        try (SegmentationModel model = SegmentationModel.load(TinyGraph.tiledWithWinogradLayer(dir.resolve("tiny.zip")));
             Segmenter winograd = model.segmenter(SegmenterOptions.builder()
                     .convolution(ConvolutionAlgorithm.WINOGRAD).build());
             Segmenter gemm = model.segmenter(SegmenterOptions.builder()
                     .convolution(ConvolutionAlgorithm.GEMM).build())) {
            org.nd4j.linalg.api.ndarray.INDArray fast = winograd.segment(image).probabilities().toArray();
            org.nd4j.linalg.api.ndarray.INDArray exact = gemm.segment(image).probabilities().toArray();
            double difference = fast.sub(exact).amaxNumber().doubleValue();
            assertThat(difference).isPositive().isLessThan(1e-5);
            assertThat(gemm.options().convolution()).isEqualTo(ConvolutionAlgorithm.GEMM);
        }
    }

    @Test
    void networkResolutionAndLimits(@TempDir Path dir) throws Exception {
        Path image = SyntheticImages.scene(dir.resolve("scene.png"), 37, 29, 6);
        try (SegmentationModel model = SegmentationModel.load(TinyGraph.tiled(dir.resolve("tiny.zip")));
             Segmenter coarse = model.segmenter(SegmenterOptions.builder()
                     .outputResolution(SegmenterOptions.OutputResolution.NETWORK).build());
             Segmenter small = model.segmenter(SegmenterOptions.builder().maxInputPixels(1000).build());
             Segmenter tiny = model.segmenter(SegmenterOptions.builder().maxEncodedBytes(100).build())) {
            SegmentationResult result = coarse.segment(image);
            assertThat(new int[] {result.height(), result.width()}).containsExactly(5, 4);
            assertThatThrownBy(() -> small.segment(image)).isInstanceOf(ImageTooLargeException.class)
                    .hasMessageContaining("29x37 = 1073 pixels").hasMessageContaining("limit of 1000");
            assertThatThrownBy(() -> tiny.segment(Files.readAllBytes(image)))
                    .isInstanceOf(ImageTooLargeException.class).hasMessageContaining("limit of 100");
        }
    }
}
