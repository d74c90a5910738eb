package ai.dilation4j.testing;

/** Small Caffe networks shared by the tests of several modules (through the converter's test jar). */
public final class SmallNetworks {

    /**
     * Convolution, in-place ReLU, 1x1 class scores and the per-pixel Softmax on a 9x11 input: the smallest network
     * with the shape of a segmentation model, for tests that break one file or value of it.
     */
    public static final String CONV_RELU_SCORE = """
            name: "small"
            input: "data"
            input_shape { dim: 1 dim: 3 dim: 9 dim: 11 }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 4 kernel_size: 3 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "score" type: "Convolution" bottom: "conv1" top: "score"
                    convolution_param { num_output: 5 kernel_size: 1 } }
            layer { name: "prob" type: "Softmax" bottom: "score" top: "prob" }
            """;

    private SmallNetworks() {
    }
}
