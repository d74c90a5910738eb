package ai.dilation4j.testing;

import java.nio.file.Path;
import java.util.Arrays;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_dnn.Net;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * OpenCV DNN's Caffe importer ({@code readNetFromCaffe}) as an independent implementation of Caffe's layers:
 * it parses the same prototxt and caffemodel with its own code and computes the same blobs.
 */
public final class OpenCvDnnOracle implements AutoCloseable {

    private final Net net;

    public OpenCvDnnOracle(Path prototxt, Path caffemodel) {
        this.net = opencv_dnn.readNetFromCaffe(prototxt.toString(), caffemodel.toString());
        // Unfused, so the output of each layer is that layer's own result (a fused ReLU would change it).
        net.enableFusion(false);
        net.setPreferableBackend(opencv_dnn.DNN_BACKEND_OPENCV);
        net.setPreferableTarget(opencv_dnn.DNN_TARGET_CPU);
    }

    /** The output of the named layer for an NCHW float input. */
    public INDArray forward(INDArray input, String layer) {
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

    @Override
    public void close() {
        net.close();
    }
}
