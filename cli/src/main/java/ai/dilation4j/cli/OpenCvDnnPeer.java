package ai.dilation4j.cli;

import java.nio.file.Path;

import ai.dilation4j.runtime.io.OpenCvDnnBlobs;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_dnn.Net;
import org.nd4j.linalg.api.ndarray.INDArray;

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
        return OpenCvDnnBlobs.forward(net, input, outputBlob);
    }

    @Override
    public void close() {
        net.close();
    }
}
