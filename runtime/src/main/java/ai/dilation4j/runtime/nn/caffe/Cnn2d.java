package ai.dilation4j.runtime.nn.caffe;

import org.deeplearning4j.nn.conf.CNN2DFormat;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.inputs.InvalidInputTypeException;

/** Input type checks shared by the Caffe vertices, which all work on NCHW feature maps. */
final class Cnn2d {

    private Cnn2d() {
    }

    static InputType.InputTypeConvolutional requireNchw(InputType type, String vertex) {
        if (!(type instanceof InputType.InputTypeConvolutional conv) || conv.getFormat() != CNN2DFormat.NCHW) {
            throw new InvalidInputTypeException(vertex + " needs an NCHW convolutional input, got " + type);
        }
        return conv;
    }
}
