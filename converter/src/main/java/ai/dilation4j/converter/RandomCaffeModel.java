package ai.dilation4j.converter;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.converter.caffe.proto.Caffe.BlobShape;
import ai.dilation4j.converter.caffe.proto.Caffe.V1LayerParameter.LayerType;
import ai.dilation4j.converter.graph.WeightBinding;
import ai.dilation4j.runtime.io.AtomicFiles;
import ai.dilation4j.runtime.io.FileNames;

/**
 * Writes a caffemodel with random weights for a prototxt: what benchmarks and tests use where the real trained
 * weights cannot be downloaded. Weights are He-normal ({@code std = sqrt(2 / fan_in)}), biases {@code N(0, 0.1²)};
 * the first layer's weights are scaled by 1/64 more because it reads mean-subtracted pixels of magnitude ~100,
 * so activations stay of order 1 through deep networks. Each layer's values depend only on the seed and the
 * layer name. Data is generated and written in 1 MB pieces, so a 540 MB file needs no large heap.
 */
public final class RandomCaffeModel {

    /** The caffemodel layout to write. */
    public enum Format {
        /** Current layout: {@code layer} entries, blobs with a {@code shape}. */
        V2,
        /** Legacy layout: {@code layers} entries with enum types, blobs with num/channels/height/width. */
        V1
    }

    private static final int NET_NAME = 1;
    private static final int NET_LAYERS_V1 = 2;
    private static final int NET_LAYER = 100;
    private static final int CHUNK_FLOATS = 1 << 18;
    private static final Map<String, LayerType> V1_TYPES = Map.of(
            "Convolution", LayerType.CONVOLUTION, "Deconvolution", LayerType.DECONVOLUTION);

    private RandomCaffeModel() {
    }

    /** Writes the file and returns the number of parameters written. */
    public static long write(Path prototxt, Path output, long seed, Format format) throws ConversionException {
        List<WeightBinding> layout = new CaffeConverter().weightLayout(prototxt);
        long[] parameters = {0};
        try {
            AtomicFiles.write(output, file -> {
                CodedOutputStream out = CodedOutputStream.newInstance(file, 1 << 16);
                out.writeString(NET_NAME, FileNames.stem(prototxt));
                boolean first = true;
                for (WeightBinding layer : layout) {
                    parameters[0] += writeLayer(out, layer, seed, format, first);
                    first = false;
                }
                out.flush();
            });
        } catch (IOException e) {
            throw new ConversionException("Cannot write " + output + ": " + e.getMessage(), e);
        }
        return parameters[0];
    }

    private static long writeLayer(CodedOutputStream out, WeightBinding layer, long seed, Format format,
                                   boolean readsInput) throws IOException {
        boolean v1 = format == Format.V1;
        LayerType v1Type = V1_TYPES.get(layer.layerType());
        if (v1 && v1Type == null) {
            throw new IOException("layer '" + layer.layerName() + "' (" + layer.layerType()
                    + ") has no V1 type; write this model in the V2 format");
        }
        int size = v1 ? CodedOutputStream.computeStringSize(4, layer.layerName())
                + CodedOutputStream.computeEnumSize(5, v1Type.getNumber())
                : CodedOutputStream.computeStringSize(1, layer.layerName())
                + CodedOutputStream.computeStringSize(2, layer.layerType());
        for (long[] shape : layer.expectedShapes()) {
            size += CodedOutputStream.computeTagSize(v1 ? 6 : 7) + lengthDelimited(blobSize(shape, v1));
        }
        out.writeTag(v1 ? NET_LAYERS_V1 : NET_LAYER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(size);
        if (v1) {
            out.writeString(4, layer.layerName());
            out.writeEnum(5, v1Type.getNumber());
        } else {
            out.writeString(1, layer.layerName());
            out.writeString(2, layer.layerType());
        }
        SplittableRandom random = new SplittableRandom(seed * 1_000_003L + layer.layerName().hashCode());
        long parameters = 0;
        for (int i = 0; i < layer.expectedShapes().size(); i++) {
            long[] shape = layer.expectedShapes().get(i);
            boolean bias = layer.blobRoles().get(i).equals("bias");
            double std = bias ? 0.1 : Math.sqrt(2.0 / fanIn(shape)) / (readsInput ? 64 : 1);
            out.writeTag(v1 ? 6 : 7, WireFormat.WIRETYPE_LENGTH_DELIMITED);
            out.writeUInt32NoTag(blobSize(shape, v1));
            writeBlob(out, shape, v1, random, std);
            parameters += count(shape);
        }
        return parameters;
    }

    private static void writeBlob(CodedOutputStream out, long[] shape, boolean legacy, SplittableRandom random,
                                  double std) throws IOException {
        if (legacy) {
            long[] dims = legacyDims(shape);
            for (int d = 0; d < 4; d++) {
                out.writeInt64(d + 1, dims[d]);
            }
        } else {
            out.writeMessage(7, shapeOf(shape));
        }
        long values = count(shape);
        out.writeTag(5, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(Math.toIntExact(values * Float.BYTES));
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_FLOATS * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (long written = 0; written < values; ) {
            int n = (int) Math.min(CHUNK_FLOATS, values - written);
            chunk.clear();
            for (int i = 0; i < n; i++) {
                chunk.putFloat((float) (random.nextGaussian() * std));
            }
            out.writeRawBytes(chunk.array(), 0, n * Float.BYTES);
            written += n;
        }
    }

    private static int blobSize(long[] shape, boolean legacy) {
        int size = 0;
        if (legacy) {
            long[] dims = legacyDims(shape);
            for (int d = 0; d < 4; d++) {
                size += CodedOutputStream.computeInt64Size(d + 1, dims[d]);
            }
        } else {
            size += CodedOutputStream.computeMessageSize(7, shapeOf(shape));
        }
        int dataBytes = Math.toIntExact(count(shape) * Float.BYTES);
        return size + CodedOutputStream.computeTagSize(5) + lengthDelimited(dataBytes);
    }

    /** Legacy blobs pad shapes to 4-D with leading 1s; a bias of N values is stored as 1x1x1xN. */
    private static long[] legacyDims(long[] shape) {
        long[] dims = {1, 1, 1, 1};
        System.arraycopy(shape, 0, dims, 4 - shape.length, shape.length);
        return dims;
    }

    private static BlobShape shapeOf(long[] shape) {
        BlobShape.Builder builder = BlobShape.newBuilder();
        for (long dim : shape) {
            builder.addDim(dim);
        }
        return builder.build();
    }

    private static int lengthDelimited(int length) {
        return CodedOutputStream.computeUInt32SizeNoTag(length) + length;
    }

    private static long fanIn(long[] shape) {
        long fanIn = 1;
        for (int d = 1; d < shape.length; d++) {
            fanIn *= shape[d];
        }
        return fanIn;
    }

    private static long count(long[] shape) {
        long count = 1;
        for (long dim : shape) {
            count *= dim;
        }
        return count;
    }
}
