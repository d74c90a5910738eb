package ai.dilation4j.cli;

import java.nio.file.Path;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_dnn.Net;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** OpenCV DNN's own Caffe importer and CPU backend, with its default layer fusion (as users run it). */
final class OpenCvDnnPeer implements PeerEngine {

    private final Net net;

    OpenCvDnnPeer(Path prototxt, Path caffemodel, int threads) {
        opencv_core.setNumThreads(threads);
        this.net = opencv_dnn.readNetFromCaffe(prototxt.toString(), caffemodel.toString());
        net.setPreferableBackend(opencv_dnn.DNN_BACKEND_OPENCV);
        net.setPreferableTarget(opencv_dnn.DNN_TARGET_CPU);
    }

    @Override
    public String name() {
        return "opencv";
    }

    @Override
    public INDArray forward(INDArray input, String outputBlob) {
        float[] values = input.castTo(DataType.FLOAT).dup('c').data().asFloat();
        int[] shape = java.util.Arrays.stream(input.shape()).mapToInt(Math::toIntExact).toArray();
        try (FloatPointer data = new FloatPointer(values); Mat blob = new Mat(shape, opencv_core.CV_32F, data)) {
            net.setInput(blob);
            try (Mat out = net.forward(outputBlob)) {
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
