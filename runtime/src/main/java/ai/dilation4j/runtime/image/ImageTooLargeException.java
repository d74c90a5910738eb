package ai.dilation4j.runtime.image;

import ai.dilation4j.runtime.InvalidInputException;

/** An image exceeds the configured {@link ImageLimits}; it was refused before being decoded where possible. */
public class ImageTooLargeException extends InvalidInputException {

    public ImageTooLargeException(String message) {
        super(message);
    }
}
