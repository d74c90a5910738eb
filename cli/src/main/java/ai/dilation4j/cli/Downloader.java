package ai.dilation4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

import ai.dilation4j.converter.ProgressListener;
import ai.dilation4j.runtime.DilationException;

/**
 * Downloads a file so that only a complete, verified file ever carries the target name: bytes go to
 * {@code <target>.partial}, the received length is checked against the announced one and the SHA-256 against the
 * expected one (when known), and only then is the file moved into place.
 */
final class Downloader {

    private final HttpClient client = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NORMAL)
            .connectTimeout(Duration.ofSeconds(30))
            .build();

    /** Downloads {@code url} to {@code target} and returns the file's SHA-256. */
    String download(URI url, Path target, String expectedSha256, ProgressListener progress)
            throws DilationException, InterruptedException {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            HttpResponse<InputStream> response = client.send(HttpRequest.newBuilder(url).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            long announced = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long received = 0;
            try (InputStream in = response.body()) {
                if (response.statusCode() != 200) {
                    throw new DilationException("Download of " + url + " failed: HTTP " + response.statusCode()
                            + ". Check the address, or download the file yourself and use `convert`.");
                }
                String step = "Downloading " + target.getFileName();
                try (OutputStream out = new DigestOutputStream(Files.newOutputStream(partial,
                        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING), digest)) {
                    byte[] buffer = new byte[1 << 16];
                    long reported = 0;
                    for (int n; (n = in.read(buffer)) >= 0; ) {
                        out.write(buffer, 0, n);
                        received += n;
                        if (received - reported >= (4 << 20)) {
                            reported = received;
                            progress.progress(step, received, Math.max(announced, received));
                        }
                    }
                    progress.progress(step, received, Math.max(announced, received));
                }
            }
            if (announced >= 0 && received != announced) {
                throw new DilationException("Download of " + url + " was cut short: " + received + " of " + announced
                        + " bytes. Run the command again.");
            }
            String sha256 = HexFormat.of().formatHex(digest.digest());
            if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha256)) {
                throw new DilationException("Download of " + url + " has SHA-256 " + sha256 + " but " + expectedSha256
                        + " was expected: the file is damaged or not the published one. It was not kept.");
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return sha256;
        } catch (IOException e) {
            throw new DilationException("Download of " + url + " failed: " + e + ". Check the network and run the "
                    + "command again.", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JVM has no SHA-256", e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // the download's own outcome is what matters
            }
        }
    }
}
