package ai.dilation4j.runtime;

/**
 * Base of dilation4j's checked exceptions. Messages name the file, layer or blob concerned and say what to do.
 */
public class DilationException extends Exception {

    public DilationException(String message) {
        super(message);
    }

    public DilationException(String message, Throwable cause) {
        super(message, cause);
    }
}
