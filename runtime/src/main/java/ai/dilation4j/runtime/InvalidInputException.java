package ai.dilation4j.runtime;

/** An input given to a model does not fit it (wrong rank, channels or size, unreadable array file, ...). */
public class InvalidInputException extends DilationException {

    public InvalidInputException(String message) {
        super(message);
    }

    public InvalidInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
