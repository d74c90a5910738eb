package ai.dilation4j.converter.onnx;

import static ai.dilation4j.converter.onnx.OnnxGraph.floatAttribute;
import static ai.dilation4j.converter.onnx.OnnxGraph.intAttribute;

import java.util.List;

import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.ScaleVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.CnnLossLayer;
import org.nd4j.linalg.activations.IActivation;
import org.nd4j.linalg.activations.impl.ActivationIdentity;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationTanH;

/** The vertices that compute each value from the values at the same place: activations, arithmetic, softmax. */
final class PointwiseMappers {

    private PointwiseMappers() {
    }

    /** {@code ActivationLayer} → its activation's operator (nothing for the identity). */
    static String activationLayer(ExportedVertex vertex, OnnxGraph graph) throws OnnxExportException {
        return activation(vertex, ((ActivationLayer) vertex.configuration()).getActivationFn(), vertex.input(), graph);
    }

    /** A layer's activation applied to {@code input}: Relu, LeakyRelu, Sigmoid or Tanh; the identity adds nothing. */
    static String activation(ExportedVertex vertex, IActivation function, String input, OnnxGraph graph)
            throws OnnxExportException {
        if (isIdentity(function)) {
            return input;
        }
        if (function instanceof ActivationReLU relu) {
            if (relu.getMax() != null || relu.getThreshold() != null && relu.getThreshold() != 0.0) {
                throw vertex.unsupported("applies a ReLU with a maximum or threshold (" + relu + "); ONNX export "
                        + "covers the plain and the leaky ReLU.");
            }
            double slope = relu.getNegativeSlope() == null ? 0.0 : relu.getNegativeSlope();
            return slope == 0.0 ? graph.node(vertex.name(), "Relu", List.of(input))
                    : graph.node(vertex.name(), "LeakyRelu", List.of(input), floatAttribute("alpha", (float) slope));
        }
        if (function instanceof ActivationLReLU leaky) {
            return graph.node(vertex.name(), "LeakyRelu", List.of(input),
                    floatAttribute("alpha", (float) leaky.getAlpha()));
        }
        if (function instanceof ActivationSigmoid) {
            return graph.node(vertex.name(), "Sigmoid", List.of(input));
        }
        if (function instanceof ActivationTanH) {
            return graph.node(vertex.name(), "Tanh", List.of(input));
        }
        throw vertex.unsupported("applies the activation " + function + "; ONNX export covers identity, ReLU, leaky "
                + "ReLU, sigmoid and tanh (and softmax in the per-pixel softmax head).");
    }

    static boolean isIdentity(IActivation function) {
        return function == null || function instanceof ActivationIdentity;
    }

    /**
     * The per-pixel softmax head, {@code CnnLossLayer(SOFTMAX)} on NCHW maps → {@code Softmax(axis=1)}: from opset 13
     * Softmax normalizes along the one axis given, here the channels of every pixel.
     */
    static String softmaxHead(ExportedVertex vertex, OnnxGraph graph) throws OnnxExportException {
        CnnLossLayer head = (CnnLossLayer) vertex.configuration();
        vertex.requireNchw(head.getFormat());
        if (head.getActivationFn() instanceof ActivationSoftmax) {
            return graph.node(vertex.name(), "Softmax", List.of(vertex.input()), intAttribute("axis", 1));
        }
        return activation(vertex, head.getActivationFn(), vertex.input(), graph);
    }

    /** Dropout is the identity at inference. */
    static String identity(ExportedVertex vertex, OnnxGraph graph) {
        return vertex.input();
    }

    /** {@code ElementWiseVertex} → Add/Sum, Sub, Mul, Mean or Max over its inputs. */
    static String elementWise(ExportedVertex vertex, OnnxGraph graph) throws OnnxExportException {
        ElementWiseVertex.Op op = ((ElementWiseVertex) vertex.configuration()).getOp();
        List<String> inputs = vertex.inputs();
        if (inputs.size() == 1) {
            return vertex.input();
        }
        return switch (op) {
            case Add -> graph.node(vertex.name(), inputs.size() == 2 ? "Add" : "Sum", inputs);
            case Average -> graph.node(vertex.name(), "Mean", inputs);
            case Max -> graph.node(vertex.name(), "Max", inputs);
            case Subtract -> {
                if (inputs.size() != 2) {
                    throw vertex.unsupported("subtracts " + inputs.size() + " inputs; DL4J defines Subtract for two.");
                }
                yield graph.node(vertex.name(), "Sub", inputs);
            }
            case Product -> {
                // ONNX's Mul takes two inputs: multiply left to right, as DL4J does.
                String product = inputs.get(0);
                for (int i = 1; i < inputs.size(); i++) {
                    product = graph.node(i == inputs.size() - 1 ? vertex.name() : vertex.name() + "/mul" + i, "Mul",
                            List.of(product, inputs.get(i)));
                }
                yield product;
            }
        };
    }

    /** {@code ScaleVertex} → Mul by a scalar; a factor of 1 (the converter's copy of a blob) adds nothing. */
    static String scale(ExportedVertex vertex, OnnxGraph graph) {
        double factor = ((ScaleVertex) vertex.configuration()).getScaleFactor();
        if (factor == 1.0) {
            return vertex.input();
        }
        String constant = graph.floats(vertex.name() + "/factor", new long[0], (float) factor);
        return graph.node(vertex.name(), "Mul", List.of(vertex.input(), constant));
    }
}
