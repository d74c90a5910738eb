package ai.dilation4j.runtime.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.runtime.InvalidInputException;
import ai.dilation4j.runtime.image.ImageLimits;
import ai.dilation4j.runtime.image.ImageTooLargeException;

class LabelReaderTest {

    private static final LabelReader INDEX = new LabelReader(LabelFormat.INDEX, ImageLimits.DEFAULT);

    @Test
    void paletteAndGrayLabelsGiveTheStoredIndices(@TempDir Path dir) throws Exception {
        int[] values = {0, 1, 20, 255, 7, 3, 0, 15, 255, 2, 19, 1};
        Path palette = writePalettePng(dir.resolve("palette.png"), values, 4, 3, vocPalette());
        Path gray = writeGrayPng(dir.resolve("gray.png"), values, 4, 3);

        for (Path file : List.of(palette, gray)) {
            LabelImage labels = INDEX.read(file);
            assertThat(labels.width()).as(file.toString()).isEqualTo(4);
            assertThat(labels.height()).isEqualTo(3);
            assertThat(labels.values()).containsExactly(values);
        }
    }

    @Test
    void sixteenBitColorAndAlphaLabelsAreRefusedByKind(@TempDir Path dir) throws Exception {
        BufferedImage sixteen = new BufferedImage(4, 3, BufferedImage.TYPE_USHORT_GRAY);
        Path sixteenBit = write(sixteen, dir.resolve("sixteen.png"));
        Path rgb = write(new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB), dir.resolve("rgb.png"));
        Path grayAlpha = dir.resolve("gray_alpha.png");
        Files.write(grayAlpha, png(4, 3, 8, 4, new byte[3 * (1 + 4 * 2)]));

        assertThatThrownBy(() -> INDEX.read(sixteenBit)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("sixteen.png is a 16-bit gray image")
                .hasMessageContaining("labels must be 8-bit class indices in a gray or palette");
        assertThatThrownBy(() -> INDEX.read(rgb)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("rgb.png is an RGB color image").hasMessageContaining("not mapped back");
        assertThatThrownBy(() -> INDEX.read(grayAlpha)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("alpha channel");
    }

    @Test
    void oversizedHeaderIsRefusedBeforeDecoding(@TempDir Path dir) throws Exception {
        // 30000 x 30000 8-bit gray declared, a few bytes of pixel data: decoding would need 900 MB.
        Path hostile = dir.resolve("hostile.png");
        Files.write(hostile, png(30000, 30000, 8, 0, new byte[30001]));
        assertThat(Files.size(hostile)).isLessThan(1000);

        assertThatThrownBy(() -> INDEX.read(hostile)).isInstanceOf(ImageTooLargeException.class)
                .hasMessageContaining("hostile.png is 30000x30000");
        LabelReader small = new LabelReader(LabelFormat.INDEX, ImageLimits.DEFAULT.withMaxPixels(11));
        assertThatThrownBy(() -> small.read(writeGrayPng(dir.resolve("12.png"), new int[12], 4, 3)))
                .isInstanceOf(ImageTooLargeException.class).hasMessageContaining("4x3 = 12 pixels");
    }

    @Test
    void corruptAndMissingFilesAreReported(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("notes.png"), "not an image");
        Path truncated = dir.resolve("truncated.png");
        byte[] whole = Files.readAllBytes(writeGrayPng(dir.resolve("whole.png"), new int[400], 20, 20));
        Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));

        assertThatThrownBy(() -> INDEX.read(text)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("notes.png is not an image");
        assertThatThrownBy(() -> INDEX.read(truncated)).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("Cannot decode label image").hasMessageContaining("truncated.png");
        assertThatThrownBy(() -> INDEX.read(dir.resolve("absent.png"))).isInstanceOf(InvalidInputException.class)
                .hasMessageContaining("absent.png does not exist");
    }

    @Test
    void bytesReadElsewhereDecodeAsTheFileDoes(@TempDir Path dir) throws Exception {
        int[] values = {0, 1, 20, 255, 7, 3, 0, 15, 255, 2, 19, 1};
        Path gray = writeGrayPng(dir.resolve("gray.png"), values, 4, 3);
        byte[] bytes = Files.readAllBytes(gray);

        assertThat(INDEX.read("hdfs:///labels/gray.png", bytes).values()).containsExactly(values);
        assertThatThrownBy(() -> INDEX.read("hdfs:///labels/notes.png", "not an image".getBytes()))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("hdfs:///labels/notes.png is not an image");
        LabelReader small = new LabelReader(LabelFormat.INDEX, ImageLimits.DEFAULT.withMaxEncodedBytes(bytes.length - 1));
        assertThatThrownBy(() -> small.read("big.png", bytes)).isInstanceOf(ImageTooLargeException.class)
                .hasMessageContaining("big.png has " + bytes.length + " bytes");
        Files.write(dir.resolve("hostile.png"), png(30000, 30000, 8, 0, new byte[30001]));
        assertThatThrownBy(() -> INDEX.read("hostile.png", Files.readAllBytes(dir.resolve("hostile.png"))))
                .isInstanceOf(ImageTooLargeException.class).hasMessageContaining("hostile.png is 30000x30000");
    }

    @Test
    void cityscapesLabelIdsBecomeTrainIds(@TempDir Path dir) throws Exception {
        // Cityscapes' published label definitions (name, label ID, train ID), independent of the table under test.
        Object[][] scored = {{"road", 7, 0}, {"sidewalk", 8, 1}, {"building", 11, 2}, {"wall", 12, 3},
            {"fence", 13, 4}, {"pole", 17, 5}, {"traffic light", 19, 6}, {"traffic sign", 20, 7},
            {"vegetation", 21, 8}, {"terrain", 22, 9}, {"sky", 23, 10}, {"person", 24, 11}, {"rider", 25, 12},
            {"car", 26, 13}, {"truck", 27, 14}, {"bus", 28, 15}, {"train", 31, 16}, {"motorcycle", 32, 17},
            {"bicycle", 33, 18}};
        int[] expectedTrainId = new int[256];
        java.util.Arrays.fill(expectedTrainId, 255);
        for (Object[] label : scored) {
            expectedTrainId[(int) label[1]] = (int) label[2];
        }
        int[] labelIds = new int[256];
        for (int i = 0; i < labelIds.length; i++) {
            labelIds[i] = i;
        }
        Path file = writeGrayPng(dir.resolve("x_gtFine_labelIds.png"), labelIds, 16, 16);

        int[] trainIds = new LabelReader(LabelFormat.CITYSCAPES, ImageLimits.DEFAULT).read(file).values();
        assertThat(trainIds).containsExactly(expectedTrainId);
        assertThat(INDEX.read(file).values()).containsExactly(labelIds);
    }

    @Test
    void cityscapesImagesPairWithTheirLabelsAcrossCityDirectories(@TempDir Path dir) throws Exception {
        Path images = dir.resolve("leftImg8bit/val");
        Path labels = dir.resolve("gtFine/val");
        for (String frame : List.of("aachen/aachen_000000_000019", "bochum/bochum_000000_000313",
                "bochum/bochum_000000_000600")) {
            Files.createDirectories(images.resolve(frame).getParent());
            Files.createDirectories(labels.resolve(frame).getParent());
            Files.writeString(images.resolve(frame + "_leftImg8bit.png"), "");
            if (!frame.endsWith("600")) {
                Files.writeString(labels.resolve(frame + "_gtFine_labelIds.png"), "");
            }
            Files.writeString(labels.resolve(frame + "_gtFine_color.png"), "");
            Files.writeString(labels.resolve(frame + "_gtFine_instanceIds.png"), "");
        }
        Files.writeString(images.resolve("aachen/readme.txt"), "");

        assertThat(LabelFormat.detect(dir.resolve("gtFine"))).isEqualTo(LabelFormat.CITYSCAPES);
        assertThat(LabelFormat.detect(images)).isEqualTo(LabelFormat.INDEX);
        List<LabelledImages.Entry> entries = LabelledImages.pair(images, labels, LabelFormat.CITYSCAPES);
        assertThat(entries).extracting(e -> images.relativize(e.image()).toString()).containsExactly(
                "aachen/aachen_000000_000019_leftImg8bit.png", "bochum/bochum_000000_000313_leftImg8bit.png",
                "bochum/bochum_000000_000600_leftImg8bit.png");
        assertThat(entries.get(0).label()).contains(labels.resolve("aachen/aachen_000000_000019_gtFine_labelIds.png"));
        assertThat(entries.get(1).label()).contains(labels.resolve("bochum/bochum_000000_000313_gtFine_labelIds.png"));
        assertThat(entries.get(2).label()).isEmpty();
        assertThat(entries.get(2).expectedLabel()).isEqualTo("bochum_000000_000600_gtFine_labelIds.png");
        assertThatThrownBy(() -> LabelledImages.pair(labels, images, LabelFormat.CITYSCAPES))
                .isInstanceOf(InvalidInputException.class).hasMessageContaining("holds no images named");
    }

    /** PASCAL VOC's 256-color palette, built the way the dataset's devkit builds it (bits of the index spread). */
    static int[][] vocPalette() {
        int[][] palette = new int[256][3];
        for (int i = 0; i < 256; i++) {
            int c = i;
            for (int shift = 7; shift >= 0; shift--) {
                for (int channel = 0; channel < 3; channel++) {
                    palette[i][channel] |= ((c >> channel) & 1) << shift;
                }
                c >>= 3;
            }
        }
        return palette;
    }

    static Path writePalettePng(Path file, int[] values, int width, int height, int[][] palette) throws IOException {
        byte[][] channels = new byte[3][palette.length];
        for (int i = 0; i < palette.length; i++) {
            for (int channel = 0; channel < 3; channel++) {
                channels[channel][i] = (byte) palette[i][channel];
            }
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_BYTE_INDEXED,
                new IndexColorModel(8, palette.length, channels[0], channels[1], channels[2]));
        return write(fill(image, values), file);
    }

    static Path writeGrayPng(Path file, int[] values, int width, int height) throws IOException {
        return write(fill(new BufferedImage(width, height, BufferedImage.TYPE_BYTE_GRAY), values), file);
    }

    private static BufferedImage fill(BufferedImage image, int[] values) {
        byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < values.length; i++) {
            pixels[i] = (byte) values[i];
        }
        return image;
    }

    private static Path write(BufferedImage image, Path file) throws IOException {
        assertThat(ImageIO.write(image, "png", file.toFile())).isTrue();
        return file;
    }

    /** A PNG with the given header and the given raw (filter byte + pixels per row) data, compressed. */
    private static byte[] png(int width, int height, int bitDepth, int colorType, byte[] raw) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        DataOutputStream ihdr = new DataOutputStream(header);
        ihdr.writeInt(width);
        ihdr.writeInt(height);
        ihdr.write(new byte[] {(byte) bitDepth, (byte) colorType, 0, 0, 0});
        chunk(out, "IHDR", header.toByteArray());
        Deflater deflater = new Deflater();
        deflater.setInput(raw);
        deflater.finish();
        byte[] compressed = new byte[raw.length + 64];
        int length = deflater.deflate(compressed);
        deflater.end();
        chunk(out, "IDAT", java.util.Arrays.copyOf(compressed, length));
        chunk(out, "IEND", new byte[0]);
        return bytes.toByteArray();
    }

    private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
        byte[] name = type.getBytes(StandardCharsets.US_ASCII);
        out.writeInt(data.length);
        out.write(name);
        out.write(data);
        CRC32 crc = new CRC32();
        crc.update(name);
        crc.update(data);
        out.writeInt((int) crc.getValue());
    }
}
