package ai.dilation4j.runtime.testing;

/** Small Caffe networks for tests that convert a model of their own. */
public final class TinyNetworks {

    /**
     * A small random network with DilatedNet's tiling geometry for the pascal_voc preset (label margin 186, zoom 8,
     * 21 classes): a 388x396 tile gives a 2x3 output, the valid 16x24 pixels of the tile at 1/8 resolution. The 3x3
     * convolution over 128 channels ({@code mix}) could take Winograd's algorithm, but with 8 outputs at 49x50 it does
     * not pay, so it runs im2col + GEMM.
     */
    public static final String PASCAL_VOC = """
            name: "tiny_dilated"
            input: "data"
            input_shape { dim: 1 dim: 3 dim: 388 dim: 396 }
            layer { name: "conv1" type: "Convolution" bottom: "data" top: "conv1"
                    convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
            layer { name: "relu1" type: "ReLU" bottom: "conv1" top: "conv1" }
            layer { name: "pool1" type: "Pooling" bottom: "conv1" top: "pool1"
                    pooling_param { pool: MAX kernel_size: 8 stride: 8 } }
            layer { name: "wide" type: "Convolution" bottom: "pool1" top: "wide"
                    convolution_param { num_output: 128 kernel_size: 1 } }
            layer { name: "mix" type: "Convolution" bottom: "wide" top: "mix"
                    convolution_param { num_output: 8 kernel_size: 3 pad: 1 } }
            layer { name: "ctx" type: "Convolution" bottom: "mix" top: "ctx"
                    convolution_param { num_output: 21 kernel_size: 2 dilation: 47 } }
            layer { name: "prob" type: "Softmax" bottom: "ctx" top: "prob" }
            """;

    private TinyNetworks() {
    }
}
