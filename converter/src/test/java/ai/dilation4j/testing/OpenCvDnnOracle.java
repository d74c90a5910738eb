package ai.dilation4j.testing;

import java.nio.file.Path;

import ai.dilation4j.runtime.io.OpenCvDnnBlobs;
import org.bytedeco.opencv.global.opencv_dnn;
import org.bytedeco.opencv.opencv_dnn.Net;
import org.nd4j.linalg.api.ndarray.INDArray;

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
        return OpenCvDnnBlobs.forward(net, input, layer);
    }

    @Override
    public void close() {
        net.close();
    }
}
