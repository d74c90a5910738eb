package ai.dilation4j.runtime.image;

/** Decides, from an image's declared size, whether it may be decoded and segmented. */
@FunctionalInterface
public interface SizeCheck {

    /** Throws if an image of {@code width x height} pixels must be refused; {@code name} is for the message. */
    void check(String name, long width, long height) throws ImageTooLargeException;
}
