package ai.dilation4j.converter.onnx;

import java.util.List;

import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One vertex of the DL4J graph as a mapper sees it.
 *
 * @param name          the vertex name, also the name its output value gets in ONNX when free
 * @param configuration the layer configuration of a layer vertex, else the vertex configuration
 * @param inputs        the ONNX values the vertex reads, in the vertex's input order
 * @param inputShapes   each input's {channels, height, width} at the size the graph is written for
 * @param outputShape   the output's {channels, height, width} at that size
 * @param dynamicSize   whether the graph is written for any height and width (see {@link OnnxExportOptions})
 */
record ExportedVertex(String name, Object configuration, List<String> inputs, List<long[]> inputShapes,
                      long[] outputShape, ComputationGraph graph, boolean dynamicSize) {

    String input() {
        return inputs.get(0);
    }

    long[] inputShape() {
        return inputShapes.get(0);
    }

    /** A parameter of the vertex's layer ({@code W}, {@code b}), or null when the layer has none of that name. */
    INDArray parameter(String key) {
        Layer layer = graph.getLayer(name);
        return layer.paramTable().get(key);
    }

    /** Refuses a layer working on NHWC maps: the exported graph's values are NCHW, as the model's input is. */
    void requireNchw(CNN2DFormat format) throws OnnxExportException {
        if (format != CNN2DFormat.NCHW) {
            throw unsupported("works on " + format + " maps; ONNX export covers NCHW models.");
        }
    }

    /** A failure naming this vertex and its type, for a setting ONNX export does not cover. */
    OnnxExportException unsupported(String what) {
        return new OnnxExportException("Vertex '" + name + "' (" + configuration.getClass().getSimpleName() + ") "
                + what);
    }
}
