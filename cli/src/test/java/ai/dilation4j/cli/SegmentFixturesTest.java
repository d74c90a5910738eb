package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;

import ai.dilation4j.models.ModelPreset;
import ai.dilation4j.models.ModelRegistry;
import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.image.DecodedImage;
import ai.dilation4j.runtime.image.ImageDecoder;
import ai.dilation4j.runtime.image.ImageLimits;
import ai.dilation4j.runtime.io.Npy;
import ai.dilation4j.runtime.segment.TileExtractor;
import ai.dilation4j.testing.RequiresSharedData;
import ai.dilation4j.testing.SharedData;

/**
 * {@code segment} on a fixture's input.png with its converted model and preset reproduces predict.py's label.png
 * and color.png, except pixels whose top-2 probability margin is below 1e-4; its first network tile equals the
 * fixture's input_blob.npy exactly.
 */
class SegmentFixturesTest {

    static List<Path> fixturesWithLabels() {
        return SharedData.fixtures().stream().filter(f -> Files.exists(f.resolve("label.png"))).toList();
    }

    @RequiresSharedData
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixturesWithLabels")
    void reproducesPredictPy(Path fixture, @TempDir Path work) throws Exception {
        ModelPreset preset = presetOf(fixture);
        Path model = work.resolve("model.zip");
        CliRun convert = CliRun.of("convert", "--prototxt", fixture.resolve("deploy.prototxt").toString(),
                "--weights", fixture.resolve("weights.caffemodel").toString(), "--preset", preset.name(),
                "-o", model.toString());
        assertThat(convert.exitCode()).as(convert.toString()).isZero();

        CliRun segment = CliRun.of("segment", "--model", model.toString(), "-o", work.toString(),
                "--output", "color,labels,prob", fixture.resolve("input.png").toString());
        assertThat(segment.exitCode()).as(segment.toString()).isZero();
        assertThat(segment.out()).contains("\"class_fractions\"", "\"timings_ms\"");

        INDArray prob = Npy.read(work.resolve("input_prob.npy"));
        int[] ours = pixels(work.resolve("input_labels.png"));
        int[] expected = pixels(fixture.resolve("label.png"));
        int[] oursColor = pixels(work.resolve("input_color.png"));
        int[] expectedColor = pixels(fixture.resolve("color.png"));
        int width = (int) prob.size(2);
        assertThat(ours).hasSameSizeAs(expected);
        int differing = 0;
        for (int i = 0; i < ours.length; i++) {
            if (ours[i] != expected[i] || oursColor[i] != expectedColor[i]) {
                double margin = topTwoMargin(prob, i / width, i % width);
                assertThat(margin).as("pixel %d,%d differs (ours %d, predict.py %d) with top-2 margin %g",
                        i / width, i % width, ours[i], expected[i], margin).isLessThan(1e-4);
                differing++;
            }
        }
        assertThat(differing).isLessThanOrEqualTo(ours.length / 1000);
    }

    @RequiresSharedData
    @ParameterizedTest(name = "{0}")
    @MethodSource("fixturesWithLabels")
    void firstTileIsTheFixtureInputBlob(Path fixture) throws Exception {
        DatasetSpec dataset = presetOf(fixture).dataset();
        INDArray expected = Npy.read(fixture.resolve("input_blob.npy"));
        try (DecodedImage image = ImageDecoder.decode(fixture.resolve("input.png"), ImageLimits.DEFAULT);
             TileExtractor tiles = new TileExtractor(image, dataset, (int) expected.size(2), (int) expected.size(3))) {
            assertThat(tiles.tile(0, 0).equals(expected)).as("bit-exact network input").isTrue();
        }
    }

    private static ModelPreset presetOf(Path fixture) {
        String name = fixture.getFileName().toString();
        Optional<ModelPreset> preset = ModelRegistry.presets().stream()
                .filter(p -> name.contains(p.name())).findFirst();
        return preset.orElseThrow(() -> new AssertionError("no preset for fixture " + name));
    }

    private static double topTwoMargin(INDArray prob, int y, int x) {
        float[] values = new float[(int) prob.size(0)];
        for (int c = 0; c < values.length; c++) {
            values[c] = prob.getFloat(c, y, x);
        }
        return topTwoMargin(values);
    }

    /** Largest minus second largest value: how close the argmax was to a tie. */
    static double topTwoMargin(float[] values) {
        float first = Float.NEGATIVE_INFINITY;
        float second = Float.NEGATIVE_INFINITY;
        for (float v : values) {
            if (v > first) {
                second = first;
                first = v;
            } else if (v > second) {
                second = v;
            }
        }
        return first - second;
    }

    /** One int per pixel: the gray value, or the packed color. */
    static int[] pixels(Path png) {
        try (Mat mat = opencv_imgcodecs.imread(png.toString(), opencv_imgcodecs.IMREAD_UNCHANGED)) {
            assertThat(mat.empty()).as("readable " + png).isFalse();
            ByteBuffer bytes = mat.createBuffer();
            int channels = mat.channels();
            int[] values = new int[mat.rows() * mat.cols()];
            for (int i = 0; i < values.length; i++) {
                int value = 0;
                for (int c = 0; c < channels; c++) {
                    value = (value << 8) | (bytes.get(i * channels + c) & 0xff);
                }
                values[i] = value;
            }
            return values;
        }
    }
}
