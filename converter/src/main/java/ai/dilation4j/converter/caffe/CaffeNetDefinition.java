package ai.dilation4j.converter.caffe;

import java.util.List;

import ai.dilation4j.converter.caffe.proto.Caffe.LayerParameter;

/**
 * A network definition in the current (V2) form, whatever form its file used: the declared inputs and the
 * layers that take part in the TEST phase, in file order.
 *
 * @param name   the network's name, possibly empty
 * @param inputs the network inputs with their NCHW shapes
 * @param layers the computing layers (Input layers are turned into {@code inputs})
 */
public record CaffeNetDefinition(String name, List<NetworkInput> inputs, List<LayerParameter> layers) {

    /** A network input blob and its shape. */
    public record NetworkInput(String blob, long[] shape) {
    }

    public CaffeNetDefinition {
        inputs = List.copyOf(inputs);
        layers = List.copyOf(layers);
    }
}
