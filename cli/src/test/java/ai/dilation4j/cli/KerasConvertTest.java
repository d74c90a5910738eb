package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import ai.dilation4j.runtime.io.Npy;
import ai.dilation4j.testing.KerasTwin;
import ai.dilation4j.testing.KerasTwin.Flavor;
import ai.dilation4j.testing.KerasTwin.Head;

/**
 * {@code convert --keras} and {@code --keras-json/--keras-weights}: the Keras twin segments like the Caffe model; with
 * {@code --input-order rgb}, so do a Keras and a Caffe model trained on RGB images.
 */
class KerasConvertTest {

    private static final Flavor KERAS2 = new Flavor("2.2.4", false, "tensorflow", Head.RESHAPE_SOFTMAX);
    private static final Flavor KERAS1 = new Flavor("1.2.1", false, "tensorflow", Head.RESHAPE_SOFTMAX);

    @TempDir
    Path dir;
    private int conversions;

    @Test
    void kerasModelsSegmentWithTheLabelsOfTheirCaffeTwin() throws Exception {
        KerasTwin twin = KerasTwin.pascalTiny();
        Path prototxt = twin.writeCaffe(dir, 9);
        Path caffemodel = KerasTwin.caffemodel(prototxt);
        Map<String, List<INDArray>> weights = KerasTwin.caffeWeights(caffemodel);
        Path full = dir.resolve("keras1.h5");
        twin.writeKerasModel(full, KERAS1, weights);
        Path json = Files.writeString(dir.resolve("keras2.json"), twin.kerasJson(KERAS2));
        Path split = dir.resolve("keras2_weights.h5");
        twin.writeKerasWeights(split, KERAS2, weights);

        Path caffeZip = convert("--prototxt", prototxt.toString(), "--weights", caffemodel.toString());
        Path fullZip = convert("--keras", full.toString());
        Path splitZip = convert("--keras-json", json.toString(), "--keras-weights", split.toString());

        Path images = Files.createDirectories(dir.resolve("images"));
        TinyModel.image(images.resolve("photo.png"), 40, 50, 4);
        Path caffeOut = segment(caffeZip, images);
        for (Path keras : List.of(fullZip, splitZip)) {
            assertSegmentsLike(caffeOut, keras, images);
        }
        CliRun inspect = CliRun.of("inspect", "--model", fullZip.toString());
        assertThat(inspect.out()).contains("keras1.h5", "conv1_input", "GemmConvolutionLayer");

        // forward --blobs takes the Keras layer names, which are the Caffe twin's blob names here
        Path input = dir.resolve("input.npy");
        Npy.write(Nd4j.rand(DataType.FLOAT, twin.inputShape()).subi(0.5).muli(100), input);
        Path caffeBlobs = forward(caffeZip, input, "caffe_blobs");
        Path kerasBlobs = forward(fullZip, input, "keras_blobs");
        for (String blob : List.of("conv1", "wide", "mix", "ctx")) {
            INDArray expected = Npy.read(caffeBlobs.resolve(blob + ".npy"));
            INDArray actual = Npy.read(kerasBlobs.resolve(blob + ".npy"));
            assertThat(actual.shape()).as(blob).isEqualTo(expected.shape());
            assertThat(Transforms.abs(actual.sub(expected)).maxNumber().doubleValue()).as(blob)
                    .isLessThanOrEqualTo(1e-4 * Math.max(1, Transforms.abs(expected).maxNumber().doubleValue()));
        }
    }

    @Test
    void rgbTrainedCaffeAndKerasModelsSegmentWithTheLabelsOfTheirBgrTwin() throws Exception {
        KerasTwin twin = KerasTwin.pascalTiny();
        Path prototxt = twin.writeCaffe(dir, 9);
        Path caffemodel = KerasTwin.caffemodel(prototxt);
        Map<String, List<INDArray>> rgbWeights = KerasTwin.inputChannelsReversed(KerasTwin.caffeWeights(caffemodel),
                "conv1");
        Path rgbCaffemodel = KerasTwin.writeCaffemodel(caffemodel, rgbWeights, dir.resolve("rgb.caffemodel"));
        Path rgbKeras = dir.resolve("rgb.h5");
        twin.writeKerasModel(rgbKeras, KERAS2, rgbWeights);

        Path bgrZip = convert("--prototxt", prototxt.toString(), "--weights", caffemodel.toString());
        Path rgbCaffeZip = convert("--prototxt", prototxt.toString(), "--weights", rgbCaffemodel.toString(),
                "--input-order", "rgb");
        Path rgbKerasZip = convert("--keras", rgbKeras.toString(), "--input-order", "RGB");

        Path images = Files.createDirectories(dir.resolve("images"));
        TinyModel.image(images.resolve("photo.png"), 40, 50, 4);
        Path bgrOut = segment(bgrZip, images);
        for (Path rgb : List.of(rgbCaffeZip, rgbKerasZip)) {
            assertSegmentsLike(bgrOut, rgb, images);
            CliRun inspect = CliRun.of("inspect", "--model", rgb.toString());
            assertThat(inspect.out()).as(rgb.toString()).contains("trained on RGB input: the input channels of conv1 "
                    + "were reversed");
        }
        // Without --input-order rgb the same weights give other probabilities: the option is what makes them equal.
        Path unreversed = convert("--keras", rgbKeras.toString());
        INDArray wrong = Npy.read(segment(unreversed, images).resolve("photo_prob.npy"));
        assertThat(Transforms.abs(wrong.sub(Npy.read(bgrOut.resolve("photo_prob.npy")))).maxNumber().doubleValue())
                .isGreaterThan(1e-3);
    }

    @Test
    void caffeAndKerasInputsAreExclusiveUsageErrors() throws Exception {
        CliRun mixed = CliRun.of("convert", "--prototxt", "a.prototxt", "--weights", "a.caffemodel", "--keras", "a.h5",
                "-o", dir.resolve("m.zip").toString());
        assertThat(mixed.exitCode()).as(mixed.toString()).isEqualTo(2);
        assertThat(mixed.err()).contains("mutually exclusive", "--keras", "--prototxt");
        CliRun half = CliRun.of("convert", "--keras-json", "a.json", "-o", dir.resolve("m.zip").toString());
        assertThat(half.exitCode()).as(half.toString()).isEqualTo(2);
        assertThat(half.err()).contains("Missing required option '--keras-weights=FILE'");
        CliRun crossed = CliRun.of("convert", "--keras", "a.h5", "--weights", "a.caffemodel", "-o",
                dir.resolve("m.zip").toString());
        assertThat(crossed.exitCode()).as(crossed.toString()).isEqualTo(2);
        assertThat(crossed.err()).contains("--weights does not go with --keras");
        CliRun none = CliRun.of("convert", "-o", dir.resolve("m.zip").toString());
        assertThat(none.exitCode()).as(none.toString()).isEqualTo(2);
        assertThat(dir.resolve("m.zip")).doesNotExist();
    }

    @Test
    void aDamagedKerasFileFailsWithOneLineAndNoOutput() throws Exception {
        Path h5 = Files.write(dir.resolve("model.h5"), new byte[] {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n', 0});
        Path output = dir.resolve("model.zip");
        CliRun run = CliRun.of("convert", "--keras", h5.toString(), "--preset", "pascal_voc", "-o", output.toString());
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(1);
        assertThat(run.err()).contains(h5.toString(), "damaged or truncated").doesNotContain("Exception", "\tat ");
        assertThat(output).doesNotExist();
    }

    /** Converts with the pascal_voc preset into a new model file. */
    private Path convert(String... source) {
        Path output = dir.resolve("model" + ++conversions + ".zip");
        String[] args = new String[source.length + 5];
        args[0] = "convert";
        System.arraycopy(source, 0, args, 1, source.length);
        args[source.length + 1] = "--preset";
        args[source.length + 2] = "pascal_voc";
        args[source.length + 3] = "-o";
        args[source.length + 4] = output.toString();
        CliRun run = CliRun.of(args);
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return output;
    }

    private Path segment(Path model, Path images) {
        Path out = dir.resolve("out_" + model.getFileName());
        CliRun run = CliRun.of("segment", "--model", model.toString(), "-o", out.toString(), "--output", "labels,prob",
                images.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return out;
    }

    /** The model segments the images into the labels of {@code reference}, with probabilities within 1e-5. */
    private void assertSegmentsLike(Path reference, Path model, Path images) throws Exception {
        Path out = segment(model, images);
        assertThat(Files.readAllBytes(out.resolve("photo_labels.png"))).as(model.toString())
                .isEqualTo(Files.readAllBytes(reference.resolve("photo_labels.png")));
        INDArray prob = Npy.read(out.resolve("photo_prob.npy"));
        INDArray expected = Npy.read(reference.resolve("photo_prob.npy"));
        assertThat(Transforms.abs(prob.sub(expected)).maxNumber().doubleValue()).as(model.toString())
                .isLessThan(1e-5);
    }

    private Path forward(Path model, Path input, String outDir) {
        Path out = dir.resolve(outDir);
        CliRun run = CliRun.of("forward", "--model", model.toString(), "--input-npy", input.toString(), "--blobs",
                "conv1,wide,mix,ctx", "--out", out.toString());
        assertThat(run.exitCode()).as(run.toString()).isZero();
        return out;
    }
}
