package ai.dilation4j.converter.caffe;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;

import ai.dilation4j.converter.ConversionException;
import ai.dilation4j.converter.ProgressListener;
import ai.dilation4j.converter.caffe.proto.Caffe.BlobShape;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Streams the trained parameters out of a binary {@code .caffemodel} ({@code NetParameter}), one layer at a
 * time, in the current ({@code layer}, field 100) and legacy V1 ({@code layers}, field 2) forms.
 *
 * <p>Parameter data goes straight from the file into native ND4J buffers in 1 MB pieces, so converting a
 * model of several hundred MB needs only a few MB of Java heap; only the name and blobs of each layer are
 * decoded, every other field is skipped, and the file's SHA-256 is computed on the way.
 */
public final class CaffeModelReader {

    /** Receives the blobs of each trained layer as soon as the layer has been read. */
    @FunctionalInterface
    public interface LayerConsumer {
        void accept(String layerName, List<CaffeBlob> blobs) throws ConversionException;
    }

    /** What was read: the file's size and digest and the number of layers seen. */
    public record Summary(long bytes, String sha256, int layers) {
    }

    private static final int NET_LAYERS_V1 = 2;
    private static final int NET_LAYER = 100;
    private static final int V2_NAME = 1;
    private static final int V2_BLOBS = 7;
    private static final int V1_NAME = 4;
    private static final int V1_BLOBS = 6;
    private static final int BLOB_NUM = 1;
    private static final int BLOB_CHANNELS = 2;
    private static final int BLOB_HEIGHT = 3;
    private static final int BLOB_WIDTH = 4;
    private static final int BLOB_DATA = 5;
    private static final int BLOB_SHAPE = 7;
    private static final int BLOB_DOUBLE_DATA = 8;
    private static final int CHUNK = 1 << 20;

    private CaffeModelReader() {
    }

    public static Summary read(Path file, LayerConsumer consumer) throws ConversionException {
        return read(file, consumer, ProgressListener.NONE);
    }

    /** Reads the file, reporting the bytes read so far as step {@code "Reading weights"}. */
    public static Summary read(Path file, LayerConsumer consumer, ProgressListener progress)
            throws ConversionException {
        MessageDigest sha256 = newSha256();
        long bytes;
        int layers = 0;
        String currentLayer = null;
        try (InputStream raw = Files.newInputStream(file);
             InputStream digesting = new DigestInputStream(new BufferedInputStream(
                     new ProgressInputStream(raw, Files.size(file), progress), CHUNK), sha256)) {
            bytes = Files.size(file);
            CodedInputStream in = CodedInputStream.newInstance(digesting, CHUNK);
            in.setSizeLimit(Integer.MAX_VALUE);
            while (true) {
                in.resetSizeCounter();
                int tag = in.readTag();
                if (tag == 0) {
                    break;
                }
                int field = WireFormat.getTagFieldNumber(tag);
                if ((field == NET_LAYER || field == NET_LAYERS_V1)
                        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    int limit = in.pushLimit(in.readRawVarint32());
                    boolean v1 = field == NET_LAYERS_V1;
                    String name = null;
                    List<CaffeBlob> blobs = new ArrayList<>();
                    while (!in.isAtEnd()) {
                        int layerTag = in.readTag();
                        int layerField = WireFormat.getTagFieldNumber(layerTag);
                        if (layerField == (v1 ? V1_NAME : V2_NAME)) {
                            name = in.readString();
                            currentLayer = name;
                        } else if (layerField == (v1 ? V1_BLOBS : V2_BLOBS)) {
                            int blobLimit = in.pushLimit(in.readRawVarint32());
                            blobs.add(readBlob(in));
                            in.popLimit(blobLimit);
                        } else {
                            in.skipField(layerTag);
                        }
                    }
                    in.popLimit(limit);
                    layers++;
                    if (name != null && !blobs.isEmpty()) {
                        consumer.accept(name, blobs);
                    }
                } else {
                    in.skipField(tag);
                }
            }
        } catch (NoSuchFileException e) {
            throw new ConversionException("Weights file " + file + " does not exist.", e);
        } catch (InvalidProtocolBufferException e) {
            throw new ConversionException("Weights file " + file + " is truncated or is not a binary caffemodel ("
                    + e.getMessage().replaceFirst("\\s*This could mean.*$", "")
                    + (currentLayer == null ? "" : "; last layer read: '" + currentLayer + "'")
                    + "). Download it again and compare its SHA-256 with the published one.", e);
        } catch (IOException e) {
            throw new ConversionException("Cannot read weights file " + file + ": " + e.getMessage(), e);
        }
        return new Summary(bytes, HexFormat.of().formatHex(sha256.digest()), layers);
    }

    private static CaffeBlob readBlob(CodedInputStream in) throws IOException {
        long[] shape = null;
        long[] legacy = {0, 0, 0, 0};
        INDArray packed = null;
        FloatAccumulator loose = new FloatAccumulator();
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            int wireType = WireFormat.getTagWireType(tag);
            switch (WireFormat.getTagFieldNumber(tag)) {
                case BLOB_SHAPE -> {
                    BlobShape blobShape = BlobShape.parseFrom(in.readBytes());
                    shape = blobShape.getDimList().stream().mapToLong(Long::longValue).toArray();
                }
                case BLOB_NUM -> legacy[0] = in.readInt64();
                case BLOB_CHANNELS -> legacy[1] = in.readInt64();
                case BLOB_HEIGHT -> legacy[2] = in.readInt64();
                case BLOB_WIDTH -> legacy[3] = in.readInt64();
                case BLOB_DATA -> {
                    if (wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                        packed = appendPackedFloats(packed, in);
                    } else {
                        loose.add(in.readFloat());
                    }
                }
                case BLOB_DOUBLE_DATA -> {
                    if (wireType == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                        int limit = in.pushLimit(in.readRawVarint32());
                        while (!in.isAtEnd()) {
                            loose.add((float) in.readDouble());
                        }
                        in.popLimit(limit);
                    } else {
                        loose.add((float) in.readDouble());
                    }
                }
                default -> in.skipField(tag);
            }
        }
        INDArray values = packed != null ? packed : loose.toArray();
        return shape != null ? new CaffeBlob(shape, false, values) : new CaffeBlob(legacy, true, values);
    }

    private static INDArray appendPackedFloats(INDArray previous, CodedInputStream in) throws IOException {
        int length = in.readRawVarint32();
        if (length % Float.BYTES != 0) {
            throw new InvalidProtocolBufferException("packed float data of " + length + " bytes is not a whole "
                    + "number of floats");
        }
        INDArray values = Nd4j.createUninitialized(DataType.FLOAT, length / Float.BYTES);
        ByteBuffer target = values.data().asNio().order(ByteOrder.LITTLE_ENDIAN);
        int remaining = length;
        while (remaining > 0) {
            int piece = Math.min(remaining, CHUNK);
            target.put(in.readRawBytes(piece));
            remaining -= piece;
        }
        return previous == null ? values : Nd4j.concat(0, previous, values);
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JVM has no SHA-256", e);
        }
    }

    /** Reports the bytes read through it every few MB. */
    private static final class ProgressInputStream extends FilterInputStream {
        private static final long STEP = 8L << 20;
        private final long total;
        private final ProgressListener listener;
        private long read;
        private long reported;

        ProgressInputStream(InputStream in, long total, ProgressListener listener) {
            super(in);
            this.total = total;
            this.listener = listener;
            listener.progress("Reading weights", 0, total);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            advance(b < 0 ? -1 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            advance(n);
            return n;
        }

        private void advance(int n) {
            if (n > 0) {
                read += n;
            }
            if (read - reported >= STEP || (n < 0 || read == total) && reported != read) {
                reported = read;
                listener.progress("Reading weights", read, total);
            }
        }
    }

    /** Collects values stored one field at a time (unpacked floats, doubles), which old writers produced. */
    private static final class FloatAccumulator {
        private float[] values = new float[0];
        private int size;

        void add(float value) {
            if (size == values.length) {
                values = Arrays.copyOf(values, Math.max(16, size * 2));
            }
            values[size++] = value;
        }

        INDArray toArray() {
            return Nd4j.createFromArray(Arrays.copyOf(values, size));
        }
    }
}
