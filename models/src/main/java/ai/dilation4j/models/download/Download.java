package ai.dilation4j.models.download;

import java.nio.file.Path;

/**
 * A completed download.
 *
 * @param source where the bytes came from
 * @param file   the target, now holding the complete, verified file
 * @param size   its length in bytes
 * @param sha256 its SHA-256 in lowercase hexadecimal
 */
public record Download(Source source, Path file, long size, String sha256) {
}
