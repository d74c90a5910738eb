package ai.dilation4j.runtime.nn.conv;

import java.nio.FloatBuffer;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.indexer.FloatIndexer;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import ai.dilation4j.runtime.io.RowMajor;

/** Direct access to the native memory of a row-major float array without gaps (a whole array or such a view). */
final class ContiguousMemory {

    private ContiguousMemory() {
    }

    /** The elements as a buffer over their native memory. */
    static FloatBuffer floats(INDArray array) {
        return pointer(array).asBuffer();
    }

    /**
     * The same memory as a new top-level array of another shape. Sub-views of views of views are unreliable in
     * nd4j M2.1 (a row interval of a layer's weights, themselves a view of the flat parameters, can come back
     * empty); views of this array are plain one-level views.
     */
    static INDArray alias(INDArray array, long... shape) {
        FloatPointer pointer = pointer(array);
        DataBuffer buffer = Nd4j.createBuffer(pointer, DataType.FLOAT, array.length(), FloatIndexer.create(pointer));
        return Nd4j.create(buffer, shape, Nd4j.getStrides(shape, 'c'), 0, 'c');
    }

    /** The native memory of a contiguous row-major float array (or such a view), as long as the array. */
    static FloatPointer pointer(INDArray array) {
        return RowMajor.floats(array);
    }
}
