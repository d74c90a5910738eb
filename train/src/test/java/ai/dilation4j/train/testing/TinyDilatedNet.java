package ai.dilation4j.train.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import ai.dilation4j.converter.CaffeConverter;
import ai.dilation4j.converter.ConversionOptions;
import ai.dilation4j.converter.RandomCaffeModel;
import ai.dilation4j.runtime.DatasetSpec;

/**
 * A reduced DilatedNet with random (He-normal) weights: DilatedNet-8's layer kinds and names (conv, Caffe max
 * pooling, a dilated fc6, fc-final, a context module of ct_* layers with dilated 3x3 convolutions, softmax) at a
 * size that trains in seconds. Label margin 7 and zoom 2 make a 46x46 crop give the 16x16 output the labels are
 * sliced to; its 8 "pretrained" classes differ from the 3 the tests train, so the final layer is fresh.
 */
public final class TinyDilatedNet {

    public static final int MARGIN = 7;
    public static final int ZOOM = 2;
    public static final int CROP = 46;
    public static final int PRETRAINED_CLASSES = 8;

    public static final String PROTOTXT = """
            name: "tiny_dilation"
            input: "data"
            input_shape { dim: 1 dim: 3 dim: 46 dim: 46 }
            layer { name: "conv1_1" type: "Convolution" bottom: "data" top: "conv1_1"
                    convolution_param { num_output: 16 kernel_size: 3 } }
            layer { name: "relu1_1" type: "ReLU" bottom: "conv1_1" top: "conv1_1" }
            layer { name: "pool1" type: "Pooling" bottom: "conv1_1" top: "pool1"
                    pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
            layer { name: "conv2_1" type: "Convolution" bottom: "pool1" top: "conv2_1"
                    convolution_param { num_output: 32 kernel_size: 3 } }
            layer { name: "relu2_1" type: "ReLU" bottom: "conv2_1" top: "conv2_1" }
            layer { name: "fc6" type: "Convolution" bottom: "conv2_1" top: "fc6"
                    convolution_param { num_output: 32 kernel_size: 3 dilation: 2 } }
            layer { name: "relu6" type: "ReLU" bottom: "fc6" top: "fc6" }
            layer { name: "fc-final" type: "Convolution" bottom: "fc6" top: "fc-final"
                    convolution_param { num_output: 8 kernel_size: 1 } }
            layer { name: "ct_conv1_1" type: "Convolution" bottom: "fc-final" top: "ct_conv1_1"
                    convolution_param { num_output: 16 kernel_size: 3 pad: 1 } }
            layer { name: "ct_relu1_1" type: "ReLU" bottom: "ct_conv1_1" top: "ct_conv1_1" }
            layer { name: "ct_conv2_1" type: "Convolution" bottom: "ct_conv1_1" top: "ct_conv2_1"
                    convolution_param { num_output: 16 kernel_size: 3 dilation: 2 pad: 2 } }
            layer { name: "ct_relu2_1" type: "ReLU" bottom: "ct_conv2_1" top: "ct_conv2_1" }
            layer { name: "ct_final" type: "Convolution" bottom: "ct_conv2_1" top: "ct_final"
                    convolution_param { num_output: 8 kernel_size: 1 } }
            layer { name: "prob" type: "Softmax" bottom: "ct_final" top: "prob" }
            """;

    private TinyDilatedNet() {
    }

    /** Converts the network with random weights into {@code dir}; returns the model file. */
    public static Path write(Path dir) throws Exception {
        return write(dir, "tiny", PROTOTXT, MARGIN);
    }

    /** Converts another network (e.g. {@link #PROTOTXT} edited) with the given label margin, as {@code <name>.zip}. */
    public static Path write(Path dir, String name, String network, int margin) throws Exception {
        Path prototxt = Files.writeString(dir.resolve(name + "_deploy.prototxt"), network);
        Path weights = dir.resolve(name + ".caffemodel");
        RandomCaffeModel.write(prototxt, weights, 7, RandomCaffeModel.Format.V2);
        List<String> names = new ArrayList<>();
        List<int[]> palette = new ArrayList<>();
        for (int c = 0; c < PRETRAINED_CLASSES; c++) {
            names.add("pretrained" + c);
            palette.add(new int[] {c * 30, 255 - c * 30, 0});
        }
        DatasetSpec dataset = new DatasetSpec("tiny", names, palette, new double[] {100, 110, 120}, margin, ZOOM);
        Path model = dir.resolve(name + ".zip");
        new CaffeConverter().convertTo(prototxt, weights, ConversionOptions.builder().preset("tiny", dataset).build(),
                model);
        return model;
    }
}
