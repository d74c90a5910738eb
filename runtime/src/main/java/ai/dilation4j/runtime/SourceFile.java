package ai.dilation4j.runtime;

import java.util.Objects;

/**
 * A file a model was converted from, recorded so a converted model can be traced back to the files it came from.
 *
 * @param role     {@code "prototxt"} or {@code "weights"} (Caffe); {@code "keras"} (a full-model HDF5 file), or
 *                 {@code "json"} and {@code "weights"} (Keras architecture and weights)
 * @param fileName the file's name (without its directory)
 * @param bytes    its size
 * @param sha256   its SHA-256, lowercase hex
 */
public record SourceFile(String role, String fileName, long bytes, String sha256) {

    public SourceFile {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(sha256, "sha256");
    }
}
