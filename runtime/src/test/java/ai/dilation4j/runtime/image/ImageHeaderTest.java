package ai.dilation4j.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every format segment reads is sized from its header, as OpenCV later decodes it. */
class ImageHeaderTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"png", "jpg", "bmp", "tif", "webp", "ppm", "pgm", "pbm", "ras", "hdr"})
    void theDeclaredSizeIsTheDecodedSize(String extension, @TempDir Path dir) throws Exception {
        Path file = dir.resolve("image." + extension);
        boolean gray = extension.equals("pgm") || extension.equals("pbm");
        try (Mat image = new Mat(37, 53, gray ? opencv_core.CV_8UC1 : opencv_core.CV_8UC3, new Scalar(10, 200, 90, 0))) {
            assertThat(opencv_imgcodecs.imwrite(file.toString(), image)).as("OpenCV writes " + extension).isTrue();
        }
        byte[] bytes = Files.readAllBytes(file);
        assertThat(ImageHeader.dimensions(bytes)).contains(new ImageHeader.Size(53, 37));
    }

    @Test
    void aJpegFrameHeaderAfterLargeMetadataIsFound(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("image.jpg");
        try (Mat image = new Mat(21, 34, opencv_core.CV_8UC3, new Scalar(1, 2, 3, 0))) {
            opencv_imgcodecs.imwrite(file.toString(), image);
        }
        byte[] jpeg = Files.readAllBytes(file);
        ByteArrayOutputStream padded = new ByteArrayOutputStream();
        padded.write(jpeg, 0, 2);
        for (int i = 0; i < 3; i++) { // three 64 KB APP segments: the frame header starts past 190 KB
            padded.write(0xFF);
            padded.write(0xE5);
            padded.write(0xFF);
            padded.write(0xFF);
            padded.write(new byte[0xFFFF - 2]);
        }
        padded.write(jpeg, 2, jpeg.length - 2);
        assertThat(ImageHeader.dimensions(padded.toByteArray())).contains(new ImageHeader.Size(34, 21));
        try (Mat decoded = opencv_imgcodecs.imdecode(new Mat(padded.toByteArray()), opencv_imgcodecs.IMREAD_COLOR)) {
            assertThat(decoded.cols()).isEqualTo(34);
        }
    }

    @Test
    void unknownOrCutHeadersGiveNoSize() {
        assertThat(ImageHeader.dimensions("plain text, not an image".getBytes())).isEmpty();
        assertThat(ImageHeader.dimensions(new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2})).isEmpty();
        assertThat(ImageHeader.dimensions(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})).isEmpty();
        assertThat(ImageHeader.format(new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF})).contains("JPEG");
    }
}
