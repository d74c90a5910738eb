package ai.dilation4j.models.download;

import java.util.Objects;

/**
 * Why one source did not deliver the file.
 *
 * @param error what went wrong, e.g. {@code "HTTP 503 (3 attempts)"} or {@code "connection refused"}
 */
public record Failure(Source source, String error) {

    public Failure {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(error, "error");
    }

    /** {@code label (uri): error}, the line the failure takes in messages. */
    @Override
    public String toString() {
        return source + ": " + error;
    }
}
