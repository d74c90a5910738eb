package ai.dilation4j.runtime.io;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Whether an array's elements lie in row-major order without gaps, judged by its strides: code that reads an array's
 * native memory directly must ask this, not {@code ordering()}. libnd4j's oneDNN-backed ops may hand back an output
 * whose strides they changed (e.g. {@code conv2d_bp}'s input gradient laid out [C][N][H][W], strides
 * {@code [484, 968, 22, 1]} for shape {@code [2, 16, 22, 22]}) while {@code ordering()} still says {@code 'c'} and
 * {@code isView()} false.
 */
public final class RowMajor {

    private RowMajor() {
    }

    /**
     * The stride of a dimension of size 1 does not matter: nd4j's {@code Shape.hasDefaultStridesForShape} rejects e.g.
     * {@code [1, 4096, 1, 1]} with strides {@code [4096, 1, 1, 1]} (a 1x1 feature map), which is contiguous.
     */
    public static boolean isRowMajor(INDArray array) {
        long[] shape = array.shape();
        long[] strides = array.stride();
        long expected = 1;
        for (int dim = shape.length - 1; dim >= 0; dim--) {
            if (shape[dim] != 1 && strides[dim] != expected) {
                return false;
            }
            expected *= shape[dim];
        }
        return true;
    }

    /** The native memory of a row-major float array (or such a view), as long as the array; refuses any other. */
    public static FloatPointer floats(INDArray array) {
        if (array.dataType() != DataType.FLOAT || !isRowMajor(array)) {
            throw new IllegalArgumentException("expected a contiguous row-major float array");
        }
        // A view's data() is a buffer view whose address already includes the view's offset.
        return new FloatPointer(array.data().addressPointer()).capacity(array.length());
    }
}
