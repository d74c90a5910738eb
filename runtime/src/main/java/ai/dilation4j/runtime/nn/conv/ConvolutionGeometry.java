package ai.dilation4j.runtime.nn.conv;

/**
 * The sizes of a stride-1 NCHW convolution pass, padding included in {@code height} and {@code width}: what kernels
 * decide on. Each image is {@code [inChannels, height, width]}, its output {@code [outChannels, outH, outW]}.
 */
record ConvolutionGeometry(long batch, long inChannels, long height, long width, int[] kernel, int[] dilation,
                           long outChannels, long outH, long outW) {

    /** A 1x1 kernel: the image already is the {@code [inChannels, pixels]} matrix a GEMM needs. */
    boolean isPointwise() {
        return kernel[0] == 1 && kernel[1] == 1;
    }

    boolean isSquare() {
        return kernel[0] == kernel[1] && dilation[0] == dilation[1];
    }

    /** Rows of the im2col matrix, columns of the weight matrix: {@code inChannels * kH * kW}. */
    long columnRows() {
        return inChannels * kernel[0] * kernel[1];
    }

    /** Multiply-adds of one image done as Caffe does them: one per weight and output pixel. */
    double directMultiplyAdds() {
        return (double) columnRows() * outChannels * outH * outW;
    }
}
