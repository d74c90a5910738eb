package ai.dilation4j.models.download;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Fetches a file from the first of several sources that delivers it whole (and with the expected SHA-256, when
 * given). Bytes go to {@code <target>.partial}; only a complete, verified file is moved to {@code target}.
 */
public final class Downloader {

    private final HttpClient client;
    private final Duration requestTimeout;
    private final DownloadProgress progress;
    private final boolean offline;

    private Downloader(Builder builder) {
        this.client = builder.client != null ? builder.client : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(builder.connectTimeout)
                .build();
        this.requestTimeout = builder.stallTimeout;
        this.progress = builder.progress;
        this.offline = builder.offline;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Download fetch(List<Source> sources, Path target, Optional<String> expectedSha256)
            throws DownloadFailedException, InterruptedException {
        List<Failure> failures = new ArrayList<>();
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        for (Source source : sources) {
            if (offline && source.isRemote()) {
                failures.add(new Failure(source, "not tried: offline"));
                continue;
            }
            try {
                String sha256 = source.isRemote() ? get(source, partial) : copy(source, partial);
                if (expectedSha256.isPresent() && !expectedSha256.get().equalsIgnoreCase(sha256)) {
                    throw new IOException("SHA-256 " + sha256 + " but " + expectedSha256.get() + " was expected");
                }
                long size = Files.size(partial);
                Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                return new Download(source, target, size, sha256);
            } catch (IOException e) {
                failures.add(new Failure(source, e.getMessage() == null ? e.toString() : e.getMessage()));
            } finally {
                try {
                    Files.deleteIfExists(partial);
                } catch (IOException ignored) {
                    // the outcome of the transfer is what matters
                }
            }
        }
        throw new DownloadFailedException("No source delivered " + target.getFileName(), failures);
    }

    private String get(Source source, Path partial) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(source.uri()).timeout(requestTimeout).GET().build();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = response.body()) {
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode());
            }
            long total = response.headers().firstValueAsLong("Content-Length").orElse(-1);
            return write(source, in, partial, total);
        }
    }

    private String copy(Source source, Path partial) throws IOException {
        Path file = Path.of(source.uri());
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + " does not exist");
        }
        try (InputStream in = Files.newInputStream(file)) {
            return write(source, in, partial, Files.size(file));
        }
    }

    private String write(Source source, InputStream in, Path partial, long total) throws IOException {
        MessageDigest digest = sha256();
        long done = 0;
        long started = System.nanoTime();
        try (OutputStream out = Files.newOutputStream(partial)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                out.write(buffer, 0, n);
                digest.update(buffer, 0, n);
                done += n;
                progress.progress(source, done, total, done / Math.max(1e-9, (System.nanoTime() - started) / 1e9));
            }
        }
        if (total >= 0 && done != total) {
            throw new IOException("cut short: " + done + " of " + total + " bytes");
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration stallTimeout = Duration.ofSeconds(60);
        private DownloadProgress progress = DownloadProgress.NONE;
        private HttpClient client;
        private boolean offline;

        private Builder() {
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        public Builder stallTimeout(Duration timeout) {
            this.stallTimeout = timeout;
            return this;
        }

        public Builder progress(DownloadProgress progress) {
            this.progress = progress;
            return this;
        }

        public Builder httpClient(HttpClient client) {
            this.client = client;
            return this;
        }

        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        public Downloader build() {
            return new Downloader(this);
        }
    }
}
