package ai.dilation4j.models.download;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The sources of a file, in the order they are tried. */
public final class Sources {

    /** The Internet Archive's raw-bytes form; a partial timestamp redirects to the nearest snapshot. */
    static final String ARCHIVE_PREFIX = "https://web.archive.org/web/2id_/";

    private Sources() {
    }

    /** A local file first (when given), then the official URL, its Internet Archive copy, then each mirror. */
    public static List<Source> forWeights(URI official, List<URI> mirrorBases, Optional<Path> localFile) {
        List<Source> sources = new ArrayList<>();
        localFile.ifPresent(file -> sources.add(new Source("local file", file.toAbsolutePath().toUri())));
        sources.add(new Source("official", official));
        sources.add(new Source("Internet Archive", URI.create(ARCHIVE_PREFIX + official)));
        String name = fileName(official);
        for (URI base : mirrorBases) {
            String text = base.toString();
            sources.add(new Source("mirror", URI.create(text.endsWith("/") ? text + name : text + "/" + name)));
        }
        return List.copyOf(sources);
    }

    /** A URL (http, https, file) or a plain path. */
    public static Source parse(String urlOrPath) {
        String lower = urlOrPath.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("file:")) {
            URI uri = URI.create(urlOrPath);
            return new Source(uri.getScheme().equalsIgnoreCase("file") ? "local file" : "given URL", uri);
        }
        return new Source("local file", Path.of(urlOrPath).toAbsolutePath().toUri());
    }

    private static String fileName(URI uri) {
        String path = uri.getPath();
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
