package ai.dilation4j.runtime.io;

import java.util.Arrays;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_dnn.Net;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Runs an OpenCV DNN network on an NCHW array and returns a layer's output as an array (oracles and peers). */
public final class OpenCvDnnBlobs {

    private OpenCvDnnBlobs() {
    }

    /** Sets {@code input} as the network input and returns the output of {@code layer}. */
    public static INDArray forward(Net net, INDArray input, String layer) {
        float[] values = input.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int[] shape = Arrays.stream(input.shape()).mapToInt(Math::toIntExact).toArray();
        try (FloatPointer data = new FloatPointer(values); Mat blob = new Mat(shape, opencv_core.CV_32F, data)) {
            net.setInput(blob);
            try (Mat out = net.forward(layer)) {
                long[] outShape = new long[out.dims()];
                for (int i = 0; i < outShape.length; i++) {
                    outShape[i] = out.size(i);
                }
                float[] result = new float[Math.toIntExact(out.total())];
                new FloatPointer(out.data()).capacity(result.length).get(result);
                return Nd4j.create(result, outShape, 'c');
            }
        }
    }
}
