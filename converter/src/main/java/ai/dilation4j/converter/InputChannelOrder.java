package ai.dilation4j.converter;

/**
 * The channel order of the images a network was trained on. Every dilation4j model takes BGR (as fyu/dilation's
 * predict.py feeds Caffe), so a network trained on RGB is converted to take BGR: the input channels of the
 * convolutions that read the image are reversed, and the model runs like any other.
 */
public enum InputChannelOrder {
    /** Blue, green, red: Caffe's and OpenCV's order, which the model takes as it is. */
    BGR,
    /** Red, green, blue: many Keras and PyTorch ports; the first convolutions' input channels are reversed. */
    RGB
}
