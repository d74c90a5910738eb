package ai.dilation4j.runtime.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Fills a float array's native memory from a stream of float32 or float64 values in large chunks: no Java array
 * of the whole size, no per-value ND4J call. The array must be a fresh C-order FLOAT array on the CPU backend,
 * whose host memory is the array.
 */
final class NativeFloats {

    private static final int CHUNK_BYTES = 8 << 20;

    private NativeFloats() {
    }

    /** Reads {@code array.length()} values of {@code itemSize} bytes (4: float32, 8: float64) in {@code order}. */
    static void fill(INDArray array, InputStream in, ByteOrder order, int itemSize) throws IOException {
        if (array.dataType() != DataType.FLOAT || itemSize != Float.BYTES && itemSize != Double.BYTES) {
            throw new IllegalArgumentException("fills FLOAT arrays from 4- or 8-byte values");
        }
        // One buffer per chunk: a single NIO buffer cannot address more than 2 GB.
        FloatPointer pointer = new FloatPointer(array.data().addressPointer());
        long count = array.length();
        byte[] chunk = new byte[CHUNK_BYTES];
        FloatBuffer floats = ByteBuffer.wrap(chunk).order(order).asFloatBuffer();
        DoubleBuffer doubles = ByteBuffer.wrap(chunk).order(order).asDoubleBuffer();
        long written = 0;
        while (written < count) {
            int items = (int) Math.min(CHUNK_BYTES / itemSize, count - written);
            int bytes = items * itemSize;
            int read = in.readNBytes(chunk, 0, bytes);
            if (read < bytes) {
                throw new EOFException("the data ends " + ((count - written) * itemSize - read) + " bytes early");
            }
            FloatBuffer target = pointer.position(written).limit(written + items).asBuffer();
            if (itemSize == Float.BYTES) {
                target.put(floats.limit(items).position(0));
            } else {
                for (int i = 0; i < items; i++) {
                    target.put((float) doubles.get(i));
                }
            }
            written += items;
        }
    }
}
