package ai.dilation4j.converter;

import static ai.dilation4j.testing.BlobAssert.assertBlobClose;
import static ai.dilation4j.testing.BlobAssert.assertProbabilitiesClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.caffe.PrototxtReader;
import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;
import ai.dilation4j.runtime.model.ModelFile;
import ai.dilation4j.runtime.model.SegmentationModel;
import ai.dilation4j.testing.OpenCvDnnOracle;

/**
 * Small networks with random weights that exercise every supported layer type and option, converted and run
 * by dilation4j and, independently, by OpenCV DNN's Caffe importer: every blob must agree. Odd input sizes make
 * Caffe's rounded-up pooling differ from DL4J's rounding; deconvolution weights are random, not bilinear.
 */
class RandomNetworksMatchOpenCvTest {

    /** Convolution options, leaky ReLU, groups, concat, every pooling variant, softmax head. */
    static final String CONVOLUTIONS = """
            name: "convolutions"
            input: "data"
            input_shape { dim: 1 dim: 3 dim: 37 dim: 41 }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 6 kernel_size: 3 pad: 1 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" relu_param { negative_slope: 0.1 } }
            layer { name: "conv_hw" type: "Convolution" bottom: "conv1" top: "conv_hw"
                    convolution_param { num_output: 4 kernel_h: 3 kernel_w: 5 pad_h: 1 pad_w: 2 stride_h: 2 stride_w: 1 } }
            layer { name: "conv_dil" type: "Convolution" bottom: "conv1" top: "conv_dil"
                    convolution_param { num_output: 4 kernel_size: 3 dilation: 2 pad: 2 bias_term: false } }
            layer { name: "conv_group" type: "Convolution" bottom: "conv1" top: "conv_group"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 1 group: 2 } }
            layer { name: "conv_dw" type: "Convolution" bottom: "conv1" top: "conv_dw"
                    convolution_param { num_output: 12 kernel_size: 3 pad: 1 group: 6 } }
            layer { name: "cat" type: "Concat" bottom: "conv_dil" bottom: "conv_group" bottom: "conv_dw" top: "cat" }
            layer { name: "relu_cat" type: "ReLU" bottom: "cat" top: "relu_cat" }
            layer { name: "pool_max" type: "Pooling" bottom: "relu_cat" top: "pool_max"
                    pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 } }
            layer { name: "pool_ave" type: "Pooling" bottom: "cat" top: "pool_ave"
                    pooling_param { pool: AVE kernel_size: 3 stride: 2 pad: 1 } }
            layer { name: "pool_ave2" type: "Pooling" bottom: "pool_ave" top: "pool_ave2"
                    pooling_param { pool: AVE kernel_size: 2 stride: 2 } }
            layer { name: "pool_max2" type: "Pooling" bottom: "conv_hw" top: "pool_max2"
                    pooling_param { pool: MAX kernel_h: 3 kernel_w: 2 stride_h: 2 stride_w: 3 } }
            layer { name: "pool_max3" type: "Pooling" bottom: "cat" top: "pool_max3"
                    pooling_param { pool: MAX kernel_size: 3 stride: 3 pad: 2 } }
            layer { name: "pool_ave3" type: "Pooling" bottom: "cat" top: "pool_ave3"
                    pooling_param { pool: AVE kernel_size: 3 stride: 3 pad: 2 } }
            layer { name: "gpool" type: "Pooling" bottom: "pool_max" top: "gpool"
                    pooling_param { pool: AVE global_pooling: true } }
            layer { name: "score" type: "Convolution" bottom: "pool_max" top: "score"
                    convolution_param { num_output: 5 kernel_size: 1 } }
            layer { name: "prob" type: "Softmax" bottom: "score" top: "prob" }
            """;

    /** FCN-style upsampling: random (grouped) deconvolutions, crops, eltwise SUM/PROD/MAX, dropout. */
    static final String UPSAMPLING = """
            layer { name: "input" type: "Input" top: "data"
                    input_param { shape { dim: 1 dim: 3 dim: 29 dim: 35 } } }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 4 kernel_size: 3 pad: 5 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1"
                    pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            layer { name: "drop1" type: "Dropout" bottom: "pool1" top: "drop1" dropout_param { dropout_ratio: 0.5 } }
            layer { name: "score" type: "Convolution" bottom: "drop1" top: "score"
                    convolution_param { num_output: 3 kernel_size: 1 } }
            layer { name: "up" type: "Deconvolution" bottom: "score" top: "up"
                    convolution_param { num_output: 3 kernel_size: 4 stride: 2 } }
            layer { name: "up_group" type: "Deconvolution" bottom: "score" top: "up_group"
                    convolution_param { num_output: 3 kernel_size: 4 stride: 2 pad: 1 group: 3 bias_term: false } }
            layer { name: "side" type: "Convolution" bottom: "conv1" top: "side"
                    convolution_param { num_output: 3 kernel_size: 1 } }
            layer { name: "up_c" type: "Crop" bottom: "up" bottom: "side" top: "up_c"
                    crop_param { axis: 2 offset: 1 offset: 2 } }
            layer { name: "upg_c" type: "Crop" bottom: "up_group" bottom: "side" top: "upg_c" crop_param { offset: 1 } }
            layer { name: "sum" type: "Eltwise" bottom: "up_c" bottom: "side" bottom: "upg_c" top: "sum"
                    eltwise_param { operation: SUM coeff: 0.5 coeff: -1.5 coeff: 1 } }
            layer { name: "prod" type: "Eltwise" bottom: "up_c" bottom: "side" top: "prod"
                    eltwise_param { operation: PROD } }
            layer { name: "max" type: "Eltwise" bottom: "sum" bottom: "prod" top: "max"
                    eltwise_param { operation: MAX } }
            layer { name: "score_crop" type: "Crop" bottom: "max" bottom: "data" top: "score_crop"
                    crop_param { axis: 2 offset: 4 } }
            """;

    /** The legacy V1 layout: `layers` with enum types, `input_dim`, in-place Dropout. */
    static final String LEGACY_V1 = """
            name: "legacy"
            input: "data"
            input_dim: 1
            input_dim: 3
            input_dim: 23
            input_dim: 27
            layers { name: "conv1" type: CONVOLUTION bottom: "data" top: "conv1"
                     convolution_param { num_output: 4 kernel_size: 3 } }
            layers { name: "relu1" type: RELU bottom: "conv1" top: "conv1" }
            layers { name: "pool1" type: POOLING bottom: "conv1" top: "pool1"
                     pooling_param { pool: MAX kernel_size: 3 stride: 2 } }
            layers { name: "drop" type: DROPOUT bottom: "pool1" top: "pool1" }
            layers { name: "up" type: DECONVOLUTION bottom: "pool1" top: "up"
                     convolution_param { num_output: 2 kernel_size: 2 stride: 2 } }
            layers { name: "conv2" type: CONVOLUTION bottom: "up" top: "conv2"
                     convolution_param { num_output: 3 kernel_size: 1 } }
            layers { name: "prob" type: SOFTMAX bottom: "conv2" top: "prob" }
            """;

    static Stream<Arguments> networks() {
        return Stream.of(
                Arguments.of("convolutions", CONVOLUTIONS, RandomCaffeModel.Format.V2),
                Arguments.of("convolutions, V1 weights", CONVOLUTIONS, RandomCaffeModel.Format.V1),
                Arguments.of("upsampling", UPSAMPLING, RandomCaffeModel.Format.V2),
                Arguments.of("V1 prototxt, V1 weights", LEGACY_V1, RandomCaffeModel.Format.V1),
                Arguments.of("V1 prototxt, V2 weights", LEGACY_V1, RandomCaffeModel.Format.V2));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("networks")
    void everyBlobMatchesOpenCv(String name, String prototxtText, RandomCaffeModel.Format format, @TempDir Path dir)
            throws Exception {
        Path prototxt = dir.resolve("net.prototxt");
        Path weights = dir.resolve("net.caffemodel");
        Files.writeString(prototxt, prototxtText);
        RandomCaffeModel.write(prototxt, weights, 7, format);

        Nd4j.getRandom().setSeed(11);
        try (SegmentationModel model = new CaffeConverter().convert(prototxt, weights, ConversionOptions.defaults());
             OpenCvDnnOracle oracle = new OpenCvDnnOracle(prototxt, weights)) {
            INDArray input = Nd4j.randn(DataType.FLOAT, model.metadata().inputShape()).muli(50);
            Map<String, INDArray> ours = model.forwardBlobs(input, List.of());
            Map<String, String> lastWriter = lastWriterOfEachBlob(prototxt);
            int compared = 0;
            for (Map.Entry<String, INDArray> blob : ours.entrySet()) {
                String layer = lastWriter.get(blob.getKey());
                if (layer == null) {
                    continue;
                }
                INDArray reference = oracle.forward(input, layer);
                if (blob.getKey().equals("prob")) {
                    assertProbabilitiesClose(name + "/" + blob.getKey(), blob.getValue(), reference);
                } else {
                    assertBlobClose(name + "/" + blob.getKey(), blob.getValue(), reference);
                }
                compared++;
            }
            assertEquals(lastWriter.size(), compared, "every layer's result is compared");

            Path saved = dir.resolve("model.zip");
            ModelFile.write(model.graph(), model.metadata(), saved);
            try (SegmentationModel loaded = SegmentationModel.load(saved)) {
                Map<String, INDArray> reloaded = loaded.forwardBlobs(input, List.of());
                for (String blob : ours.keySet()) {
                    assertTrue(ours.get(blob).equals(reloaded.get(blob)), "saved model computes " + blob + " exactly");
                }
            }
        }
    }

    private static Map<String, String> lastWriterOfEachBlob(Path prototxt) throws ConversionException, IOException {
        Map<String, String> writer = new HashMap<>();
        for (LayerParameter layer : PrototxtReader.read(prototxt).layers()) {
            writer.put(layer.getTop(0), layer.getName());
        }
        return writer;
    }
}
