package ai.dilation4j.converter.api;

import ai.dilation4j.runtime.DilationException;

/** A Caffe model cannot be converted; the message names the file or layer and what to do about it. */
public class ConversionException extends DilationException {

    public ConversionException(String message) {
        super(message);
    }

    public ConversionException(String message, Throwable cause) {
        super(message, cause);
    }
}
