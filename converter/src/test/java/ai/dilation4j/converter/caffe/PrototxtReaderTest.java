package ai.dilation4j.converter.caffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;

class PrototxtReaderTest {

    private static final String CONV = """
            layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                    convolution_param { num_output: 2 kernel_size: 1 } }
            """;

    @TempDir
    Path dir;

    @Test
    void inputFromInputShape() throws Exception {
        CaffeNetDefinition net = read("input: \"data\"\ninput_shape { dim: 1 dim: 3 dim: 5 dim: 7 }\n" + CONV);
        assertThat(net.inputs()).singleElement().satisfies(input -> {
            assertThat(input.blob()).isEqualTo("data");
            assertThat(input.shape()).containsExactly(1, 3, 5, 7);
        });
    }

    @Test
    void inputFromInputDim() throws Exception {
        CaffeNetDefinition net = read("input: \"img\"\ninput_dim: 1\ninput_dim: 3\ninput_dim: 9\ninput_dim: 4\n"
                + CONV.replace("bottom: \"data\"", "bottom: \"img\""));
        assertThat(net.inputs().get(0).blob()).isEqualTo("img");
        assertThat(net.inputs().get(0).shape()).containsExactly(1, 3, 9, 4);
    }

    @Test
    void inputFromInputLayer() throws Exception {
        CaffeNetDefinition net = read("""
                layer { name: "input" type: "Input" top: "data" input_param { shape { dim: 1 dim: 3 dim: 6 dim: 8 } } }
                """ + CONV);
        assertThat(net.inputs().get(0).shape()).containsExactly(1, 3, 6, 8);
        assertThat(net.layers()).extracting(LayerParameter::getName).containsExactly("conv");
    }

    @Test
    void trainOnlyLayersAndUnknownFieldsAreSkipped() throws Exception {
        CaffeNetDefinition net = read("""
                name: "trainval"
                input: "data"
                input_shape { dim: 1 dim: 3 dim: 5 dim: 5 }
                layer { name: "train_data" type: "Data" top: "data" include { phase: TRAIN }
                        data_param { source: "train_lmdb" batch_size: 8 } }
                layer { name: "conv" type: "Convolution" bottom: "data" top: "conv"
                        convolution_param { num_output: 2 kernel_size: 1 weight_filler { type: "xavier" } }
                        some_fork_param { future_option: 3 } }
                layer { name: "loss" type: "SoftmaxWithLoss" bottom: "conv" top: "loss" exclude { phase: TEST } }
                """);
        assertThat(net.name()).isEqualTo("trainval");
        assertThat(net.layers()).extracting(LayerParameter::getName).containsExactly("conv");
    }

    @Test
    void legacyV1LayersAreUpgraded() throws Exception {
        CaffeNetDefinition net = read("""
                input: "data"
                input_dim: 1 input_dim: 3 input_dim: 5 input_dim: 5
                layers { name: "conv" type: CONVOLUTION bottom: "data" top: "conv"
                         convolution_param { num_output: 2 kernel_size: 3 group: 1 } }
                layers { name: "relu" type: RELU bottom: "conv" top: "conv" relu_param { negative_slope: 0.2 } }
                layers { name: "up" type: DECONVOLUTION bottom: "conv" top: "up" convolution_param { num_output: 2 kernel_size: 2 } }
                """);
        assertThat(net.layers()).extracting(LayerParameter::getType).containsExactly("Convolution", "ReLU",
                "Deconvolution");
        assertThat(net.layers().get(0).getConvolutionParam().getKernelSize(0)).isEqualTo(3);
        assertThat(net.layers().get(1).getReluParam().getNegativeSlope()).isEqualTo(0.2f);
    }

    @Test
    void syntaxErrorGivesLineAndColumn() throws IOException {
        Path file = Files.writeString(dir.resolve("bad.prototxt"),
                "input: \"data\"\ninput_shape { dim: 1 dim: 3 dim: 5 dim: 5 }\nlayer { name: \"conv\" type \"X\" }\n");
        assertThatThrownBy(() -> PrototxtReader.read(file)).isInstanceOf(ConversionException.class)
                .hasMessageContaining("bad.prototxt").hasMessageContaining("line 3, column");
    }

    @Test
    void missingInputIsExplained() {
        assertThatThrownBy(() -> read(CONV)).isInstanceOf(ConversionException.class)
                .hasMessageContaining("declares no network input");
    }

    @Test
    void mixedLayerFormsAreRejected() {
        assertThatThrownBy(() -> read("input: \"data\"\ninput_shape { dim: 1 dim: 3 dim: 5 dim: 5 }\n" + CONV
                + "layers { name: \"old\" type: RELU bottom: \"conv\" top: \"conv\" }\n"))
                .isInstanceOf(ConversionException.class).hasMessageContaining("mixes 'layer'");
    }

    private CaffeNetDefinition read(String text) throws IOException, ConversionException {
        return PrototxtReader.read(Files.writeString(dir.resolve("net.prototxt"), text));
    }
}
