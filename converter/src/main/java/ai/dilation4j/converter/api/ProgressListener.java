package ai.dilation4j.converter.api;

/** Receives progress of a long step, e.g. reading a caffemodel of several hundred MB. */
@FunctionalInterface
public interface ProgressListener {

    ProgressListener NONE = (step, done, total) -> { };

    /**
     * @param step  what is being done, e.g. {@code "Reading weights"}
     * @param done  units done so far (bytes for file steps)
     * @param total units in all
     */
    void progress(String step, long done, long total);

    /** A step that has no measurable progress, e.g. {@code "Saving model.zip"}. */
    default void step(String text) {
    }
}
