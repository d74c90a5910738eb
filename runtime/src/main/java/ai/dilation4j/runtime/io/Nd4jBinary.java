package ai.dilation4j.runtime.io;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteOrder;
import java.util.Arrays;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads a float array in {@code Nd4j.write}'s format (the {@code coefficients.bin} of a DL4J model zip) in bulk.
 * {@code Nd4j.read} decodes it one value at a time (~4 s for DilatedNet's 141 M parameters); this reads it in
 * large chunks straight into the array's native memory, swapping the big-endian values on the way.
 *
 * <p>The format: a shape-info buffer and a data buffer, each {@code writeUTF(allocation mode)},
 * {@code writeLong(length)}, {@code writeUTF(data type)}, then the values big-endian. The headers are read and
 * checked on their own ({@link #readHeader}), so a caller can compare what the file declares with what it
 * expects before anything is allocated.
 */
public final class Nd4jBinary {

    private static final int MAX_RANK = 32;

    /**
     * What the headers declare.
     *
     * @param shape    the array's shape
     * @param length   the number of values stored
     * @param dataType the stored type's name, e.g. {@code FLOAT}
     */
    public record Header(long[] shape, long length, String dataType) {

        /** Bytes of the values, or -1 when the data type is unknown. */
        public long dataBytes() {
            try {
                return Math.multiplyExact(length, DataType.valueOf(dataType).width());
            } catch (IllegalArgumentException | ArithmeticException e) {
                return -1;
            }
        }

        public boolean isFloat() {
            return dataType.equals(DataType.FLOAT.name());
        }
    }

    private Nd4jBinary() {
    }

    /**
     * Reads one FLOAT array; returns null, having consumed only the headers, when the stored array is of another
     * type (callers then fall back to DL4J's reader).
     */
    public static INDArray readFloatArray(InputStream source) throws IOException {
        DataInputStream in = new DataInputStream(source);
        Header header = readHeader(in);
        return header.isFloat() ? readFloatData(in, header) : null;
    }

    /** Reads and checks both headers, leaving the stream at the first value; allocates nothing large. */
    public static Header readHeader(DataInputStream in) throws IOException {
        in.readUTF();
        long shapeInfoLength = in.readLong();
        String shapeInfoType = in.readUTF();
        if (shapeInfoLength < 1 || shapeInfoLength > 2 * MAX_RANK + 4) {
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
        long rank = shapeInfo[0];
        if (rank < 0 || rank > MAX_RANK || 1 + 2 * rank > shapeInfo.length) {
            throw new IOException("implausible rank " + rank);
        }
        long[] shape = Arrays.copyOfRange(shapeInfo, 1, 1 + (int) rank);
        if (Arrays.stream(shape).anyMatch(d -> d < 0)) {
            throw new IOException("negative dimension in shape " + Arrays.toString(shape));
        }
        in.readUTF();
        long length = in.readLong();
        String type = in.readUTF();
        long expected = ArraySizes.saturatedProduct(shape);
        if (length != expected) {
            throw new IOException("the data holds " + length + " values, its shape " + Arrays.toString(shape)
                    + " needs " + (expected == Long.MAX_VALUE ? "more than " + Long.MAX_VALUE : expected));
        }
        return new Header(shape, length, type);
    }

    /** Reads the values of a FLOAT array whose header {@link #readHeader} has read. */
    public static INDArray readFloatData(DataInputStream in, Header header) throws IOException {
        if (!header.isFloat()) {
            throw new IllegalArgumentException("not a FLOAT array: " + header.dataType());
        }
        INDArray array = Nd4j.createUninitialized(DataType.FLOAT, header.shape(), 'c');
        NativeFloats.fill(array, in, ByteOrder.BIG_ENDIAN, Float.BYTES);
        return array;
    }
}
