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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.WireFormat;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.api.ProgressListener;
import ai.dilation4j.converter.caffe.proto.Caffe.BlobShape;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import ai.dilation4j.runtime.io.Sha256;

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

    /** Decodes one blob message (the stream limited to it); the full reader keeps values, the scan only counts. */
    @FunctionalInterface
    private interface BlobDecoder<B> {
        B decode(CodedInputStream in) throws IOException;
    }

    /** Receives each trained layer's decoded blobs. */
    @FunctionalInterface
    private interface DecodedLayerConsumer<B> {
        void accept(String layerName, List<B> blobs) throws ConversionException;
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
        MessageDigest sha256 = Sha256.newDigest();
        long bytes = size(file);
        int layers;
        try (InputStream raw = Files.newInputStream(file);
             InputStream digesting = new DigestInputStream(new BufferedInputStream(
                     new ProgressInputStream(raw, bytes, progress), CHUNK), sha256)) {
            layers = readLayers(file, bytes, digesting, CaffeModelReader::readBlob, consumer::accept);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
        return new Summary(bytes, Sha256.hex(sha256), layers);
    }

    /**
     * The shapes and value counts of every trained layer's blobs, without reading their values (the data is
     * skipped, so even a large file takes little time and no memory): what lets a conversion check the file
     * against the network before allocating anything. The map keeps the file's order; a layer name the file
     * repeats keeps its last blobs, as loading does.
     */
    public static Map<String, List<BlobLayout>> readLayout(Path file) throws ConversionException {
        Map<String, List<BlobLayout>> layout = new LinkedHashMap<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), CHUNK)) {
            readLayers(file, size(file), in, CaffeModelReader::scanBlob, layout::put);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
        return layout;
    }

    private static <B> int readLayers(Path file, long fileSize, InputStream source, BlobDecoder<B> decoder,
                                      DecodedLayerConsumer<B> consumer) throws IOException, ConversionException {
        int layers = 0;
        String currentLayer = null;
        CodedInputStream in = CodedInputStream.newInstance(source, CHUNK);
        in.setSizeLimit(Integer.MAX_VALUE);
        try {
            while (true) {
                in.resetSizeCounter();
                int tag = in.readTag();
                if (tag == 0) {
                    break;
                }
                int field = WireFormat.getTagFieldNumber(tag);
                if ((field == NET_LAYER || field == NET_LAYERS_V1)
                        && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
                    int layerBytes = in.readRawVarint32();
                    // Every length inside is checked against this one, so no claim can exceed the file's size.
                    if (layerBytes < 0 || layerBytes > fileSize) {
                        throw new InvalidProtocolBufferException("a layer record claims " + Integer.toUnsignedString(
                                layerBytes) + " bytes, but the whole file has " + fileSize);
                    }
                    int limit = in.pushLimit(layerBytes);
                    boolean v1 = field == NET_LAYERS_V1;
                    String name = null;
                    List<B> blobs = new ArrayList<>();
                    while (!in.isAtEnd()) {
                        int layerTag = in.readTag();
                        int layerField = WireFormat.getTagFieldNumber(layerTag);
                        if (layerField == (v1 ? V1_NAME : V2_NAME)) {
                            name = in.readString();
                            currentLayer = name;
                        } else if (layerField == (v1 ? V1_BLOBS : V2_BLOBS)) {
                            int blobLimit = in.pushLimit(withinLimit(in, in.readRawVarint32(), 1));
                            blobs.add(decoder.decode(in));
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
        } catch (InvalidProtocolBufferException e) {
            throw new ConversionException("Weights file " + file + " is truncated or is not a binary caffemodel ("
                    + e.getMessage().replaceFirst("\\s*This could mean.*$", "")
                    + (currentLayer == null ? "" : "; last layer read: '" + currentLayer + "'")
                    + "). Download it again and compare its SHA-256 with the published one.", e);
        }
        return layers;
    }

    private static long size(Path file) throws ConversionException {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
    }

    private static ConversionException cannotRead(Path file, IOException e) {
        if (e instanceof NoSuchFileException) {
            return new ConversionException("Weights file " + file + " does not exist.", e);
        }
        return new ConversionException("Cannot read weights file " + file + ": " + e.getMessage(), e);
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
                        int limit = in.pushLimit(withinLimit(in, in.readRawVarint32(), Double.BYTES));
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

    /** Reads a blob's shape fields and counts its values, skipping the data itself. */
    private static BlobLayout scanBlob(CodedInputStream in) throws IOException {
        long[] shape = null;
        long[] legacy = {0, 0, 0, 0};
        long values = 0;
        while (!in.isAtEnd()) {
            int tag = in.readTag();
            boolean packed = WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED;
            switch (WireFormat.getTagFieldNumber(tag)) {
                case BLOB_SHAPE -> shape = BlobShape.parseFrom(in.readBytes()).getDimList().stream()
                        .mapToLong(Long::longValue).toArray();
                case BLOB_NUM -> legacy[0] = in.readInt64();
                case BLOB_CHANNELS -> legacy[1] = in.readInt64();
                case BLOB_HEIGHT -> legacy[2] = in.readInt64();
                case BLOB_WIDTH -> legacy[3] = in.readInt64();
                case BLOB_DATA -> values += packed ? skipPacked(in, Float.BYTES) : skipOne(in, tag);
                case BLOB_DOUBLE_DATA -> values += packed ? skipPacked(in, Double.BYTES) : skipOne(in, tag);
                default -> in.skipField(tag);
            }
        }
        return shape != null ? new BlobLayout(shape, false, values) : new BlobLayout(legacy, true, values);
    }

    /** Skips packed values of {@code width} bytes each; returns their number. */
    private static long skipPacked(CodedInputStream in, int width) throws IOException {
        int length = withinLimit(in, in.readRawVarint32(), width);
        in.skipRawBytes(length);
        return length / width;
    }

    /**
     * A length read from the file, checked before anything of that size is allocated: it must fit in the enclosing
     * record and be a whole number of {@code width}-byte values.
     */
    private static int withinLimit(CodedInputStream in, int length, int width) throws IOException {
        if (length < 0 || length > in.getBytesUntilLimit()) {
            throw new InvalidProtocolBufferException("a field claims " + Integer.toUnsignedString(length)
                    + " bytes, more than its enclosing record holds");
        }
        if (length % width != 0) {
            throw new InvalidProtocolBufferException("packed data of " + length + " bytes is not a whole number of "
                    + width + "-byte values");
        }
        return length;
    }

    private static long skipOne(CodedInputStream in, int tag) throws IOException {
        in.skipField(tag);
        return 1;
    }

    private static INDArray appendPackedFloats(INDArray previous, CodedInputStream in) throws IOException {
        int length = withinLimit(in, in.readRawVarint32(), Float.BYTES);
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
