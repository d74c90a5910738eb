package ai.dilation4j.models.download;

import java.net.URI;
import java.util.Objects;

/** One place a file can be fetched from: an http(s) or file URL, with a label for messages. */
public record Source(String label, URI uri) {

    public Source {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(uri, "uri");
    }

    /** Whether fetching from here needs the network. */
    public boolean isRemote() {
        return !"file".equalsIgnoreCase(uri.getScheme());
    }
}
