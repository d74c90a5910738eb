package ai.dilation4j.models.download;

import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

/** No source delivered the file; the message has one line per source with its error. */
public class DownloadFailedException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient List<Failure> failures;

    DownloadFailedException(String summary, List<Failure> failures) {
        super(summary + failures.stream().map(failure -> "\n  " + failure).collect(Collectors.joining()));
        this.failures = List.copyOf(failures);
    }

    /** Each source tried, in order, with its error. */
    public List<Failure> failures() {
        return failures;
    }
}
