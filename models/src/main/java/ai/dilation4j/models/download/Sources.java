package ai.dilation4j.models.download;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Where to look for a file, in the order to try. */
public final class Sources {

    /**
     * The Internet Archive answers any timestamp with a redirect to its nearest snapshot; {@code id_} asks for the
     * archived bytes as they were, without the archive's page furniture.
     */
    static final String ARCHIVE_PREFIX = "https://web.archive.org/web/2019id_/";
    static final String ARCHIVE_LABEL = "Internet Archive";
    static final String FILE_LABEL = "file";

    /** Two letters at least, so that a Windows drive ({@code C:\...}) reads as a path. */
    private static final Pattern SCHEME = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]+):");

    private Sources() {
    }

    /**
     * The sources of a caffemodel: the local file when given, then the official URL, then the Internet Archive's
     * copy of the official URL (when it keeps one), then each mirror's {@code base + "/" + file name}.
     *
     * @param official    the official URL, e.g. {@code http://dl.yf.io/dilation/models/dilation8_pascal_voc.caffemodel}
     * @param archived    whether the Internet Archive keeps copies of the official server (it does of dl.yf.io; not
     *                    of a private copy or a test server standing in for it)
     * @param mirrorBases base URLs of mirrors holding the file under its official name
     * @param localFile   a copy the user already has
     */
    public static List<Source> forWeights(URI official, boolean archived, List<URI> mirrorBases,
                                          Optional<Path> localFile) {
        List<Source> sources = new ArrayList<>();
        localFile.ifPresent(file -> sources.add(new Source(FILE_LABEL, file.toAbsolutePath().normalize().toUri())));
        Source officialSource = of(official);
        sources.add(officialSource);
        if (archived && officialSource.isNetwork()) {
            sources.add(new Source(ARCHIVE_LABEL, URI.create(ARCHIVE_PREFIX + official)));
        }
        String path = official.getPath() == null ? "" : official.getPath();
        String fileName = path.substring(path.lastIndexOf('/') + 1);
        if (fileName.isEmpty()) {
            throw new IllegalArgumentException(official + " does not end with a file name, so mirrors cannot be "
                    + "asked for it");
        }
        for (URI base : mirrorBases) {
            String text = base.toString();
            String slashless = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
            sources.add(new Source("mirror " + text, URI.create(slashless + "/" + fileName)));
        }
        return List.copyOf(sources);
    }

    /**
     * Reads a source from the command line: an http or https URL (labelled with its host), a file URL or a plain
     * path (labelled {@code "file"}).
     *
     * @throws IllegalArgumentException with a one-line message for anything else
     */
    public static Source parse(String urlOrPath) {
        String text = urlOrPath.strip();
        if (text.isEmpty()) {
            throw new IllegalArgumentException("An empty source: give an http(s) URL, a file: URL or a file path");
        }
        Matcher scheme = SCHEME.matcher(text);
        if (!scheme.lookingAt()) {
            try {
                return new Source(FILE_LABEL, Path.of(text).toAbsolutePath().normalize().toUri());
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("'" + text + "' is not a valid file path (" + e.getReason() + ")");
            }
        }
        String name = scheme.group(1).toLowerCase(Locale.ROOT);
        if (!List.of("http", "https", "file").contains(name)) {
            throw new IllegalArgumentException("'" + text + "' is not an http(s) URL, a file: URL or a file path");
        }
        try {
            return of(new URI(text));
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("'" + text + "' is not a valid URL: " + e.getMessage());
        }
    }

    /** A source labelled with the URL's host, or {@code "file"}. */
    private static Source of(URI uri) {
        boolean file = "file".equalsIgnoreCase(uri.getScheme());
        return new Source(file ? FILE_LABEL : String.valueOf(uri.getHost()), uri);
    }
}
