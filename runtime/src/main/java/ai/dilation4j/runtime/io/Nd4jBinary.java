package ai.dilation4j.runtime.io;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a float array in {@code Nd4j.write}'s format (the {@code coefficients.bin} of a DL4J model zip) in bulk.
 * {@code Nd4j.read} decodes it one value at a time (~4 s for DilatedNet's 141 M parameters); this reads it in
 * large chunks straight into the array's native memory, swapping the big-endian values on the way.
 *
 * <p>The format: a shape-info buffer and a data buffer, each {@code writeUTF(allocation mode)},
 * {@code writeLong(length)}, {@code writeUTF(data type)}, then the values big-endian.
 */
public final class Nd4jBinary {

    private static final int CHUNK_BYTES = 8 << 20;

    private Nd4jBinary() {
    }

    /**
     * Reads one FLOAT array; returns null, having consumed only the headers, when the stored array is of another
     * type (callers then fall back to DL4J's reader).
     */
    public static INDArray readFloatArray(InputStream source) throws IOException {
        DataInputStream in = new DataInputStream(source);
        in.readUTF();
        long shapeInfoLength = in.readLong();
        String shapeInfoType = in.readUTF();
        if (shapeInfoLength < 1 || shapeInfoLength > 64) {
            throw new IOException("implausible shape information length " + shapeInfoLength);
        }
        long[] shapeInfo = new long[(int) shapeInfoLength];
        for (int i = 0; i < shapeInfo.length; i++) {
            shapeInfo[i] = switch (shapeInfoType) {
                case "LONG" -> in.readLong();
                case "INT" -> in.readInt();
                default -> throw new IOException("unexpected shape information type " + shapeInfoType);
            };
        }
        int rank = (int) shapeInfo[0];
        if (rank < 0 || 1 + 2L * rank > shapeInfo.length) {
            throw new IOException("implausible rank " + rank);
        }
        long[] shape = java.util.Arrays.copyOfRange(shapeInfo, 1, 1 + rank);

        in.readUTF();
        long length = in.readLong();
        String type = in.readUTF();
        if (!type.equals(DataType.FLOAT.name())) {
            return null;
        }
        long expected = 1;
        for (long dimension : shape) {
            expected *= dimension;
        }
        if (length != expected) {
            throw new IOException("the data holds " + length + " values, its shape " + java.util.Arrays.toString(shape)
                    + " needs " + expected);
        }
        INDArray array = Nd4j.createUninitialized(DataType.FLOAT, shape, 'c');
        // One buffer per chunk: a single NIO buffer cannot address more than 2 GB.
        FloatPointer pointer = new FloatPointer(array.data().addressPointer());
        long written = 0;
        byte[] chunk = new byte[CHUNK_BYTES];
        FloatBuffer values = ByteBuffer.wrap(chunk).order(ByteOrder.BIG_ENDIAN).asFloatBuffer();
        long remaining = length * Float.BYTES;
        while (remaining > 0) {
            int bytes = (int) Math.min(chunk.length, remaining);
            int read = in.readNBytes(chunk, 0, bytes);
            if (read < bytes) {
                throw new EOFException("the parameters end " + (remaining - read) + " bytes early");
            }
            int count = bytes / Float.BYTES;
            FloatBuffer target = pointer.position(written).limit(written + count).asBuffer();
            target.put(values.limit(count).position(0));
            written += count;
            remaining -= bytes;
        }
        return array;
    }
}
