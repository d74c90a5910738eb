package ai.dilation4j.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.runtime.testing.SyntheticImages;

/** A JPEG whose EXIF orientation says "rotate 90°" is decoded upright, as cv2.imread does for predict.py. */
class ExifOrientationTest {

    @Test
    void rotatedJpegIsDecodedUpright(@TempDir Path dir) throws Exception {
        Path plain = SyntheticImages.scene(dir.resolve("plain.jpg"), 20, 40, 1);
        byte[] jpeg = Files.readAllBytes(plain);
        Path rotated = dir.resolve("rotated.jpg");
        Files.write(rotated, withOrientation(jpeg, 6));

        try (DecodedImage upright = ImageDecoder.decode(plain, ImageLimits.DEFAULT); DecodedImage turned = ImageDecoder.decode(rotated, ImageLimits.DEFAULT)) {
            assertThat(new int[] {upright.height(), upright.width()}).containsExactly(20, 40);
            assertThat(new int[] {turned.height(), turned.width()}).containsExactly(40, 20);
        }
        try (Mat raw = opencv_imgcodecs.imread(rotated.toString(), opencv_imgcodecs.IMREAD_UNCHANGED)) {
            assertThat(raw.rows()).as("the stored pixels are not rotated").isEqualTo(20);
        }
    }

    /** Inserts an APP1 Exif segment holding only the orientation tag right after the JPEG's SOI marker. */
    private static byte[] withOrientation(byte[] jpeg, int orientation) {
        byte[] tiff = {
            'I', 'I', 42, 0, 8, 0, 0, 0,          // little-endian TIFF header, first IFD at offset 8
            1, 0,                                 // one entry
            0x12, 0x01, 3, 0, 1, 0, 0, 0,         // tag 0x0112 Orientation, SHORT, count 1
            (byte) orientation, 0, 0, 0,          // value
            0, 0, 0, 0                            // no next IFD
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(jpeg, 0, 2);
        int length = 2 + 6 + tiff.length;
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xff);
        out.writeBytes(new byte[] {'E', 'x', 'i', 'f', 0, 0});
        out.writeBytes(tiff);
        out.write(jpeg, 2, jpeg.length - 2);
        return out.toByteArray();
    }
}
