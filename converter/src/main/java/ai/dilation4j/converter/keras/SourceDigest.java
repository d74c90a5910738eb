package ai.dilation4j.converter.keras;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;

import ai.dilation4j.converter.api.ConversionException;
import ai.dilation4j.runtime.SourceFile;
import ai.dilation4j.runtime.io.Sha256;

/** Size and SHA-256 of a source file, for the model's record of what it was converted from. */
record SourceDigest(long bytes, String sha256) {

    static SourceDigest of(Path file) throws ConversionException {
        MessageDigest digest = Sha256.newDigest();
        long bytes = 0;
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
                bytes += n;
            }
        } catch (IOException e) {
            throw new ConversionException("Cannot read " + file + ": " + e.getMessage(), e);
        }
        return new SourceDigest(bytes, Sha256.hex(digest));
    }

    SourceFile asSource(String role, Path file) {
        return new SourceFile(role, file.getFileName().toString(), bytes, sha256);
    }
}
