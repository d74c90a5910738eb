package ai.dilation4j.converter.onnx;

import ai.dilation4j.runtime.DilationException;

/** A model cannot be written as ONNX; the message names the vertex or file and what to do about it. */
public class OnnxExportException extends DilationException {

    public OnnxExportException(String message) {
        super(message);
    }

    public OnnxExportException(String message, Throwable cause) {
        super(message, cause);
    }
}
