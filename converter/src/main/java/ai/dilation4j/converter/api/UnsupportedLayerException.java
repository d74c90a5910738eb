package ai.dilation4j.converter.api;

/** The network contains a Caffe layer type (or layer option) that dilation4j cannot map to DL4J. */
public class UnsupportedLayerException extends ConversionException {

    public UnsupportedLayerException(String message) {
        super(message);
    }
}
