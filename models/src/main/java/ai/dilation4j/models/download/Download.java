package ai.dilation4j.models.download;

import java.nio.file.Path;

/** A file fetched completely, from {@code source}, with its size and SHA-256 (lowercase hexadecimal). */
public record Download(Source source, Path file, long size, String sha256) {
}
