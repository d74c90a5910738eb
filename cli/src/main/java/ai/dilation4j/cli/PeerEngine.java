package ai.dilation4j.cli;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Another inference engine running the same Caffe model on the same input, for {@code bench --peers}. */
interface PeerEngine extends AutoCloseable {

    String name();

    /** The named output blob for an NCHW float input. */
    INDArray forward(INDArray input, String outputBlob);

    @Override
    void close();
}
