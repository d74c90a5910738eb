package ai.dilation4j.models.download;

import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Fetches a large file from the first of several sources that delivers it whole and right, resuming cut transfers,
 * so that only a complete, verified file ever carries the target's name.
 *
 * <p>Immutable and thread-safe (concurrent fetches must have different targets; the same target is refused while
 * another download writes it). Depends on the JDK only.
 */
public final class Downloader {

    private final Duration connectTimeout;
    private final Duration stallTimeout;
    private final int attemptsPerSource;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final DownloadProgress progress;
    private final HttpClient client;
    private final boolean offline;

    private Downloader(Builder builder) {
        this.connectTimeout = builder.connectTimeout;
        this.stallTimeout = builder.stallTimeout;
        this.attemptsPerSource = builder.attemptsPerSource;
        this.backoffBase = builder.backoffBase;
        this.backoffMax = builder.backoffMax;
        this.progress = builder.progress;
        this.offline = builder.offline;
        // HTTP/1.1: a plain-http request for HTTP/2 carries an h2c upgrade offer, which some old servers mishandle,
        // and one large file gains nothing from HTTP/2. Redirects are followed by HttpTransfer, which counts them
        // and keeps the Range header.
        this.client = builder.client != null ? builder.client : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(connectTimeout)
                .build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Tries each source in order (each with bounded retries and backoff), writing to a private partial file beside
     * {@code target} ({@code <target>.partial}) and moving it to {@code target} only when complete (length = the
     * announced Content-Length or Content-Range total, and SHA-256 = {@code expectedSha256} when given). A transfer
     * cut short resumes with a Range request, from this call's partial file or one an earlier call left.
     *
     * @param sources        where to look, in order; file sources are copied, network ones fail at once when offline
     * @param target         where the file goes; its directory is created when missing; an existing file there is
     *                       replaced only by a complete, verified one
     * @param expectedSha256 the file's SHA-256 in hexadecimal (either case)
     * @throws DownloadFailedException when no source delivered, with each source's error, or when the partial file
     *                                 cannot be written
     * @throws InterruptedException    when the thread is interrupted; the partial file stays for a later resume
     */
    public Download fetch(List<Source> sources, Path target, Optional<String> expectedSha256)
            throws DownloadFailedException, InterruptedException {
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("No source to download " + target.getFileName() + " from");
        }
        String expected = expectedSha256.map(Downloader::checkSha256).orElse(null);
        Path file = target.toAbsolutePath().normalize();
        List<Failure> failures = new ArrayList<>();
        String summary = "Could not download " + file.getFileName() + ":";
        try {
            Files.createDirectories(file.getParent());
            try (PartialFile partial = PartialFile.open(file)) {
                for (Source source : sources) {
                    try {
                        fetchVerified(source, partial, expected);
                        String sha256 = partial.sha256();
                        long size = partial.length();
                        partial.moveTo(file);
                        return new Download(source, file, size, sha256);
                    } catch (AttemptFailure e) {
                        failures.add(new Failure(source, e.getMessage()));
                    }
                }
            }
        } catch (IOException e) {
            throw new DownloadFailedException(summary + " " + e.getMessage(), failures);
        }
        throw new DownloadFailedException(summary, failures);
    }

    /**
     * Brings one source into the partial file and checks its SHA-256. When the bytes were resumed from an earlier
     * source or run, a mismatch may be theirs, so the source is asked once more for the whole file.
     */
    private void fetchVerified(Source source, PartialFile partial, String expected)
            throws AttemptFailure, IOException, InterruptedException {
        boolean resumed = source.isNetwork() && partial.length() > 0;
        while (true) {
            fetchFrom(source, partial);
            String sha256 = partial.sha256();
            if (expected == null || expected.equals(sha256)) {
                return;
            }
            partial.restart();
            if (!resumed) {
                throw new AttemptFailure("SHA-256 is " + sha256 + " but " + expected + " was expected (damaged, or "
                        + "not the published file)", false);
            }
            resumed = false;
        }
    }

    /** Brings one source into the partial file, retrying a network source with exponential backoff. */
    private void fetchFrom(Source source, PartialFile partial)
            throws AttemptFailure, IOException, InterruptedException {
        if (!source.isNetwork()) {
            copy(source, partial);
            return;
        }
        if (offline) {
            throw new AttemptFailure("offline", false);
        }
        HttpTransfer transfer = new HttpTransfer(client, connectTimeout, stallTimeout, progress);
        Duration delay = backoffBase;
        for (int attempt = 1; ; attempt++) {
            try {
                transfer.fetch(source, partial);
                return;
            } catch (AttemptFailure e) {
                if (!e.retryable() || attempt == attemptsPerSource) {
                    throw attempt == 1 ? e : new AttemptFailure(e.getMessage() + " (" + attempt + " attempts)", false);
                }
            }
            Thread.sleep(delay.toMillis());
            delay = delay.multipliedBy(2).compareTo(backoffMax) > 0 ? backoffMax : delay.multipliedBy(2);
        }
    }

    /** Copies a local file; no retries, as trying again would read the same bytes. */
    private void copy(Source source, PartialFile partial) throws AttemptFailure, IOException, InterruptedException {
        Path file = Path.of(source.uri());
        if (Files.isDirectory(file)) {
            throw new AttemptFailure(file + " is a directory, not a file", false);
        }
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = in.size();
            partial.restart();
            ProgressMeter meter = new ProgressMeter(progress, source, 0);
            ByteBuffer buffer = ByteBuffer.allocate(1 << 20);
            while (readFrom(in, buffer, file) >= 0) {
                if (Thread.interrupted()) {
                    throw new InterruptedException();
                }
                partial.append(buffer.flip());
                buffer.clear();
                meter.report(partial.length(), size, false);
            }
            meter.report(partial.length(), size, true);
            if (partial.length() != size) {
                throw new AttemptFailure(file + " changed while it was copied (" + partial.length() + " bytes read, "
                        + size + " expected)", false);
            }
        } catch (NoSuchFileException e) {
            throw new AttemptFailure(file + " does not exist", false);
        } catch (PartialFile.WriteFailure e) {
            throw e;
        } catch (IOException e) {
            throw new AttemptFailure("cannot read " + file + ": " + e.getMessage(), false);
        }
    }

    private static int readFrom(FileChannel in, ByteBuffer buffer, Path file) throws AttemptFailure {
        try {
            return in.read(buffer);
        } catch (IOException e) {
            throw new AttemptFailure("cannot read " + file + ": " + e.getMessage(), false);
        }
    }

    private static String checkSha256(String text) {
        if (text.length() != 64 || !text.chars().allMatch(HexFormat::isHexDigit)) {
            throw new IllegalArgumentException("'" + text + "' is not a SHA-256: give 64 hexadecimal digits");
        }
        return text.toLowerCase(Locale.ROOT);
    }

    /** Options of a {@link Downloader}; every one has a default. */
    public static final class Builder {

        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration stallTimeout = Duration.ofSeconds(60);
        private int attemptsPerSource = 3;
        private Duration backoffBase = Duration.ofSeconds(1);
        private Duration backoffMax = Duration.ofSeconds(30);
        private DownloadProgress progress = (source, done, total, bytesPerSecond) -> { };
        private HttpClient client;
        private boolean offline;

        private Builder() {
        }

        /** How long opening a connection may take (default 30 s); ignored with {@link #httpClient}. */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** How long a transfer may receive nothing, before or after the headers, before it fails (default 60 s). */
        public Builder stallTimeout(Duration timeout) {
            this.stallTimeout = positive(timeout, "stallTimeout");
            return this;
        }

        /** How many times each network source is tried before the next one (default 3). */
        public Builder attemptsPerSource(int attempts) {
            if (attempts < 1) {
                throw new IllegalArgumentException("attemptsPerSource must be at least 1, not " + attempts);
            }
            this.attemptsPerSource = attempts;
            return this;
        }

        /** The wait before the second attempt, doubled before each further one up to {@code max} (1 s, 30 s). */
        public Builder backoff(Duration base, Duration max) {
            this.backoffBase = positive(base, "backoff base");
            this.backoffMax = positive(max, "backoff max");
            if (max.compareTo(base) < 0) {
                throw new IllegalArgumentException("backoff max " + max + " is less than its base " + base);
            }
            return this;
        }

        /** Told how transfers advance (default: nobody). */
        public Builder progress(DownloadProgress progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        /**
         * The client to use instead of one of our own (HTTP/1.1, connect timeout, redirects left to the downloader);
         * mainly for tests.
         */
        public Builder httpClient(HttpClient client) {
            this.client = Objects.requireNonNull(client, "client");
            return this;
        }

        /** Whether network sources fail at once with "offline", so that only file sources are used (default no). */
        public Builder offline(boolean offline) {
            this.offline = offline;
            return this;
        }

        public Downloader build() {
            return new Downloader(this);
        }

        private static Duration positive(Duration duration, String name) {
            if (duration.isNegative() || duration.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, not " + duration);
            }
            return duration;
        }
    }
}
