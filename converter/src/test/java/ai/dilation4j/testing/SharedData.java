package ai.dilation4j.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The read-only reference material at {@code ../shared} (fixtures, reference prototxts). Tests that need it
 * call {@link #require()} and are skipped when it is absent, so the suite also passes on a bare clone.
 */
public final class SharedData {

    private SharedData() {
    }

    /** The shared directory, or a path that does not exist. */
    public static Path root() {
        String configured = System.getProperty("dilation4j.shared");
        if (configured != null) {
            return Path.of(configured).toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path candidate = dir.resolveSibling("shared");
            if (Files.isDirectory(candidate.resolve("fixtures"))) {
                return candidate;
            }
            dir = dir.getParent();
        }
        return Path.of("../shared").toAbsolutePath().normalize();
    }

    /** Skips the calling test unless the shared directory is there. */
    public static Path require() {
        Path root = root();
        assumeTrue(Files.isDirectory(root.resolve("fixtures")), "../shared is not available: " + root);
        return root;
    }

    /** Every fixture directory (those with a manifest.json), sorted by name. */
    public static List<Path> fixtures() {
        Path fixtures = require().resolve("fixtures");
        try (Stream<Path> entries = Files.list(fixtures)) {
            return entries.filter(p -> Files.isRegularFile(p.resolve("manifest.json"))).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot list " + fixtures, e);
        }
    }
}
