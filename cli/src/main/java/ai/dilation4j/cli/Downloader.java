package ai.dilation4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import ai.dilation4j.converter.ProgressListener;
import ai.dilation4j.runtime.DilationException;

/**
 * Downloads a file so that only a complete, verified file ever carries the target name: bytes go to
 * {@code <target>.partial}, the received length is checked against the announced one and the SHA-256 against the
 * expected one (when known), and only then is the file moved into place.
 */
final class Downloader {

    private static final int CONNECT_TIMEOUT_MS = 30_000;
    /** A download that receives nothing for this long fails instead of hanging. */
    private static final int STALL_TIMEOUT_MS = 60_000;
    private static final int MAX_REDIRECTS = 5;

    /** Connects, following redirects (also from http to https, which HttpURLConnection does not do itself). */
    private static HttpURLConnection open(URI url) throws IOException, DilationException {
        URI current = url;
        for (int redirects = 0; redirects <= MAX_REDIRECTS; redirects++) {
            HttpURLConnection connection = (HttpURLConnection) current.toURL().openConnection();
            connection.setConnectTimeout(CONNECT_TIMEOUT_MS);
            connection.setReadTimeout(STALL_TIMEOUT_MS);
            connection.setInstanceFollowRedirects(false);
            int status = connection.getResponseCode();
            if (status >= 300 && status < 400 && connection.getHeaderField("Location") != null) {
                current = current.resolve(connection.getHeaderField("Location"));
                connection.disconnect();
                continue;
            }
            if (status != HttpURLConnection.HTTP_OK) {
                connection.disconnect();
                throw new DilationException("Download of " + url + " failed: HTTP " + status
                        + ". Check the address, or download the file yourself and use `convert`.");
            }
            return connection;
        }
        throw new DilationException("Download of " + url + " failed: more than " + MAX_REDIRECTS + " redirects.");
    }

    /** Downloads {@code url} to {@code target} and returns the file's SHA-256. */
    String download(URI url, Path target, String expectedSha256, ProgressListener progress)
            throws DilationException {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            HttpURLConnection connection = open(url);
            long announced = connection.getContentLengthLong();
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long received = 0;
            try (InputStream in = connection.getInputStream()) {
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
