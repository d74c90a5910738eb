package ai.dilation4j.converter.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.converter.CaffeConverter;
import ai.dilation4j.converter.ConversionOptions;
import ai.dilation4j.converter.InputChannelOrder;
import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.api.UnsupportedLayerException;
import ai.dilation4j.runtime.DatasetSpec;
import ai.dilation4j.runtime.SourceFile;
import ai.dilation4j.runtime.io.Sha256;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.runtime.nn.conv.GemmConvolutionLayer;
import ai.dilation4j.testing.BlobAssert;
import ai.dilation4j.testing.KerasTwin.Flavor;
import ai.dilation4j.testing.KerasTwin.Head;
import ai.dilation4j.testing.KerasTwin;

/**
 * A Keras port of a DilatedNet-shaped network, written as Keras 1.2.1 and 2.2.4 write it, imports to the graph the
 * Caffe twin converts to: every blob within 1e-4 relative, identical labels.
 */
class KerasConverterTest {

    private static final Flavor KERAS1_TF = new Flavor("1.2.1", false, "tensorflow", Head.RESHAPE_SOFTMAX);
    private static final Flavor KERAS2_TF = new Flavor("2.2.4", false, "tensorflow", Head.RESHAPE_SOFTMAX);

    @TempDir
    Path dir;

    @Test
    void keras1TensorFlowFrontEndComputesWhatItsCaffeTwinComputes() throws Exception {
        assertFullModelMatchesCaffeTwin(KerasTwin.frontEnd(), KERAS1_TF);
    }

    @Test
    void keras2TensorFlowFrontEndWithContextModuleComputesWhatItsCaffeTwinComputes() throws Exception {
        assertFullModelMatchesCaffeTwin(KerasTwin.withContext(), KERAS2_TF);
    }

    @Test
    void keras1TheanoChannelsFirstKernelsAreUnflipped() throws Exception {
        assertFullModelMatchesCaffeTwin(KerasTwin.frontEnd(), new Flavor("1.2.1", true, "theano", Head.SCORES));
    }

    @Test
    void keras2ChannelsFirstWithASoftmaxLayerOverTheChannels() throws Exception {
        // modelimport M2.1 takes Keras 2 channels_first kernels for Theano's layout; the converter repairs them.
        assertFullModelMatchesCaffeTwin(KerasTwin.frontEnd(),
                new Flavor("2.2.4", true, "tensorflow", Head.SOFTMAX_LAYER));
    }

    @Test
    void keras2FunctionalModelWithAnInputLayer() throws Exception {
        KerasTwin twin = KerasTwin.frontEnd().functional();
        assertFullModelMatchesCaffeTwin(twin, KERAS2_TF);
        try (SegmentationModel model = new KerasConverter().convert(dir.resolve("model.h5"),
                ConversionOptions.defaults())) {
            assertThat(model.metadata().inputBlob()).isEqualTo("image");
        }
    }

    @Test
    void samePaddingAndPerAxisDilationsOfKeras1And2() throws Exception {
        assertFullModelMatchesCaffeTwin(KerasTwin.pascalTiny(), KERAS1_TF);
        assertFullModelMatchesCaffeTwin(KerasTwin.pascalTiny(), KERAS2_TF);
    }

    @Test
    void aKerasPortTrainedOnRgbTakesBgrLikeItsCaffeTwinWithInputOrderRgbAndRecordsItsDatasetFile() throws Exception {
        KerasTwin twin = KerasTwin.frontEnd();
        Path prototxt = twin.writeCaffe(dir, 7);
        Map<String, List<INDArray>> weights = KerasTwin.caffeWeights(KerasTwin.caffemodel(prototxt));
        Path h5 = dir.resolve("rgb.h5");
        twin.writeKerasModel(h5, KERAS2_TF, KerasTwin.inputChannelsReversed(weights, "conv1_1"));
        SourceFile datasetFile = new SourceFile("dataset", "roads.json", 100, "cd".repeat(32));
        DatasetSpec roads = new DatasetSpec("roads", List.of("a", "b", "c", "d", "e"), List.of(new int[] {0, 0, 0},
                new int[] {1, 1, 1}, new int[] {2, 2, 2}, new int[] {3, 3, 3}, new int[] {4, 4, 4}),
                new double[] {90, 100, 110}, 186, 8);
        ConversionOptions rgb = ConversionOptions.builder().inputOrder(InputChannelOrder.RGB)
                .datasetFile(dir.resolve("roads.json"), datasetFile, roads).build();
        try (SegmentationModel keras = new KerasConverter().convert(h5, rgb);
             SegmentationModel caffe = new CaffeConverter().convert(prototxt, KerasTwin.caffemodel(prototxt),
                     ConversionOptions.defaults())) {
            assertSameBlobs(twin, keras, caffe, true);
            assertThat(keras.metadata().sources()).hasSize(2);
            assertThat(keras.metadata().sources().get(0).note()).contains("RGB", "conv1_1");
            assertThat(keras.metadata().sources().get(1)).isEqualTo(datasetFile);
            assertThat(keras.metadata().dataset()).isEqualTo(roads);
        }
        DatasetSpec threeClasses = new DatasetSpec("roads", List.of("a", "b", "c"), List.of(new int[] {0, 0, 0},
                new int[] {1, 1, 1}, new int[] {2, 2, 2}), new double[] {90, 100, 110}, 186, 8);
        assertThatThrownBy(() -> new KerasConverter().convert(h5, ConversionOptions.builder()
                .datasetFile(dir.resolve("roads.json"), datasetFile, threeClasses).build()))
                .isInstanceOf(ConversionException.class)
                .hasMessageContaining("roads.json (field 'classes') has 3 classes but the network's output 'prob' has "
                        + "5 channels");
    }

    @Test
    void architectureJsonWithAWeightsFileImportsAndRecordsBothFiles() throws Exception {
        KerasTwin twin = KerasTwin.withContext();
        Path prototxt = twin.writeCaffe(dir, 7);
        Map<String, List<INDArray>> weights = KerasTwin.caffeWeights(KerasTwin.caffemodel(prototxt));
        Path json = Files.writeString(dir.resolve("model.json"), twin.kerasJson(KERAS2_TF));
        Path h5 = dir.resolve("weights.h5");
        twin.writeKerasWeights(h5, KERAS2_TF, weights);
        try (SegmentationModel keras = new KerasConverter().convert(json, h5, ConversionOptions.defaults());
             SegmentationModel caffe = new CaffeConverter().convert(prototxt, KerasTwin.caffemodel(prototxt),
                     ConversionOptions.defaults())) {
            assertSameBlobs(twin, keras, caffe, true);
            assertThat(keras.metadata().sources()).extracting(source -> source.role() + " " + source.fileName())
                    .containsExactly("json model.json", "weights weights.h5");
            assertThat(keras.metadata().sources().get(1).sha256()).isEqualTo(Sha256.of(Files.readAllBytes(h5)));
            assertThat(keras.metadata().name()).isEqualTo("model");
        }
    }

    @Test
    void convolutionsRunOnTheFastGemmConvolutionLayer() throws Exception {
        KerasTwin twin = KerasTwin.frontEnd();
        Path h5 = writeFullModel(twin, KERAS2_TF);
        try (SegmentationModel model = new KerasConverter().convert(h5, ConversionOptions.defaults())) {
            for (String convolution : twin.convolutions()) {
                LayerVertex vertex = (LayerVertex) model.graph().getConfiguration().getVertices().get(convolution);
                assertThat(vertex.getLayerConf().getLayer()).as(convolution).isInstanceOf(GemmConvolutionLayer.class);
                assertThat(((ConvolutionLayer) vertex.getLayerConf().getLayer()).getCnn2dDataFormat().name())
                        .isEqualTo("NCHW");
            }
            assertThat(model.metadata().inputBlob()).isEqualTo("conv1_1_input");
            assertThat(model.metadata().inputShape()).containsExactly(twin.inputShape());
            assertThat(model.metadata().outputBlob()).isEqualTo("prob");
            assertThat(model.metadata().numClasses()).isEqualTo(twin.classes());
        }
    }

    @Test
    void convertToWritesAModelThatLoadsAndComputesTheSame() throws Exception {
        KerasTwin twin = KerasTwin.withContext();
        Path h5 = writeFullModel(twin, KERAS1_TF);
        Path target = dir.resolve("model.zip");
        new KerasConverter().convertTo(h5, ConversionOptions.defaults(), target);
        INDArray input = input(twin);
        try (SegmentationModel inMemory = new KerasConverter().convert(h5, ConversionOptions.defaults());
             SegmentationModel loaded = SegmentationModel.load(target)) {
            assertThat(loaded.forward(input.dup())).isEqualTo(inMemory.forward(input.dup()));
            assertThat(loaded.metadata().sources().get(0).sha256()).isEqualTo(Sha256.of(Files.readAllBytes(h5)));
        }
    }

    @Test
    void aLayerClassThatDoesNotImportIsNamedWithWhatDoes() throws Exception {
        KerasTwin twin = KerasTwin.frontEnd();
        Path prototxt = twin.writeCaffe(dir, 7);
        Map<String, List<INDArray>> weights = KerasTwin.caffeWeights(KerasTwin.caffemodel(prototxt));
        Path json = Files.writeString(dir.resolve("model.json"), twin.kerasJson(KERAS2_TF)
                .replace("{\"class_name\":\"Dropout\",\"config\":{\"name\":\"drop6\"",
                        "{\"class_name\":\"BatchNormalization\",\"config\":{\"name\":\"drop6\""));
        Path h5 = dir.resolve("weights.h5");
        twin.writeKerasWeights(h5, KERAS2_TF, weights);
        Path target = dir.resolve("model.zip");
        assertThatThrownBy(() -> new KerasConverter().convertTo(json, h5, ConversionOptions.defaults(), target))
                .isInstanceOf(UnsupportedLayerException.class)
                .hasMessageContaining("Layer 'drop6' (BatchNormalization)")
                .hasMessageContaining("Conv2D").hasMessageContaining("MaxPooling2D").hasMessageContaining("Reshape");
        assertThat(target).doesNotExist();
    }

    @Test
    void aTruncatedFileIsRefusedAndNothingIsWritten() throws Exception {
        Path h5 = writeFullModel(KerasTwin.frontEnd(), KERAS2_TF);
        byte[] bytes = Files.readAllBytes(h5);
        Files.write(h5, Arrays.copyOf(bytes, bytes.length / 2));
        Path target = dir.resolve("model.zip");
        assertThatThrownBy(() -> new KerasConverter().convertTo(h5, ConversionOptions.defaults(), target))
                .isInstanceOf(ConversionException.class)
                .hasMessageContaining(h5.toString()).hasMessageContaining("truncated");
        assertThat(target).doesNotExist();
    }

    @Test
    void weightsOfAnotherArchitectureAreRefusedNamingTheLayer() throws Exception {
        KerasTwin twin = KerasTwin.frontEnd();
        Path prototxt = twin.writeCaffe(dir, 7);
        Map<String, List<INDArray>> weights = KerasTwin.caffeWeights(KerasTwin.caffemodel(prototxt));
        Path h5 = dir.resolve("weights.h5");
        twin.writeKerasWeights(h5, KERAS2_TF, weights);
        Path json = Files.writeString(dir.resolve("model.json"), twin.kerasJson(KERAS2_TF)
                .replace("\"name\":\"conv2_2\",\"trainable\":true,\"activation\":\"relu\",\"filters\":6",
                        "\"name\":\"conv2_2\",\"trainable\":true,\"activation\":\"relu\",\"filters\":7"));
        Path target = dir.resolve("model.zip");
        assertThatThrownBy(() -> new KerasConverter().convertTo(json, h5, ConversionOptions.defaults(), target))
                .isInstanceOf(ConversionException.class)
                .hasMessageContaining("Layer 'conv2_2' (Conv2D)").hasMessageContaining(h5.toString())
                .hasMessageContaining("[7, 6, 3, 3]");
        assertThat(target).doesNotExist();
    }

    @Test
    void aWeightsFileMissingALayerIsRefusedNamingIt() throws Exception {
        KerasTwin twin = KerasTwin.frontEnd();
        Path prototxt = twin.writeCaffe(dir, 7);
        Map<String, List<INDArray>> weights = new java.util.LinkedHashMap<>(
                KerasTwin.caffeWeights(KerasTwin.caffemodel(prototxt)));
        weights.remove("fc7");
        Path h5 = dir.resolve("weights.h5");
        twin.writeKerasWeights(h5, KERAS2_TF, weights);
        Path json = Files.writeString(dir.resolve("model.json"), twin.kerasJson(KERAS2_TF));
        assertThatThrownBy(() -> new KerasConverter().convert(json, h5, ConversionOptions.defaults()))
                .isInstanceOf(ConversionException.class)
                .hasMessageContaining("Layer 'fc7' (Conv2D) needs 2 weight array(s)")
                .hasMessageContaining(h5.toString());
    }

    private void assertFullModelMatchesCaffeTwin(KerasTwin twin, Flavor flavor) throws Exception {
        Path prototxt = twin.writeCaffe(dir, 7);
        Path h5 = dir.resolve("model.h5");
        twin.writeKerasModel(h5, flavor, KerasTwin.caffeWeights(KerasTwin.caffemodel(prototxt)));
        try (SegmentationModel keras = new KerasConverter().convert(h5, ConversionOptions.defaults());
             SegmentationModel caffe = new CaffeConverter().convert(prototxt, KerasTwin.caffemodel(prototxt),
                     ConversionOptions.defaults())) {
            assertSameBlobs(twin, keras, caffe, flavor.head() != Head.SCORES);
        }
    }

    private Path writeFullModel(KerasTwin twin, Flavor flavor) throws Exception {
        Path prototxt = twin.writeCaffe(dir, 7);
        Path h5 = dir.resolve("model.h5");
        twin.writeKerasModel(h5, flavor, KerasTwin.caffeWeights(KerasTwin.caffemodel(prototxt)));
        return h5;
    }

    private static INDArray input(KerasTwin twin) {
        Nd4j.getRandom().setSeed(11);
        return Nd4j.rand(DataType.FLOAT, twin.inputShape()).muli(255).subi(120);
    }

    /** Compares every blob both networks name, the outputs, and the labels (argmax over the classes). */
    private static void assertSameBlobs(KerasTwin twin, SegmentationModel keras, SegmentationModel caffe,
                                        boolean probabilities) throws Exception {
        INDArray input = input(twin);
        Map<String, INDArray> ours = keras.forwardBlobs(input.dup(), List.of());
        Map<String, INDArray> reference = caffe.forwardBlobs(input.dup(), List.of());
        List<String> common = ours.keySet().stream().filter(reference::containsKey).toList();
        assertThat(common).containsAll(twin.convolutions()).contains("pool1");
        for (String blob : common) {
            BlobAssert.assertBlobClose(blob, ours.get(blob), reference.get(blob));
        }
        INDArray output = ours.get(keras.metadata().outputBlob());
        String lastScores = twin.convolutions().get(twin.convolutions().size() - 1);
        INDArray expected = probabilities ? reference.get("prob") : reference.get(lastScores);
        assertThat(output.shape()).containsExactly(expected.shape());
        if (probabilities) {
            BlobAssert.assertProbabilitiesClose("output", output, expected);
        }
        assertThat(Nd4j.argMax(output, 1)).isEqualTo(Nd4j.argMax(reference.get("prob"), 1));
    }
}
