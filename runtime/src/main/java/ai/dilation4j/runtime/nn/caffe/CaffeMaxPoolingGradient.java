package ai.dilation4j.runtime.nn.caffe;

import java.nio.FloatBuffer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import ai.dilation4j.runtime.io.RowMajor;

/**
 * Caffe's MAX pooling backward pass (pooling_layer.cpp) on row-major NCHW float arrays: each output gradient goes to
 * the first largest cell of its window (clipped to the input; padding never wins). libnd4j's {@code maxpool2d_bp}
 * routes alike, but this project's oneDNN build sends it through oneDNN, which for DilatedNet-8's pool1 at a
 * 500x500 crop (64 x 496 x 496) took 116-515 ms in runs on the 2-core machine under varying load; these loops took
 * 71 ms where oneDNN took 116-227 (libnd4j's own loops, reachable only by switching oneDNN off process-wide, 46-87).
 */
final class CaffeMaxPoolingGradient {

    private final int[] kernel;
    private final int[] stride;
    private final int[] pad;

    /** {height, width} each. */
    CaffeMaxPoolingGradient(int[] kernel, int[] stride, int[] pad) {
        this.kernel = kernel.clone();
        this.stride = stride.clone();
        this.pad = pad.clone();
    }

    /** Whether {@link #addTo} takes this input (as a row-major copy if need be): floats a Java buffer can index. */
    static boolean takes(INDArray input) {
        return input.dataType() == DataType.FLOAT && input.rank() == 4 && input.length() <= Integer.MAX_VALUE;
    }

    /**
     * Adds the gradient with respect to {@code input} to {@code inputGradient} (same shape), given the gradient with
     * respect to the pooled output; all three whole row-major float arrays.
     */
    void addTo(INDArray input, INDArray outputGradient, INDArray inputGradient) {
        FloatBuffer in = floats(input);
        FloatBuffer top = floats(outputGradient);
        FloatBuffer bottom = floats(inputGradient);
        int planes = (int) (input.size(0) * input.size(1));
        int height = (int) input.size(2);
        int width = (int) input.size(3);
        int outH = (int) outputGradient.size(2);
        int outW = (int) outputGradient.size(3);
        // locals, not the arrays: the JIT would reload array elements after every store to the buffer. One thread:
        // two (a parallel stream over planes) gained nothing on this project's 2-core machine.
        int kernelH = kernel[0];
        int kernelW = kernel[1];
        int strideH = stride[0];
        int strideW = stride[1];
        int padH = pad[0];
        int padW = pad[1];
        for (int plane = 0; plane < planes; plane++) {
            int inBase = plane * height * width;
            int outIndex = plane * outH * outW;
            for (int ph = 0; ph < outH; ph++) {
                int hStart = ph * strideH - padH;
                int hEnd = Math.min(hStart + kernelH, height);
                hStart = Math.max(hStart, 0);
                for (int pw = 0; pw < outW; pw++, outIndex++) {
                    int wStart = pw * strideW - padW;
                    int wEnd = Math.min(wStart + kernelW, width);
                    wStart = Math.max(wStart, 0);
                    int winner = hEnd - hStart == 2 && wEnd - wStart == 2
                            ? firstMaximumOf2x2(in, inBase + hStart * width + wStart, width)
                            : firstMaximum(in, inBase, width, hStart, hEnd, wStart, wEnd);
                    if (winner >= 0) {
                        bottom.put(winner, bottom.get(winner) + top.get(outIndex));
                    }
                }
            }
        }
    }

    /**
     * The index of the first largest cell of a window, in Caffe's order (row by row), or -1 when none exceeds the
     * lowest float (all NaN or -inf: Caffe routes such a window nowhere).
     */
    private static int firstMaximum(FloatBuffer in, int inBase, int width, int hStart, int hEnd, int wStart,
                                    int wEnd) {
        int winner = -1;
        float max = -Float.MAX_VALUE;
        for (int h = hStart; h < hEnd; h++) {
            int row = inBase + h * width;
            for (int w = wStart; w < wEnd; w++) {
                float value = in.get(row + w);
                if (value > max) { // strictly: ties keep the first maximum, as in Caffe
                    max = value;
                    winner = row + w;
                }
            }
        }
        return winner;
    }

    /** {@link #firstMaximum} of the 2x2 window at {@code topLeft}, unrolled: the common pooling, 1.5x faster. */
    private static int firstMaximumOf2x2(FloatBuffer in, int topLeft, int width) {
        int winner = -1;
        float max = -Float.MAX_VALUE;
        float value = in.get(topLeft);
        if (value > max) {
            max = value;
            winner = topLeft;
        }
        value = in.get(topLeft + 1);
        if (value > max) {
            max = value;
            winner = topLeft + 1;
        }
        value = in.get(topLeft + width);
        if (value > max) {
            max = value;
            winner = topLeft + width;
        }
        return in.get(topLeft + width + 1) > max ? topLeft + width + 1 : winner;
    }

    private static FloatBuffer floats(INDArray array) {
        return RowMajor.floats(array).asBuffer();
    }
}
