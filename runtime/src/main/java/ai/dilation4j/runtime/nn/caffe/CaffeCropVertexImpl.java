package ai.dilation4j.runtime.nn.caffe;

import java.util.Arrays;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.workspace.ArrayType;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Runs {@link CaffeCropVertex}: a view of the first input, copied so the result owns its memory. Backward, the
 * output gradient lands in the same window of a zero gradient for the first input; the reference input only
 * lends its shape, so its gradient is zero, as in Caffe.
 */
final class CaffeCropVertexImpl extends CaffeVertex {

    private final CaffeCropVertex conf;

    CaffeCropVertexImpl(ComputationGraph graph, String name, int vertexIndex, CaffeCropVertex conf,
                        DataType dataType) {
        super(graph, name, vertexIndex, dataType);
        this.conf = conf;
    }

    @Override
    protected INDArray compute(LayerWorkspaceMgr workspaceMgr) {
        return workspaceMgr.dup(ArrayType.ACTIVATIONS, inputs[0].get(window()), 'c');
    }

    @Override
    protected INDArray[] inputGradients(LayerWorkspaceMgr workspaceMgr) {
        INDArray inputGradient = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, epsilon.dataType(), inputs[0].shape(),
                'c');
        inputGradient.get(window()).assign(epsilon);
        INDArray referenceGradient = workspaceMgr.create(ArrayType.ACTIVATION_GRAD, epsilon.dataType(),
                inputs[1].shape(), 'c');
        return new INDArray[] {inputGradient, referenceGradient};
    }

    /** The cropped window of the first input, after checking it lies inside. */
    private INDArrayIndex[] window() {
        INDArray in = inputs[0];
        INDArray reference = inputs[1];
        if (in.rank() != 4 || reference.rank() != 4) {
            throw new IllegalStateException("Vertex " + vertexName + ": crop needs 4-D NCHW inputs, got "
                    + Arrays.toString(in.shape()) + " and " + Arrays.toString(reference.shape()));
        }
        INDArrayIndex[] window = new INDArrayIndex[4];
        for (int dim = 0; dim < 4; dim++) {
            long offset = conf.offsetOf(dim);
            long length = dim < conf.getAxis() ? in.size(dim) : reference.size(dim);
            if (offset + length > in.size(dim)) {
                throw new IllegalStateException("Vertex " + vertexName + ": cannot crop " + length
                        + " elements at offset " + offset + " from axis " + dim + " of size " + in.size(dim)
                        + " (input " + Arrays.toString(in.shape()) + ", reference " + Arrays.toString(reference.shape())
                        + ")");
            }
            window[dim] = NDArrayIndex.interval(offset, offset + length);
        }
        return window;
    }

    @Override
    public String toString() {
        return "CaffeCropVertexImpl(name=\"" + vertexName + "\", " + conf + ")";
    }
}
