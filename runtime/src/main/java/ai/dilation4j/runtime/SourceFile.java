package ai.dilation4j.runtime;

import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A file a model was converted from, recorded so a converted model can be traced back to the files it came from.
 *
 * @param role     {@code "prototxt"} or {@code "weights"} (Caffe); {@code "keras"} (a full-model HDF5 file), or
 *                 {@code "json"} and {@code "weights"} (Keras architecture and weights); {@code "dataset"} (a
 *                 dataset file given instead of a preset)
 * @param fileName the file's name (without its directory)
 * @param bytes    its size
 * @param sha256   its SHA-256, lowercase hex
 * @param note     how the conversion changed what the file holds (e.g. the input channels of an RGB-trained
 *                 network reversed), or null when it is converted as it is; absent in files of older versions
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SourceFile(String role, String fileName, long bytes, String sha256, String note) {

    public SourceFile {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(sha256, "sha256");
    }

    /** A file converted as it is. */
    public SourceFile(String role, String fileName, long bytes, String sha256) {
        this(role, fileName, bytes, sha256, null);
    }

    /** This file with the note on how the conversion changed what it holds. */
    public SourceFile withNote(String note) {
        return new SourceFile(role, fileName, bytes, sha256, note);
    }
}
