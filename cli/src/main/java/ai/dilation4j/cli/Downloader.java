package ai.dilation4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Fetches a file from an http, https or file URL so that only a complete, verified copy ever carries the target
 * name: bytes go to {@code <target>.partial}, the received length is checked against the announced one (HTTP
 * Content-Length, or the source file's size) and the SHA-256 against the expected one (when given), and only then is
 * the file moved into place. On any failure nothing is left at either name.
 *
 * <p>Depends on the JDK only, so that it can move with the model catalogue.
 */
final class Downloader {

    /** Progress of one transfer: bytes received so far, and the total when announced, else -1. */
    @FunctionalInterface
    interface Progress {
        void update(long received, long total);
    }

    /** A transfer that failed; the message names the address and says what to do. */
    static final class DownloadException extends IOException {
        DownloadException(String message) {
            super(message);
        }

        DownloadException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final long PROGRESS_INTERVAL_MS = 500;
    private static final List<String> SCHEMES = List.of("http", "https", "file");

    private final Duration stallTimeout;
    private final HttpClient client;

    Downloader() {
        this(DEFAULT_STALL_TIMEOUT);
    }

    /** @param stallTimeout how long a transfer may receive nothing (before or after the headers) before it fails */
    Downloader(Duration stallTimeout) {
        this.stallTimeout = stallTimeout;
        // HTTP/1.1: a plain-http request for HTTP/2 carries an h2c upgrade offer, which some old servers mishandle,
        // and a single large file gains nothing from HTTP/2. NORMAL follows redirects, also from http to https,
        // but never from https to http.
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(CONNECT_TIMEOUT)
                .build();
    }

    /**
     * Checks that {@code source} is a URL this class can fetch: http, https, or file with an absolute local path.
     *
     * @throws IllegalArgumentException saying what is accepted
     */
    static void checkSupported(URI source) {
        String scheme = source.getScheme() == null ? "" : source.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            throw new IllegalArgumentException(source + " is not an http, https or file URL (for a file you have, "
                    + "give file:///its/absolute/path)");
        }
        if (scheme.equals("file")) {
            try {
                Path.of(source);
            } catch (IllegalArgumentException | FileSystemNotFoundException e) {
                throw new IllegalArgumentException(source + " is not a local file URL (" + e.getMessage()
                        + "); give file:///its/absolute/path");
            }
        }
    }

    /** Whether {@code text} is a SHA-256 in hexadecimal (64 digits, either case). */
    static boolean isSha256(String text) {
        return text.length() == 64 && text.chars().allMatch(HexFormat::isHexDigit);
    }

    /**
     * Fetches {@code source} into {@code target} (whose directory must exist) and returns the file's SHA-256 in
     * lowercase hexadecimal.
     *
     * @param expectedSha256 the SHA-256 the file must have, or null to accept any
     */
    String download(URI source, Path target, String expectedSha256, Progress progress) throws DownloadException {
        checkSupported(source);
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        try {
            String sha256 = source.getScheme().equalsIgnoreCase("file")
                    ? copy(source, Path.of(source), partial, progress)
                    : fetch(source, partial, progress);
            if (expectedSha256 != null && !expectedSha256.equalsIgnoreCase(sha256)) {
                throw new DownloadException("Download of " + source + " has SHA-256 " + sha256 + " but "
                        + expectedSha256.toLowerCase(Locale.ROOT) + " was expected: the file is damaged or not the "
                        + "published one. It was not kept.");
            }
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return sha256;
        } catch (DownloadException e) {
            throw e;
        } catch (IOException e) {
            throw new DownloadException("Download of " + source + " failed: " + e + ".", e);
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException ignored) {
                // the transfer's own outcome is what matters
            }
        }
    }

    private static String copy(URI source, Path file, Path partial, Progress progress) throws IOException {
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new DownloadException(file + " (from " + source + ") does not exist. Check the path.");
        }
        MessageDigest digest = newSha256();
        long received = 0;
        try (InputStream in = Files.newInputStream(file);
             OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
                out.write(buffer, 0, n);
                received += n;
                progress.update(received, size);
            }
        }
        if (received != size) {
            throw new DownloadException(file + " changed while it was copied (" + received + " bytes read, " + size
                    + " expected). Run the command again once it is complete.");
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private String fetch(URI source, Path partial, Progress progress) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(source).GET().build();
        try (FileChannel channel = FileChannel.open(partial, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            FileBody body = new FileBody(channel);
            CompletableFuture<HttpResponse<Void>> exchange = client.sendAsync(request, info -> {
                if (info.statusCode() != 200) {
                    return HttpResponse.BodySubscribers.replacing(null);
                }
                body.total = info.headers().firstValueAsLong("Content-Length").orElse(-1);
                return body;
            });
            HttpResponse<Void> response = await(source, exchange, body, progress);
            if (response.statusCode() != 200) {
                throw new DownloadException("Download of " + source + " failed: HTTP " + response.statusCode()
                        + ". Check the address, or download the file yourself and give it as a file:/// URL.");
            }
            if (body.total >= 0 && body.received != body.total) {
                throw cutShort(source, body);
            }
            return HexFormat.of().formatHex(body.digest.digest());
        }
    }

    /** Waits for the exchange to end, reporting progress, and gives up once nothing has arrived for too long. */
    private HttpResponse<Void> await(URI source, CompletableFuture<HttpResponse<Void>> exchange, FileBody body,
                                     Progress progress) throws IOException {
        while (true) {
            try {
                HttpResponse<Void> response = exchange.get(PROGRESS_INTERVAL_MS, TimeUnit.MILLISECONDS);
                progress.update(body.received, body.total);
                return response;
            } catch (TimeoutException e) {
                progress.update(body.received, body.total);
                long idleNanos = System.nanoTime() - body.lastActivityNanos;
                if (idleNanos > stallTimeout.toNanos()) {
                    body.cancel();
                    exchange.cancel(true);
                    throw new DownloadException("Download of " + source + " stalled: nothing received for "
                            + stallTimeout.toSeconds() + " s after " + body.received + " bytes. Check the network "
                            + "and run the command again.");
                }
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                if (body.total >= 0 && body.received < body.total) {
                    throw cutShort(source, body);
                }
                if (cause instanceof java.net.ConnectException || cause instanceof java.net.http.HttpTimeoutException) {
                    throw new DownloadException("Download of " + source + " failed: cannot connect (" + cause
                            + "). Check the network and the address, and run the command again.", cause);
                }
                throw new DownloadException("Download of " + source + " failed: " + cause + ". Check the network "
                        + "and run the command again.", cause);
            } catch (InterruptedException e) {
                body.cancel();
                exchange.cancel(true);
                Thread.currentThread().interrupt();
                throw new DownloadException("Download of " + source + " was interrupted.", e);
            }
        }
    }

    private static DownloadException cutShort(URI source, FileBody body) {
        return new DownloadException("Download of " + source + " was cut short: " + body.received + " of "
                + body.total + " bytes. Run the command again.");
    }

    /** The SHA-256 of a file, in lowercase hexadecimal. */
    static String sha256(Path file) throws IOException {
        MessageDigest digest = newSha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("The JVM has no SHA-256", e);
        }
    }

    /**
     * Writes the response body to a file as it arrives and hashes it; records when bytes last came, so that the
     * waiting thread can tell a slow transfer from a stalled one (the client's request timeout ends with the
     * headers).
     */
    private static final class FileBody implements HttpResponse.BodySubscriber<Void> {

        private final FileChannel channel;
        private final MessageDigest digest = newSha256();
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile Flow.Subscription subscription;
        private volatile long total = -1;
        private volatile long received;
        private volatile long lastActivityNanos = System.nanoTime();

        FileBody(FileChannel channel) {
            this.channel = channel;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            try {
                for (ByteBuffer buffer : buffers) {
                    digest.update(buffer.duplicate());
                    int length = buffer.remaining();
                    while (buffer.hasRemaining()) {
                        channel.write(buffer);
                    }
                    received += length;
                }
                lastActivityNanos = System.nanoTime();
                subscription.request(1);
            } catch (IOException e) {
                subscription.cancel();
                done.completeExceptionally(e);
            }
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }

        @Override
        public CompletableFuture<Void> getBody() {
            return done;
        }

        void cancel() {
            Flow.Subscription current = subscription;
            if (current != null) {
                current.cancel();
            }
            done.cancel(false);
        }
    }
}
