package ai.dilation4j.cli;

import java.nio.file.Path;

import org.bytedeco.caffe.Caffe;
import org.bytedeco.caffe.FloatBlob;
import org.bytedeco.caffe.FloatNet;
import org.bytedeco.caffe.global.caffe;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * BVLC Caffe 1.0 itself (JavaCPP's build: CPU, OpenBLAS), the reference implementation of the model. It uses
 * OpenBLAS's own threads, so {@code --threads} does not apply to it; set OPENBLAS_NUM_THREADS before starting.
 */
final class CaffePeer implements PeerEngine {

    private final FloatNet net;

    CaffePeer(Path prototxt, Path caffemodel) {
        Caffe.set_mode(Caffe.CPU);
        this.net = new FloatNet(prototxt.toString(), caffe.TEST);
        net.CopyTrainedLayersFrom(caffemodel.toString());
    }

    @Override
    public String name() {
        return "caffe";
    }

    @Override
    public INDArray forward(INDArray input, String outputBlob) {
        FloatBlob data = net.input_blobs().get(0);
        int[] shape = java.util.Arrays.stream(input.shape()).mapToInt(Math::toIntExact).toArray();
        data.Reshape(shape);
        net.Reshape();
        float[] values = input.castTo(DataType.FLOAT).dup('c').data().asFloat();
        data.mutable_cpu_data().capacity(values.length).put(values);
        net.Forward();
        FloatBlob out = net.blob_by_name(outputBlob);
        long[] outShape = new long[out.num_axes()];
        for (int i = 0; i < outShape.length; i++) {
            outShape[i] = out.shape(i);
        }
        float[] result = new float[out.count()];
        FloatPointer outValues = out.cpu_data();
        outValues.capacity(result.length).get(result);
        return Nd4j.create(result, outShape, 'c');
    }

    @Override
    public void close() {
        net.close();
    }
}
