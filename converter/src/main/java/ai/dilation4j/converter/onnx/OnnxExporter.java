package ai.dilation4j.converter.onnx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import ai.dilation4j.converter.ConverterVersion;
import ai.dilation4j.converter.onnx.proto.Onnx.ModelProto;
import ai.dilation4j.converter.onnx.proto.Onnx.OperatorSetIdProto;
import ai.dilation4j.converter.onnx.proto.Onnx.StringStringEntryProto;
import ai.dilation4j.converter.onnx.proto.Onnx.TensorProto;
import ai.dilation4j.converter.onnx.proto.Onnx.TensorShapeProto;
import ai.dilation4j.converter.onnx.proto.Onnx.TypeProto;
import ai.dilation4j.converter.onnx.proto.Onnx.ValueInfoProto;
import ai.dilation4j.runtime.ModelMetadata;
import ai.dilation4j.runtime.io.AtomicFiles;
import ai.dilation4j.runtime.model.SegmentationModel;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.graph.ComputationGraph;

/**
 * Writes a dilation4j model as an ONNX model (opset {@value #OPSET}) that ONNX Runtime and other ONNX engines run:
 * same input (the model's input blob, NCHW float32, the BGR image minus the dataset mean), same output blob, the
 * weights as float32 tensors. Each DL4J layer or vertex type has one mapper ({@link OnnxMappingTable}); a type
 * without one fails the export with its vertex named. The model's metadata (dataset, mean, margin, zoom, classes)
 * is stored as JSON under the metadata key {@value #METADATA_KEY}.
 */
public final class OnnxExporter {

    /** The ONNX operator set written: 13 has Softmax along one axis and Pad/Slice/Resize with tensor inputs. */
    public static final int OPSET = 13;
    /** The IR version opset 13 needs at least; any ONNX runtime since 2020 reads it. */
    static final int IR_VERSION = 7;
    public static final String METADATA_KEY = "dilation4j.metadata";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final OnnxExportOptions options;

    public OnnxExporter(OnnxExportOptions options) {
        this.options = options;
    }

    /** What an export wrote. */
    public record Exported(Path file, String inputName, long[] inputShape, String outputName, long[] outputShape,
                           int nodes, long weightBytes) {
    }

    /**
     * Writes the model as ONNX to {@code target}, atomically: the file appears only when complete, and a failed
     * export leaves an existing file as it was.
     */
    public Exported export(SegmentationModel model, Path target) throws OnnxExportException {
        Written written = write(model.graph(), model.metadata());
        try {
            AtomicFiles.write(target, written.model()::writeTo);
        } catch (IOException e) {
            throw new OnnxExportException("Cannot write ONNX file " + target + ": " + e.getMessage() + ". Check that "
                    + "the directory is writable and the disk has room.", e);
        }
        return new Exported(target, written.inputName(), written.inputShape(), written.outputName(),
                written.outputShape(), written.model().getGraph().getNodeCount(), written.weightBytes());
    }

    /** The ONNX model and what the CLI reports of it; its tensors reference the graph's memory. */
    record Written(ModelProto model, String inputName, long[] inputShape, String outputName, long[] outputShape,
                   long weightBytes) {
    }

    Written write(ComputationGraph graph, ModelMetadata metadata) throws OnnxExportException {
        ComputationGraphConfiguration configuration = graph.getConfiguration();
        if (configuration.getNetworkInputs().size() != 1) {
            throw new OnnxExportException("Model " + metadata.name() + " has " + configuration.getNetworkInputs()
                    .size() + " inputs; ONNX export covers models with one image input.");
        }
        String inputVertex = configuration.getNetworkInputs().get(0);
        long[] modelShape = metadata.inputShape();
        long channels = modelShape[1];
        long[] size = options.inputSize().orElse(new long[] {modelShape[2], modelShape[3]});
        Map<String, InputType> types = activationTypes(configuration, metadata, channels, size);

        OnnxGraph onnx = new OnnxGraph();
        String inputName = metadata.inputBlob();
        onnx.reserve(inputName);
        Map<String, String> values = new HashMap<>();
        Map<String, long[]> shapes = new HashMap<>();
        values.put(inputVertex, inputName);
        shapes.put(inputVertex, new long[] {channels, size[0], size[1]});
        for (int index : graph.topologicalSortOrder()) {
            String name = graph.getVertices()[index].getVertexName();
            if (name.equals(inputVertex)) {
                continue;
            }
            Object vertexConfiguration = configurationOf(configuration.getVertices().get(name), name);
            VertexMapper mapper = OnnxMappingTable.mapperFor(vertexConfiguration).orElseThrow(() ->
                    new OnnxExportException("Vertex '" + name + "' is a " + vertexConfiguration.getClass()
                            .getSimpleName() + ", which ONNX export does not map. Exported types: "
                            + String.join(", ", OnnxMappingTable.exportedTypes()) + "."));
            List<String> inputs = new ArrayList<>();
            List<long[]> inputShapes = new ArrayList<>();
            for (String input : configuration.getVertexInputs().get(name)) {
                inputs.add(values.get(input));
                inputShapes.add(shapes.get(input));
            }
            long[] outputShape = chw(types.get(name), name);
            shapes.put(name, outputShape);
            values.put(name, mapper.map(new ExportedVertex(name, vertexConfiguration, List.copyOf(inputs),
                    List.copyOf(inputShapes), outputShape, graph, options.dynamicSize()), onnx));
        }

        String outputVertex = metadata.blobVertices().getOrDefault(metadata.outputBlob(),
                configuration.getNetworkOutputs().get(0));
        String outputName = values.get(outputVertex);
        if (!outputName.equals(metadata.outputBlob())) {
            String named = onnx.reserve(metadata.outputBlob()) ? metadata.outputBlob()
                    : onnx.uniqueName(metadata.outputBlob());
            onnx.addNode(named, "Identity", List.of(outputName), named);
            outputName = named;
        }
        long[] inputShape = {1, channels, size[0], size[1]};
        long[] outputShape = shapes.get(outputVertex);
        long[] batchOutputShape = {1, outputShape[0], outputShape[1], outputShape[2]};
        onnx.proto().setName(metadata.name() == null ? "dilation4j" : metadata.name())
                .addInput(valueInfo(inputName, inputShape, "height", "width"))
                .addOutput(valueInfo(outputName, batchOutputShape, "output_height", "output_width"));
        ModelProto model = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setProducerName("dilation4j")
                .setProducerVersion(ConverterVersion.VERSION)
                .setDocString("Semantic segmentation network " + metadata.name() + " exported by dilation4j. Input '"
                        + inputName + "': N x " + channels + " x H x W float32, the BGR image minus the dataset mean; "
                        + "output '" + outputName + "': N x classes x h x w. Metadata key " + METADATA_KEY
                        + " holds the dataset (classes, mean, label margin, zoom) as JSON.")
                .setGraph(onnx.proto())
                .addMetadataProps(StringStringEntryProto.newBuilder().setKey(METADATA_KEY).setValue(json(metadata)))
                .build();
        return new Written(model, inputName, inputShape, outputName, batchOutputShape, onnx.tensorBytes());
    }

    /** Every vertex's output type at the size written, refusing a size the network does not take. */
    private static Map<String, InputType> activationTypes(ComputationGraphConfiguration configuration,
                                                          ModelMetadata metadata, long channels, long[] size)
            throws OnnxExportException {
        Optional<String> problem = SegmentationModel.inputProblem(configuration,
                new long[] {1, channels, size[0], size[1]});
        if (problem.isPresent()) {
            throw new OnnxExportException("Model " + metadata.name() + " does not take a " + size[0] + "x" + size[1]
                    + " input: " + problem.get() + "; export it for its own size or a larger one.");
        }
        // on a copy, as the check does: shape inference fills in what it finds missing
        return configuration.clone().getLayerActivationTypes(InputType.convolutional(size[0], size[1], channels));
    }

    /** The layer configuration of a layer vertex, else the vertex configuration itself. */
    private static Object configurationOf(GraphVertex vertex, String name) throws OnnxExportException {
        if (vertex instanceof LayerVertex layerVertex) {
            if (layerVertex.getPreProcessor() != null) {
                throw new OnnxExportException("Vertex '" + name + "' reshapes its input with a "
                        + layerVertex.getPreProcessor().getClass().getSimpleName() + ", which ONNX export does not map.");
            }
            return layerVertex.getLayerConf().getLayer();
        }
        return vertex;
    }

    private static long[] chw(InputType type, String vertex) throws OnnxExportException {
        if (type instanceof InputType.InputTypeConvolutional conv) {
            return new long[] {conv.getChannels(), conv.getHeight(), conv.getWidth()};
        }
        throw new OnnxExportException("Vertex '" + vertex + "' outputs " + type + "; ONNX export covers networks of "
                + "image-shaped (C x H x W) values.");
    }

    /** An NCHW float tensor whose batch size is free, and whose height and width are too with dynamic sizes. */
    private ValueInfoProto valueInfo(String name, long[] shape, String heightName, String widthName) {
        TensorShapeProto.Builder dims = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("N"))
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(shape[1]));
        if (options.dynamicSize()) {
            dims.addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(heightName))
                    .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(widthName));
        } else {
            dims.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(shape[2]))
                    .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(shape[3]));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(dims))).build();
    }

    private static String json(ModelMetadata metadata) throws OnnxExportException {
        try {
            return JSON.writeValueAsString(metadata);
        } catch (JsonProcessingException e) {
            throw new OnnxExportException("Cannot write the metadata of model " + metadata.name() + " as JSON: "
                    + e.getMessage(), e);
        }
    }
}
