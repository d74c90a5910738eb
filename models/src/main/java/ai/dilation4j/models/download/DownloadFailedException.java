package ai.dilation4j.models.download;

import java.io.IOException;
import java.util.List;

/** Every source failed; {@link #failures()} says how, one entry per source, in the order they were tried. */
public class DownloadFailedException extends IOException {

    private final List<Failure> failures;

    public DownloadFailedException(String message, List<Failure> failures) {
        super(message);
        this.failures = List.copyOf(failures);
    }

    public List<Failure> failures() {
        return failures;
    }

}
