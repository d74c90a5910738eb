package ai.dilation4j.runtime;

/** A dilation4j model file cannot be read or written (missing, truncated, not a dilation4j model, ...). */
public class ModelFileException extends DilationException {

    public ModelFileException(String message) {
        super(message);
    }

    public ModelFileException(String message, Throwable cause) {
        super(message, cause);
    }
}
