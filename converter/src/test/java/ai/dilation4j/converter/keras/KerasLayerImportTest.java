package ai.dilation4j.converter.keras;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.converter.ConversionOptions;
import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.api.UnsupportedLayerException;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.testing.KerasTwin;
import ai.dilation4j.testing.KerasTwin.Flavor;
import ai.dilation4j.testing.KerasTwin.Head;

/** Layer options the import maps or refuses, and files it refuses before reading them. */
class KerasLayerImportTest {

    private static final Flavor KERAS2 = new Flavor("2.2.4", false, "tensorflow", Head.RESHAPE_SOFTMAX);

    @TempDir
    Path dir;
    private KerasTwin twin;
    private Map<String, List<INDArray>> weights;

    @BeforeEach
    void writeCaffeWeights() throws Exception {
        twin = KerasTwin.frontEnd();
        weights = KerasTwin.caffeWeights(KerasTwin.caffemodel(twin.writeCaffe(dir, 5)));
    }

    @Test
    void maxPoolingRoundsDownAsKerasDoesWhereCaffeWouldRoundUp() throws Exception {
        KerasTwin odd = KerasTwin.frontEnd(93, 101);
        Path h5 = dir.resolve("odd.h5");
        odd.writeKerasModel(h5, KERAS2, weights);
        try (SegmentationModel model = new KerasConverter().convert(h5, ConversionOptions.defaults())) {
            Nd4j.getRandom().setSeed(3);
            INDArray input = Nd4j.rand(DataType.FLOAT, odd.inputShape()).muli(255).subi(120);
            Map<String, INDArray> blobs = model.forwardBlobs(input, List.of("conv1_2", "pool1"));
            INDArray conv = blobs.get("conv1_2");
            assertThat(conv.shape()).containsExactly(1, 4, 89, 97);
            INDArray pooled = blobs.get("pool1");
            assertThat(pooled.shape()).as("floor((89 - 2) / 2) + 1 rows; Caffe's ceil would give 45x49")
                    .containsExactly(1, 4, 44, 48);
            for (int c = 0; c < 4; c++) {
                for (int y = 0; y < 44; y++) {
                    for (int x = 0; x < 48; x++) {
                        float max = Float.NEGATIVE_INFINITY;
                        for (int dy = 0; dy < 2; dy++) {
                            for (int dx = 0; dx < 2; dx++) {
                                max = Math.max(max, conv.getFloat(0, c, 2 * y + dy, 2 * x + dx));
                            }
                        }
                        assertThat(pooled.getFloat(0, c, y, x)).isEqualTo(max);
                    }
                }
            }
        }
    }

    @Test
    void aSoftmaxOverAnAxisOtherThanTheChannelsIsRefused() throws Exception {
        Flavor softmaxLayer = new Flavor("2.2.4", false, "tensorflow", Head.SOFTMAX_LAYER);
        String json = twin.kerasJson(softmaxLayer).replace("\"axis\":-1", "\"axis\":2");
        assertThatThrownBy(() -> convertSplit(json, softmaxLayer))
                .isInstanceOf(UnsupportedLayerException.class)
                .hasMessageContaining("Layer 'prob' (Softmax)")
                .hasMessageContaining("axis 2 of its input (4, 6, 5)");
    }

    @Test
    void aChannelsFirstSoftmaxActivationNormalizesTheWidthAndIsRefused() throws Exception {
        Flavor channelsFirst = new Flavor("2.2.4", true, "tensorflow", Head.SOFTMAX_LAYER);
        String json = twin.kerasJson(channelsFirst).replace("{\"class_name\":\"Softmax\",\"config\":{\"name\":\"prob\","
                + "\"trainable\":true,\"axis\":1}", "{\"class_name\":\"Activation\",\"config\":{\"name\":\"prob\","
                + "\"trainable\":true,\"activation\":\"softmax\"}");
        assertThatThrownBy(() -> convertSplit(json, channelsFirst))
                .isInstanceOf(UnsupportedLayerException.class)
                .hasMessageContaining("Layer 'prob' (Activation)")
                .hasMessageContaining("axis -1 of its input (5, 4, 6)");
    }

    @Test
    void bilinearUpSamplingIsRefusedInsteadOfComputedAsNearest() throws Exception {
        String json = twin.kerasJson(KERAS2).replace(
                "{\"class_name\":\"Dropout\",\"config\":{\"name\":\"drop7\",\"trainable\":true,\"rate\":0.5}}",
                "{\"class_name\":\"UpSampling2D\",\"config\":{\"name\":\"drop7\",\"trainable\":true,\"size\":[1,1],"
                        + "\"data_format\":\"channels_last\",\"interpolation\":\"bilinear\"}}");
        assertThat(json).contains("UpSampling2D");
        assertThatThrownBy(() -> convertSplit(json, KERAS2))
                .isInstanceOf(UnsupportedLayerException.class)
                .hasMessageContaining("Layer 'drop7' (UpSampling2D) uses interpolation='bilinear'");
    }

    @Test
    void aReshapeThatMovesValuesBetweenPixelsIsRefused() throws Exception {
        String json = twin.kerasJson(KERAS2).replace("\"target_shape\":[24,5]", "\"target_shape\":[5,24]");
        assertThat(json).contains("[5,24]");
        assertThatThrownBy(() -> convertSplit(json, KERAS2))
                .isInstanceOf(UnsupportedLayerException.class)
                .hasMessageContaining("Layer 'reshape_1' (Reshape) reshapes its input (4, 6, 5) to [5, 24]");
    }

    @Test
    void aWeightDeclaringAHugeShapeItDoesNotStoreIsRefusedBeforeAnythingIsAllocated() throws Exception {
        Path json = Files.writeString(dir.resolve("model.json"), twin.kerasJson(KERAS2));
        Path h5 = dir.resolve("weights.h5");
        twin.writeKerasWeights(h5, KERAS2, weights, Map.of("fc7", new long[] {1, 1, 40_000, 40_000}));
        assertThat(Files.size(h5)).isLessThan(1 << 20);
        assertThatThrownBy(() -> new KerasConverter().convert(json, h5, ConversionOptions.defaults()))
                .isInstanceOf(ConversionException.class)
                .hasMessageContaining(h5.toString())
                .hasMessageContaining("fc7/fc7/kernel:0' declares shape [1, 1, 40000, 40000]")
                .hasMessageContaining("stores 0 bytes");
    }

    @Test
    void anArchitectureDeclaringAHugeLayerIsRefusedByItsWeightsBeforeAnythingIsAllocated() throws Exception {
        String json = twin.kerasJson(KERAS2).replace("\"name\":\"fc7\",\"trainable\":true,\"activation\":\"relu\","
                + "\"filters\":12", "\"name\":\"fc7\",\"trainable\":true,\"activation\":\"relu\",\"filters\":2000000000");
        assertThat(json).contains("2000000000");
        assertThatThrownBy(() -> convertSplit(json, KERAS2))
                .isInstanceOf(ConversionException.class)
                .hasMessageContaining("Layer 'fc7' (Conv2D): its kernel in")
                .hasMessageContaining("is [12, 12, 1, 1] (out, in, rows, columns) but the architecture implies "
                        + "[2000000000, 12, 1, 1]");
    }

    @Test
    void aFileThatIsNotHdf5IsNamedAsSuch() throws Exception {
        Path json = Files.writeString(dir.resolve("model.h5"), twin.kerasJson(KERAS2));
        assertThatThrownBy(() -> new KerasConverter().convert(json, ConversionOptions.defaults()))
                .isInstanceOf(ConversionException.class)
                .hasMessage("Keras file " + json + " is not an HDF5 file. Give the .h5/.hdf5 file Keras saved (a "
                        + "model JSON goes with --keras-json).");
    }

    @Test
    void aWeightsOnlyFileGivenAsAModelAsksForItsArchitecture() throws Exception {
        Path h5 = dir.resolve("weights.h5");
        twin.writeKerasWeights(h5, KERAS2, weights);
        assertThatThrownBy(() -> new KerasConverter().convert(h5, ConversionOptions.defaults()))
                .isInstanceOf(ConversionException.class)
                .hasMessageContaining("has no model_config attribute")
                .hasMessageContaining("--keras-json model.json --keras-weights weights.h5");
    }

    private SegmentationModel convertSplit(String json, Flavor flavor) throws Exception {
        Path jsonFile = Files.writeString(dir.resolve("model.json"), json);
        Path h5 = dir.resolve("weights.h5");
        twin.writeKerasWeights(h5, flavor, weights);
        return new KerasConverter().convert(jsonFile, h5, ConversionOptions.defaults());
    }
}
