package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.awt.image.DataBufferUShort;
import java.awt.image.IndexColorModel;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import javax.imageio.ImageIO;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.models.ModelRegistry;
import ai.dilation4j.runtime.evaluate.LabelFormat;
import ai.dilation4j.runtime.evaluate.LabelReader;
import ai.dilation4j.runtime.image.ImageLimits;
import ai.dilation4j.runtime.io.FileNames;

/**
 * {@code evaluate} with the label files of real data sets (PASCAL VOC palette PNGs, Cityscapes labelIds in the
 * city-directory layout), with labels it must refuse, and {@code segment --output palette}.
 */
class EvaluateLabelFormatsTest {

    /** A 19-class network for the cityscapes preset (zoom 1): a 388x396 tile gives its valid 16x24 pixels. */
    private static final String CITYSCAPES_PROTOTXT = """
            name: "tiny_cityscapes"
            input: "data"
            input_shape { dim: 1 dim: 3 dim: 388 dim: 396 }
            layer { name: "ctx" type: "Convolution" bottom: "data" top: "ctx"
                    convolution_param { num_output: 19 kernel_size: 2 dilation: 372 } }
            layer { name: "prob" type: "Softmax" bottom: "ctx" top: "prob" }
            """;

    /** Cityscapes' published label definitions: label ID to train ID of the 19 scored classes. */
    private static final Map<Integer, Integer> CITYSCAPES_TRAIN_IDS = Map.ofEntries(
            Map.entry(7, 0), Map.entry(8, 1), Map.entry(11, 2), Map.entry(12, 3), Map.entry(13, 4),
            Map.entry(17, 5), Map.entry(19, 6), Map.entry(20, 7), Map.entry(21, 8), Map.entry(22, 9),
            Map.entry(23, 10), Map.entry(24, 11), Map.entry(25, 12), Map.entry(26, 13), Map.entry(27, 14),
            Map.entry(28, 15), Map.entry(31, 16), Map.entry(32, 17), Map.entry(33, 18));

    @TempDir
    static Path models;
    static Path vocModel;

    @BeforeAll
    static void convertModel() throws IOException {
        vocModel = TinyModel.convert(models);
    }

    @Test
    void vocPaletteLabelsScoreLikeTheSameIndicesInGray(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("JPEGImages"));
        Path predicted = dir.resolve("predicted");
        TinyModel.image(images.resolve("2007_000032.png"), 40, 30, 11);
        TinyModel.image(images.resolve("2007_000039.png"), 24, 36, 12);
        assertThat(CliRun.of("segment", "--model", vocModel.toString(), "-o", predicted.toString(), "--output",
                "labels", images.toString()).exitCode()).isZero();
        Path gray = Files.createDirectories(dir.resolve("gray"));
        Path voc = Files.createDirectories(dir.resolve("SegmentationClass"));
        long scored = 0;
        for (String stem : List.of("2007_000032", "2007_000039")) {
            int[] truth = SegmentFixturesTest.pixels(predicted.resolve(stem + "_labels.png"));
            for (int i = 0; i < truth.length; i += 5) {
                truth[i] = i % 2 == 0 ? 255 : (truth[i] + i) % 21;   // VOC's void border, and wrong classes
            }
            scored += java.util.Arrays.stream(truth).filter(v -> v != 255).count();
            int width = stem.endsWith("32") ? 30 : 36;
            write(fill(new BufferedImage(width, truth.length / width, BufferedImage.TYPE_BYTE_GRAY), truth),
                    gray.resolve(stem + ".png"));
            write(fill(new BufferedImage(width, truth.length / width, BufferedImage.TYPE_BYTE_INDEXED, vocColors()),
                    truth), voc.resolve(stem + ".png"));
        }
        assertThat(ImageIO.read(voc.resolve("2007_000032.png").toFile()).getColorModel())
                .isInstanceOf(IndexColorModel.class);

        JsonNode fromGray = evaluate(dir, images, gray);
        JsonNode fromPalette = evaluate(dir, images, voc);
        assertThat(fromPalette.path("pixels").asLong()).isEqualTo(scored);
        assertThat(fromPalette.path("pixel_accuracy").asDouble()).isBetween(0.5, 0.95);
        assertThat(fromPalette).isEqualTo(fromGray);
    }

    @Test
    void cityscapesLabelIdsAreMappedToTrainIdsAndPairedAcrossCities(@TempDir Path dir) throws Exception {
        Path prototxt = Files.writeString(dir.resolve("tiny_cityscapes.prototxt"), CITYSCAPES_PROTOTXT);
        Path model = dir.resolve("tiny_cityscapes.zip");
        assertThat(CliRun.of("random-weights", "--prototxt", prototxt.toString(), "-o",
                dir.resolve("tiny.caffemodel").toString(), "--seed", "3").exitCode()).isZero();
        assertThat(CliRun.of("convert", "--prototxt", prototxt.toString(), "--weights",
                dir.resolve("tiny.caffemodel").toString(), "--preset", "cityscapes", "-o", model.toString())
                .exitCode()).isZero();
        Path images = dir.resolve("leftImg8bit/val");
        Path labels = dir.resolve("gtFine/val");
        Path predicted = dir.resolve("predicted");
        long[][] expected = new long[19][19];
        long scored = 0;
        String[] frames = {"frankfurt/frankfurt_000000_000294", "lindau/lindau_000001_000019"};
        for (int f = 0; f < frames.length; f++) {
            Path image = TinyModel.image(Files.createDirectories(images.resolve(frames[f]).getParent())
                    .resolve(frames[f].substring(frames[f].indexOf('/') + 1) + "_leftImg8bit.png"), 32, 48, f);
            assertThat(CliRun.of("segment", "--model", model.toString(), "-o", predicted.toString(), "--output",
                    "labels", image.toString()).exitCode()).isZero();
            int[] prediction = SegmentFixturesTest.pixels(predicted.resolve(
                    FileNames.stem(image) + "_labels.png"));
            int[] labelIds = new int[prediction.length];
            for (int i = 0; i < labelIds.length; i++) {
                labelIds[i] = (i * 7 + f) % 36;   // every Cityscapes label ID 0..33, and 34, 35 that are none
                Integer trainId = CITYSCAPES_TRAIN_IDS.get(labelIds[i]);
                if (trainId != null) {
                    expected[trainId][prediction[i]]++;
                    scored++;
                }
            }
            Path labelDir = Files.createDirectories(labels.resolve(frames[f]).getParent());
            String frame = frames[f].substring(frames[f].indexOf('/') + 1);
            write(fill(new BufferedImage(48, 32, BufferedImage.TYPE_BYTE_GRAY), labelIds),
                    labelDir.resolve(frame + "_gtFine_labelIds.png"));
            // The other ground-truth files of the frame must not be taken for its labels.
            write(new BufferedImage(48, 32, BufferedImage.TYPE_INT_RGB), labelDir.resolve(frame + "_gtFine_color.png"));
        }

        Path json = dir.resolve("scores.json");
        CliRun run = CliRun.of("evaluate", "--model", model.toString(), "--images", images.toString(), "--labels",
                labels.toString(), "--json", json.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(run.out()).contains("Images 2", "traffic light", "bicycle");
        JsonNode scores = new ObjectMapper().readTree(json.toFile());
        assertThat(scores.path("pixels").asLong()).isEqualTo(scored);
        assertThat(new ObjectMapper().convertValue(scores.path("confusion"), long[][].class)).isEqualTo(expected);

        CliRun wrongIgnore = CliRun.of("evaluate", "--model", model.toString(), "--images", images.toString(),
                "--labels", labels.toString(), "--ignore", "0");
        assertThat(wrongIgnore.exitCode()).as(wrongIgnore.toString()).isEqualTo(2);
        assertThat(wrongIgnore.err()).contains("--ignore 0 does not apply to Cityscapes labels");
        CliRun wrongModel = CliRun.of("evaluate", "--model", vocModel.toString(), "--images", images.toString(),
                "--labels", labels.toString(), "--label-format", "cityscapes");
        assertThat(wrongModel.exitCode()).as(wrongModel.toString()).isEqualTo(2);
        assertThat(wrongModel.err()).contains("'pascal_voc' has 21 classes");
    }

    @Test
    void labelsOfAnotherSizeOrKindSkipTheirImageWithOneLineEach(@TempDir Path dir) throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        Path labels = Files.createDirectories(dir.resolve("labels"));
        for (String stem : List.of("small", "deep", "rgb", "good")) {
            TinyModel.image(images.resolve(stem + ".png"), 96, 120, stem.length());
        }
        write(new BufferedImage(7, 5, BufferedImage.TYPE_BYTE_GRAY), labels.resolve("small.png"));
        BufferedImage sixteenBit = new BufferedImage(120, 96, BufferedImage.TYPE_USHORT_GRAY);
        java.util.Arrays.fill(((DataBufferUShort) sixteenBit.getRaster().getDataBuffer()).getData(), (short) 3);
        write(sixteenBit, labels.resolve("deep.png"));
        write(new BufferedImage(120, 96, BufferedImage.TYPE_INT_RGB), labels.resolve("rgb.png"));
        write(new BufferedImage(120, 96, BufferedImage.TYPE_BYTE_GRAY), labels.resolve("good.png"));

        CliRun run = CliRun.of("evaluate", "--model", vocModel.toString(), "--images", images.toString(),
                "--labels", labels.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(SegmentCommand.SOME_FAILED);
        List<String> skipped = run.err().lines().filter(line -> line.contains("skipped")).toList();
        assertThat(skipped).hasSize(3);
        assertThat(skipped).anySatisfy(line -> assertThat(line).contains(labels.resolve("small.png") + " is 7x5",
                "image " + images.resolve("small.png") + " is 120x96", "must have its image's size"));
        assertThat(skipped).anySatisfy(line -> assertThat(line).contains("deep.png is a 16-bit gray image",
                "labels must be 8-bit class indices in a gray or palette"));
        assertThat(skipped).anySatisfy(line -> assertThat(line).contains("rgb.png is an RGB color image"));
        assertThat(run.out()).contains("Images 1", "labelled pixels 11,520");
    }

    @Test
    void ignoreValuesOutsideALabelByteAreUsageErrors(@TempDir Path dir) {
        for (String ignore : List.of("99999", "-2", "256")) {
            CliRun run = CliRun.of("evaluate", "--model", dir.resolve("absent.zip").toString(), "--images",
                    dir.toString(), "--labels", dir.toString(), "--ignore", ignore);
            assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
            assertThat(run.err()).contains("--ignore must be between -1 and 255 (got " + ignore + ")");
        }
        assertThat(CliRun.of("evaluate", "--help").out()).contains("--label-format", "_gtFine_labelIds.png",
                "palette PNG");
    }

    @Test
    void paletteOutputHoldsTheLabelsAndTheDatasetPalette(@TempDir Path dir) throws Exception {
        Path image = TinyModel.image(dir.resolve("a.png"), 40, 30, 7);
        Path out = dir.resolve("out");
        CliRun run = CliRun.of("segment", "--model", vocModel.toString(), "-o", out.toString(), "--output",
                "labels,palette,color", image.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        Path palette = out.resolve("a_palette.png");

        int[] labels = SegmentFixturesTest.pixels(out.resolve("a_labels.png"));
        assertThat(java.util.Arrays.stream(labels).distinct().count()).isGreaterThan(1);
        assertThat(new LabelReader(LabelFormat.INDEX, ImageLimits.DEFAULT).read(palette).values())
                .containsExactly(labels);
        assertThat(ImageIO.read(palette.toFile()).getColorModel()).isInstanceOf(IndexColorModel.class);
        List<int[]> vocPalette = ModelRegistry.find("pascal_voc").orElseThrow().dataset().palette();
        assertThat(paletteChunk(palette)).hasSameSizeAs(vocPalette);
        for (int c = 0; c < vocPalette.size(); c++) {
            assertThat(paletteChunk(palette).get(c)).as("class %d", c).containsExactly(vocPalette.get(c));
        }
        // Shown as colors, the palette PNG is the color output.
        assertThat(SegmentFixturesTest.pixels(palette)).isNotEqualTo(labels)
                .containsExactly(SegmentFixturesTest.pixels(out.resolve("a_color.png")));
    }

    /** The PLTE entries of a PNG file, read from the chunk itself (ImageIO pads palettes to 2^depth entries). */
    private static List<int[]> paletteChunk(Path png) throws IOException {
        try (DataInputStream in = new DataInputStream(Files.newInputStream(png))) {
            in.skipNBytes(8);
            while (true) {
                int length = in.readInt();
                String type = new String(in.readNBytes(4), StandardCharsets.US_ASCII);
                byte[] data = in.readNBytes(length);
                in.skipNBytes(4);
                if (type.equals("PLTE")) {
                    List<int[]> entries = new java.util.ArrayList<>();
                    for (int i = 0; i < length; i += 3) {
                        entries.add(new int[] {data[i] & 0xff, data[i + 1] & 0xff, data[i + 2] & 0xff});
                    }
                    return entries;
                }
                assertThat(type).as("chunk before PLTE").isNotEqualTo("IDAT");
            }
        }
    }

    private static JsonNode evaluate(Path dir, Path images, Path labels) throws IOException {
        Path json = dir.resolve(labels.getFileName() + ".json");
        CliRun run = CliRun.of("evaluate", "--model", vocModel.toString(), "--images", images.toString(), "--labels",
                labels.toString(), "--json", json.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return new ObjectMapper().readTree(json.toFile());
    }

    /** The pascal_voc classes' colors and VOC's void color at 255, as in the dataset's label files. */
    private static IndexColorModel vocColors() {
        byte[][] rgb = new byte[3][256];
        List<int[]> palette = ModelRegistry.find("pascal_voc").orElseThrow().dataset().palette();
        int[] voidColor = {224, 224, 192};
        for (int i = 0; i < 256; i++) {
            int[] color = i < palette.size() ? palette.get(i) : i == 255 ? voidColor : new int[3];
            for (int channel = 0; channel < 3; channel++) {
                rgb[channel][i] = (byte) color[channel];
            }
        }
        return new IndexColorModel(8, 256, rgb[0], rgb[1], rgb[2]);
    }

    private static BufferedImage fill(BufferedImage image, int[] values) {
        byte[] pixels = ((DataBufferByte) image.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < values.length; i++) {
            pixels[i] = (byte) values[i];
        }
        return image;
    }

    private static void write(BufferedImage image, Path file) throws IOException {
        assertThat(ImageIO.write(image, "png", file.toFile())).isTrue();
    }
}
