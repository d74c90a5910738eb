package ai.dilation4j.converter.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import ai.dilation4j.converter.onnx.proto.Onnx.AttributeProto;
import ai.dilation4j.converter.onnx.proto.Onnx.GraphProto;
import ai.dilation4j.converter.onnx.proto.Onnx.NodeProto;
import ai.dilation4j.converter.onnx.proto.Onnx.TensorProto;
import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import org.bytedeco.javacpp.BytePointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;

/**
 * The ONNX graph being written: nodes in the order they are added (the DL4J graph's topological order), constant
 * tensors, and the names in use. Weight tensors reference the model's native memory rather than copying it, so
 * exporting a 565 MB model does not need another 565 MB; the model must stay open until the graph is written.
 */
final class OnnxGraph {

    /** Protobuf cannot serialize a message of 2 GB or more (ONNX keeps larger weights in external files). */
    static final long MAX_MODEL_BYTES = (2L << 30) - (16L << 20);

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final Set<String> names = new HashSet<>();
    /** The arrays whose native memory the tensors reference: collected, they would free it before the write. */
    private final List<INDArray> referenced = new ArrayList<>();
    private final long maxTensorBytes;
    private long tensorBytes;

    OnnxGraph() {
        this(MAX_MODEL_BYTES);
    }

    /** A graph whose weights may take up to {@code maxTensorBytes}. */
    OnnxGraph(long maxTensorBytes) {
        this.maxTensorBytes = maxTensorBytes;
    }

    GraphProto.Builder proto() {
        return graph;
    }

    long tensorBytes() {
        return tensorBytes;
    }

    /** {@code wanted}, or {@code wanted_2}, {@code wanted_3}, ... when a value, node or tensor already has it. */
    String uniqueName(String wanted) {
        String name = wanted;
        for (int i = 2; !names.add(name); i++) {
            name = wanted + "_" + i;
        }
        return name;
    }

    /** Reserves a name that must stay as it is (a graph input or output); false when it is taken. */
    boolean reserve(String name) {
        return names.add(name);
    }

    /** Adds a node whose one output is a new value named after {@code name}; returns that value's name. */
    String node(String name, String opType, List<String> inputs, AttributeProto... attributes) {
        String output = uniqueName(name);
        addNode(output, opType, inputs, output, attributes);
        return output;
    }

    /** Adds a node writing the already reserved value {@code output}. */
    void addNode(String nodeName, String opType, List<String> inputs, String output, AttributeProto... attributes) {
        graph.addNode(NodeProto.newBuilder().setName(nodeName).setOpType(opType).addAllInput(inputs)
                .addOutput(output).addAllAttribute(Arrays.asList(attributes)));
    }

    /**
     * A float tensor holding an array's values in the given shape (same element count); returns its name. Refuses
     * weights that would take the file to 2 GB.
     */
    String weights(String name, INDArray values, long... shape) throws OnnxExportException {
        if (Arrays.stream(shape).reduce(1, Math::multiplyExact) != values.length()) {
            throw new IllegalArgumentException(name + ": " + values.length() + " values for shape "
                    + Arrays.toString(shape));
        }
        tensorBytes += values.length() * Float.BYTES;
        if (tensorBytes > maxTensorBytes) {
            throw new OnnxExportException("The model has more than " + maxTensorBytes / (1 << 20) + " MB of "
                    + "weights; an ONNX file holds less than 2 GB (protobuf's limit), and export does not write "
                    + "weights to external files.");
        }
        String tensor = uniqueName(name);
        graph.addInitializer(TensorProto.newBuilder().setName(tensor).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addAllDims(asList(shape)).setRawData(littleEndianFloats(values)));
        return tensor;
    }

    /** A float tensor of the given shape and values. */
    String floats(String name, long[] shape, float... values) {
        String tensor = uniqueName(name);
        tensorBytes += (long) values.length * Float.BYTES;
        graph.addInitializer(TensorProto.newBuilder().setName(tensor).setDataType(TensorProto.DataType.FLOAT_VALUE)
                .addAllDims(asList(shape)).setRawData(littleEndian(values)));
        return tensor;
    }

    /** A one-dimensional int64 tensor (shapes, pads, slice bounds). */
    String ints(String name, long... values) {
        String tensor = uniqueName(name);
        tensorBytes += (long) values.length * Long.BYTES;
        graph.addInitializer(TensorProto.newBuilder().setName(tensor).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length).addAllInt64Data(asList(values)));
        return tensor;
    }

    /**
     * The values as little-endian float32 bytes: the array's own memory when it is a row-major float array on a
     * little-endian machine (a layer's weights always are), else a converted copy.
     */
    private ByteString littleEndianFloats(INDArray values) {
        long bytes = values.length() * Float.BYTES; // below 2 GB: weights() refuses more
        // hasDefaultStridesForShape also refuses some row-major arrays with a dimension of size 1 (a bias [1, n]
        // view): those are copied, which costs nothing at their size.
        if (values.dataType() == DataType.FLOAT && ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN
                && values.ordering() == 'c' && Shape.hasDefaultStridesForShape(values)) {
            referenced.add(values);
            // A view's data() starts at the view's first element.
            return UnsafeByteOperations.unsafeWrap(
                    new BytePointer(values.data().addressPointer()).capacity(bytes).asByteBuffer());
        }
        return littleEndian(values.castTo(DataType.FLOAT).dup('c').data().asFloat());
    }

    private static ByteString littleEndian(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return ByteString.copyFrom(bytes);
    }

    private static List<Long> asList(long[] values) {
        return Arrays.stream(values).boxed().toList();
    }

    static AttributeProto intAttribute(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto intsAttribute(String name, long... values) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS)
                .addAllInts(asList(values)).build();
    }

    static AttributeProto floatAttribute(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto stringAttribute(String name, String value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.STRING)
                .setS(ByteString.copyFromUtf8(value)).build();
    }
}
