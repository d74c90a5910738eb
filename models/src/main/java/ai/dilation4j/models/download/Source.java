package ai.dilation4j.models.download;

import java.net.URI;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * One place a file can be fetched from.
 *
 * @param label names the place in messages, e.g. {@code "dl.yf.io"}, {@code "Internet Archive"},
 *              {@code "mirror https://m.example/"} or {@code "file"}
 * @param uri   an http or https URL, or a file URL of a local file
 */
public record Source(String label, URI uri) {

    private static final Set<String> SCHEMES = Set.of("http", "https", "file");

    /** @throws IllegalArgumentException when the URI is not an http(s) URL with a host or a local file URL */
    public Source {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException(uri + " is not an http, https or file URL");
        }
        if (scheme.equals("file")) {
            try {
                Path.of(uri);
            } catch (IllegalArgumentException | FileSystemNotFoundException e) {
                throw new IllegalArgumentException(uri + " is not a local file URL (" + e.getMessage()
                        + "); give file:///its/absolute/path");
            }
        } else if (uri.getHost() == null) {
            throw new IllegalArgumentException(uri + " has no host name");
        }
    }

    /** Whether fetching from here needs the network (http or https) rather than a local copy. */
    public boolean isNetwork() {
        return !uri.getScheme().equalsIgnoreCase("file");
    }

    @Override
    public String toString() {
        return label + " (" + uri + ")";
    }
}
