package ai.dilation4j.converter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.SourceFile;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.testing.BlobAssert;
import ai.dilation4j.testing.KerasTwin;

/**
 * What {@link ConversionOptions} do to a Caffe conversion: the dataset fields from a preset or a file of their own,
 * checked against the network and recorded; the input order of a network trained on RGB images.
 */
class ConversionOptionsTest {

    private static final ConversionOptions RGB = ConversionOptions.builder()
            .inputOrder(InputChannelOrder.RGB).build();

    @TempDir
    Path dir;

    @Test
    void aNetworkTrainedOnRgbTakesBgrOnceConvertedWithInputOrderRgb() throws Exception {
        KerasTwin twin = KerasTwin.frontEnd();
        Path prototxt = twin.writeCaffe(dir, 7);
        Path caffemodel = KerasTwin.caffemodel(prototxt);
        Path rgbWeights = KerasTwin.writeCaffemodel(caffemodel, KerasTwin.inputChannelsReversed(
                KerasTwin.caffeWeights(caffemodel), "conv1_1"), dir.resolve("rgb.caffemodel"));
        Path target = dir.resolve("rgb.zip");
        new CaffeConverter().convertTo(prototxt, rgbWeights, RGB, target);
        try (SegmentationModel converted = SegmentationModel.load(target);
             SegmentationModel bgr = new CaffeConverter().convert(prototxt, caffemodel, ConversionOptions.defaults())) {
            assertSameBlobs(converted, bgr, twin.inputShape());
            SourceFile weights = converted.metadata().sources().get(1);
            assertThat(weights.fileName()).isEqualTo("rgb.caffemodel");
            assertThat(weights.note()).contains("RGB", "conv1_1", "BGR");
            assertThat(converted.metadata().sources().get(0).note()).isNull();
        }
    }

    @Test
    void everyConvolutionReadingTheInputIsReversedAndACropsReferenceIsLeftAlone() throws Exception {
        Path prototxt = Files.writeString(dir.resolve("branches.prototxt"), """
                name: "branches"
                input: "data"
                input_shape { dim: 1 dim: 3 dim: 12 dim: 12 }
                layer { name: "left" type: "Convolution" bottom: "data" top: "left"
                        convolution_param { num_output: 4 kernel_size: 3 pad: 2 } }
                layer { name: "right" type: "Convolution" bottom: "data" top: "right"
                        convolution_param { num_output: 4 kernel_size: 3 pad: 2 } }
                layer { name: "sum" type: "Eltwise" bottom: "left" bottom: "right" top: "sum" }
                layer { name: "crop" type: "Crop" bottom: "sum" bottom: "data" top: "crop"
                        crop_param { axis: 2 offset: 1 } }
                layer { name: "prob" type: "Softmax" bottom: "crop" top: "prob" }
                """);
        Path caffemodel = dir.resolve("branches.caffemodel");
        RandomCaffeModel.write(prototxt, caffemodel, 5, RandomCaffeModel.Format.V2);
        Path rgbWeights = KerasTwin.writeCaffemodel(caffemodel, KerasTwin.inputChannelsReversed(
                KerasTwin.caffeWeights(caffemodel), "left", "right"), dir.resolve("rgb.caffemodel"));
        try (SegmentationModel converted = new CaffeConverter().convert(prototxt, rgbWeights, RGB);
             SegmentationModel bgr = new CaffeConverter().convert(prototxt, caffemodel, ConversionOptions.defaults())) {
            assertSameBlobs(converted, bgr, new long[] {1, 3, 12, 12});
            assertThat(converted.metadata().sources().get(1).note()).contains("left", "right");
        }
    }

    @Test
    void inputOrderRgbIsRefusedBeforeReadingWeightsWhenTheInputFeedsAnythingButConvolutions() throws Exception {
        Path pooled = Files.writeString(dir.resolve("pooled.prototxt"), """
                input: "data"
                input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }
                layer { name: "pool0" type: "Pooling" bottom: "data" top: "pool0"
                        pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
                layer { name: "score" type: "Convolution" bottom: "pool0" top: "score"
                        convolution_param { num_output: 2 kernel_size: 1 } }
                """);
        Path missingWeights = dir.resolve("never-read.caffemodel");
        assertThatThrownBy(() -> new CaffeConverter().convert(pooled, missingWeights, RGB))
                .isInstanceOf(ConversionException.class)
                .hasMessageContaining("'pool0' (CaffePoolingVertex) reads the input 'data'")
                .hasMessageContaining("BGR");
        Path gray = Files.writeString(dir.resolve("gray.prototxt"), """
                input: "data"
                input_shape { dim: 1 dim: 1 dim: 8 dim: 8 }
                layer { name: "score" type: "Convolution" bottom: "data" top: "score"
                        convolution_param { num_output: 2 kernel_size: 1 } }
                """);
        assertThatThrownBy(() -> new CaffeConverter().convert(gray, missingWeights, RGB))
                .isInstanceOf(ConversionException.class)
                .hasMessageContaining("input 'data' has 1 channels, not 3");
        Path depthwise = Files.writeString(dir.resolve("depthwise.prototxt"), """
                input: "data"
                input_shape { dim: 1 dim: 3 dim: 8 dim: 8 }
                layer { name: "dw" type: "Convolution" bottom: "data" top: "dw"
                        convolution_param { num_output: 3 kernel_size: 3 group: 3 } }
                """);
        assertThatThrownBy(() -> new CaffeConverter().convert(depthwise, missingWeights, RGB))
                .isInstanceOf(ConversionException.class)
                .hasMessageContaining("'dw' (DepthwiseConvolution2D)");
    }

    @Test
    void aDatasetFileIsRecordedWithTheModelAndItsClassesAreCheckedBeforeTheWeightsAreRead() throws Exception {
        KerasTwin twin = KerasTwin.frontEnd();
        Path prototxt = twin.writeCaffe(dir, 7);
        Path datasetFile = dir.resolve("roads.json");
        SourceFile source = new SourceFile("dataset", "roads.json", 321, "ab".repeat(32));
        DatasetSpec fiveClasses = dataset(5);
        try (SegmentationModel model = new CaffeConverter().convert(prototxt, KerasTwin.caffemodel(prototxt),
                ConversionOptions.builder().datasetFile(datasetFile, source, fiveClasses).build())) {
            assertThat(model.metadata().dataset()).isEqualTo(fiveClasses);
            assertThat(model.metadata().preset()).isNull();
            assertThat(model.metadata().sources()).extracting(SourceFile::role)
                    .containsExactly("prototxt", "weights", "dataset");
            assertThat(model.metadata().sources().get(2)).isEqualTo(source);
        }

        Path missingWeights = dir.resolve("never-read.caffemodel");
        assertThatThrownBy(() -> new CaffeConverter().convert(prototxt, missingWeights,
                ConversionOptions.builder().datasetFile(datasetFile, source, dataset(3)).build()))
                .isInstanceOf(ConversionException.class)
                .hasMessage("Dataset file " + datasetFile + " (field 'classes') has 3 classes but the network's "
                        + "output 'prob' has 5 channels. List one class per output channel, in channel order.");
        assertThatThrownBy(() -> new CaffeConverter().convert(prototxt, missingWeights,
                ConversionOptions.builder().preset("pascal_voc", dataset(21)).build()))
                .isInstanceOf(ConversionException.class)
                .hasMessageContaining("Preset 'pascal_voc' has 21 classes but the network's output 'prob' has 5");
    }

    @Test
    void aPresetReplacesADatasetFileAndTheOtherWayRound() {
        SourceFile source = new SourceFile("dataset", "roads.json", 321, "ab".repeat(32));
        ConversionOptions preset = ConversionOptions.builder()
                .datasetFile(dir.resolve("roads.json"), source, dataset(2)).preset("camvid", dataset(3)).build();
        assertThat(preset.presetName()).contains("camvid");
        assertThat(preset.datasetSource()).isEmpty();
        assertThat(preset.dataset().orElseThrow().numClasses()).isEqualTo(3);
        ConversionOptions file = ConversionOptions.builder()
                .preset("camvid", dataset(3)).datasetFile(dir.resolve("roads.json"), source, dataset(2)).build();
        assertThat(file.presetName()).isEmpty();
        assertThat(file.datasetSource()).contains(source);
        assertThat(file.inputOrder()).isEqualTo(InputChannelOrder.BGR);
    }

    private static DatasetSpec dataset(int classes) {
        List<String> names = java.util.stream.IntStream.range(0, classes).mapToObj(i -> "class" + i).toList();
        List<int[]> palette = java.util.stream.IntStream.range(0, classes).mapToObj(i -> new int[] {i, 2 * i, 3 * i})
                .toList();
        return new DatasetSpec("roads", names, palette, new double[] {104, 117, 123}, 20, 8);
    }

    /** Every blob of both models on the same random input, within {@link BlobAssert}'s tolerance. */
    private static void assertSameBlobs(SegmentationModel ours, SegmentationModel reference, long[] inputShape)
            throws Exception {
        Nd4j.getRandom().setSeed(11);
        INDArray input = Nd4j.rand(DataType.FLOAT, inputShape).muli(255).subi(120);
        Map<String, INDArray> actual = ours.forwardBlobs(input.dup(), List.of());
        Map<String, INDArray> expected = reference.forwardBlobs(input.dup(), List.of());
        assertThat(actual.keySet()).isEqualTo(expected.keySet());
        for (String blob : expected.keySet()) {
            BlobAssert.assertBlobClose(blob, actual.get(blob), expected.get(blob));
        }
        assertThat(Nd4j.argMax(actual.get("prob"), 1)).isEqualTo(Nd4j.argMax(expected.get("prob"), 1));
    }
}
