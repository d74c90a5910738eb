package ai.dilation4j.converter.onnx;

/** Writes one DL4J vertex type as ONNX nodes. */
@FunctionalInterface
interface VertexMapper {

    /** Adds the vertex's nodes to {@code graph}; returns the ONNX value holding the vertex's output. */
    String map(ExportedVertex vertex, OnnxGraph graph) throws OnnxExportException;
}
