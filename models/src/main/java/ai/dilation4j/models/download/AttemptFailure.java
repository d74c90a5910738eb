package ai.dilation4j.models.download;

/** One source failed to deliver; {@code retryable} says whether trying the same source again may help. */
final class AttemptFailure extends Exception {

    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    AttemptFailure(String message, boolean retryable) {
        super(message, null, false, false);
        this.retryable = retryable;
    }

    boolean retryable() {
        return retryable;
    }
}
