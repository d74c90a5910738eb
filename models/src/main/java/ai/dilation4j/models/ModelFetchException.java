package ai.dilation4j.models;

import ai.dilation4j.runtime.DilationException;

/** A preset's model could not be fetched, verified or converted; the message lists what was tried and what to do. */
public class ModelFetchException extends DilationException {

    public ModelFetchException(String message) {
        super(message);
    }

    public ModelFetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
