package ai.dilation4j.runtime;

/**
 * The thread running a segmentation was interrupted (for example because the HTTP client that asked for it went
 * away); the work stopped before the next tile and nothing was returned. The thread's interrupt flag is set again.
 */
public class SegmentationCancelledException extends DilationException {

    public SegmentationCancelledException(String message) {
        super(message);
    }
}
