package ai.dilation4j.runtime.nn.caffe;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Caffe's MAX pooling backward pass (pooling_layer.cpp) on row-major NCHW float arrays: each output gradient goes to
 * the first largest cell of its window (clipped to the input; padding never wins). libnd4j's {@code maxpool2d_bp}
 * routes alike, but on this project's oneDNN build it took 310-400 ms for DilatedNet-8's pool1 at a 500x500 crop
 * (64 x 496 x 496; libnd4j's own path with oneDNN switched off 134 ms, the oneDNN forward 32 ms); these loops, one
 * channel plane per task, 158 ms under the same (heavy) load ({@code BackwardTimings}).
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
        // planes are disjoint in both gradients, so they run in parallel without synchronisation
        IntStream.range(0, planes).parallel().forEach(plane -> {
            int inBase = plane * height * width;
            int outIndex = plane * outH * outW;
            for (int ph = 0; ph < outH; ph++) {
                int hStart = ph * stride[0] - pad[0];
                int hEnd = Math.min(hStart + kernel[0], height);
                hStart = Math.max(hStart, 0);
                for (int pw = 0; pw < outW; pw++, outIndex++) {
                    int wStart = pw * stride[1] - pad[1];
                    int wEnd = Math.min(wStart + kernel[1], width);
                    wStart = Math.max(wStart, 0);
                    int winner = -1;
                    float max = -Float.MAX_VALUE; // Caffe's start: a window of NaN or -inf routes nowhere
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
                    if (winner >= 0) {
                        bottom.put(winner, bottom.get(winner) + top.get(outIndex));
                    }
                }
            }
        });
    }

    private static FloatBuffer floats(INDArray array) {
        return new FloatPointer(array.data().addressPointer()).capacity(array.length()).asBuffer();
    }
}
