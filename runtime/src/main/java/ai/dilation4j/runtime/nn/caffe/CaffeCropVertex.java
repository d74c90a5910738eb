package ai.dilation4j.runtime.nn.caffe;

import java.util.Arrays;

import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.jackson.annotation.JsonProperty;

/**
 * Caffe's Crop layer: crops its first input to the shape of its second (reference) input on every axis from
 * {@code axis} on, starting at the given offsets. DL4J's {@code Cropping2D} takes fixed margins, which are
 * right for a single input size only; this vertex reads the reference shape at run time, as Caffe does, so
 * FCN-style networks stay correct for any input size. Backward, the first input's gradient is the output gradient
 * inside the window and zero outside; the reference input's is zero.
 */
public class CaffeCropVertex extends CaffeVertexConf {

    private final int axis;
    private final long[] offsets;

    /**
     * @param axis    first cropped axis of the NCHW blob, 1..3 (Caffe's default is 2)
     * @param offsets one offset per cropped axis ({@code 4 - axis} values)
     */
    public CaffeCropVertex(@JsonProperty("axis") int axis, @JsonProperty("offsets") long[] offsets) {
        if (axis < 1 || axis > 3) {
            throw new IllegalArgumentException("crop axis must be 1, 2 or 3 for NCHW blobs, got " + axis);
        }
        if (offsets == null || offsets.length != 4 - axis || Arrays.stream(offsets).anyMatch(o -> o < 0)) {
            throw new IllegalArgumentException("crop from axis " + axis + " needs " + (4 - axis)
                    + " offsets >= 0, got " + Arrays.toString(offsets));
        }
        this.axis = axis;
        this.offsets = offsets.clone();
    }

    public int getAxis() {
        return axis;
    }

    public long[] getOffsets() {
        return offsets.clone();
    }

    /** The offset applied on NCHW dimension {@code dim}, 0 for dimensions before the crop axis. */
    long offsetOf(int dim) {
        return dim < axis ? 0 : offsets[dim - axis];
    }

    @Override
    public CaffeCropVertex clone() {
        return new CaffeCropVertex(axis, offsets);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CaffeCropVertex v && v.axis == axis && Arrays.equals(v.offsets, offsets);
    }

    @Override
    public int hashCode() {
        return 31 * axis + Arrays.hashCode(offsets);
    }

    @Override
    public int minVertexInputs() {
        return 2;
    }

    @Override
    public int maxVertexInputs() {
        return 2;
    }

    @Override
    public org.deeplearning4j.nn.graph.vertex.GraphVertex instantiate(ComputationGraph graph, String name, int idx,
            INDArray paramsView, boolean initializeParams, DataType networkDatatype) {
        return new CaffeCropVertexImpl(graph, name, idx, this, networkDatatype);
    }

    @Override
    public InputType getOutputType(int layerIndex, InputType... vertexInputs) throws InvalidInputTypeException {
        InputType.InputTypeConvolutional in = Cnn2d.requireNchw(vertexInputs[0], "CaffeCropVertex");
        InputType.InputTypeConvolutional ref = Cnn2d.requireNchw(vertexInputs[1], "CaffeCropVertex");
        long[] inDims = {in.getChannels(), in.getHeight(), in.getWidth()};
        long[] refDims = {ref.getChannels(), ref.getHeight(), ref.getWidth()};
        long[] outDims = new long[3];
        for (int dim = 1; dim <= 3; dim++) {
            outDims[dim - 1] = dim < axis ? inDims[dim - 1] : refDims[dim - 1];
            if (offsetOf(dim) + outDims[dim - 1] > inDims[dim - 1]) {
                throw new InvalidInputTypeException("crop: offset " + offsetOf(dim) + " + reference size "
                        + outDims[dim - 1] + " exceeds input size " + inDims[dim - 1] + " on axis " + dim);
            }
        }
        return InputType.convolutional(outDims[1], outDims[2], outDims[0]);
    }

    @Override
    public String toString() {
        return "CaffeCropVertex(axis " + axis + ", offsets " + Arrays.toString(offsets) + ")";
    }
}
