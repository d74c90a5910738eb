package ai.dilation4j.server;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link SegmentationService}; immutable, every value checked on construction. Build one with
 * {@link #builder()}, which starts from the defaults below.
 *
 * @param host           address to listen on (default 127.0.0.1)
 * @param port           port to listen on, 0 for a free one (default 8080)
 * @param threads        images segmented at once (default 1, at most {@value #MAX_THREADS})
 * @param queue          admitted requests that may wait for a free thread; beyond {@code threads + queue} a
 *                       request gets 503 (default 4, at most {@value #MAX_QUEUE})
 * @param maxBodyBytes   largest request body; larger ones get 413 (default 16 MiB, at most
 *                       {@value #MAX_BODY_BYTES}: a body is held in memory whole)
 * @param maxBufferedBodyBytes bytes of request bodies being received that all connections together may hold;
 *                       a request whose body does not fit gets 503 at once (default 256 MiB, at least
 *                       {@code maxBodyBytes}, at most {@value #MAX_BUFFERED_BODY_BYTES})
 * @param maxConnections open connections at most; the next one is refused at once with 503 (default 256)
 * @param headerTimeout  time a client has to send a request's headers, counted from its first byte (or from
 *                       the connection's opening); then the connection is closed (default 10 s)
 * @param bodyTimeout    time a client has to send a request's body once the headers arrived; then it gets 408
 *                       and the connection is closed (default 30 s)
 * @param idleTimeout    time a kept-alive connection may stay silent between requests (default 60 s)
 */
public record ServiceConfig(String host, int port, int threads, int queue, long maxBodyBytes,
                            long maxBufferedBodyBytes, int maxConnections, Duration headerTimeout,
                            Duration bodyTimeout, Duration idleTimeout) {

    /** Each thread holds a network graph with its own working memory, so the count is kept small. */
    public static final int MAX_THREADS = 64;
    public static final int MAX_QUEUE = 1024;
    public static final int MAX_BODY_BYTES = 1 << 30;
    public static final long DEFAULT_MAX_BUFFERED_BODY_BYTES = 256L << 20;
    /** Far above any machine's memory; keeps the budget's arithmetic clear of overflow. */
    public static final long MAX_BUFFERED_BODY_BYTES = 1L << 40;
    public static final int MAX_CONNECTIONS = 65_535;
    public static final int MAX_TIMEOUT_SECONDS = 3600;
    public static final Duration MAX_TIMEOUT = Duration.ofSeconds(MAX_TIMEOUT_SECONDS);

    public ServiceConfig {
        Objects.requireNonNull(host, "host");
        requireRange("port", port, 0, 65_535);
        requireRange("threads", threads, 1, MAX_THREADS);
        requireRange("queue", queue, 0, MAX_QUEUE);
        requireRange("maxBodyBytes", maxBodyBytes, 1, MAX_BODY_BYTES);
        requireRange("maxBufferedBodyBytes", maxBufferedBodyBytes, 1, MAX_BUFFERED_BODY_BYTES);
        if (maxBufferedBodyBytes < maxBodyBytes) {
            throw new IllegalArgumentException("maxBufferedBodyBytes (" + maxBufferedBodyBytes
                    + ") must be at least maxBodyBytes (" + maxBodyBytes + "), or a body of the largest size could "
                    + "never be received; raise maxBufferedBodyBytes or lower maxBodyBytes");
        }
        requireRange("maxConnections", maxConnections, 1, MAX_CONNECTIONS);
        requireTimeout("headerTimeout", headerTimeout);
        requireTimeout("bodyTimeout", bodyTimeout);
        requireTimeout("idleTimeout", idleTimeout);
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ServiceConfig defaults() {
        return builder().build();
    }

    private static void requireRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + " (got " + value
                    + ")");
        }
    }

    private static void requireTimeout(String name, Duration timeout) {
        Objects.requireNonNull(timeout, name);
        if (timeout.compareTo(Duration.ofMillis(1)) < 0 || timeout.compareTo(MAX_TIMEOUT) > 0) {
            throw new IllegalArgumentException(name + " must be between 1 ms and " + describe(MAX_TIMEOUT) + " (got "
                    + timeout + ")");
        }
    }

    /** A timeout as people write it: "10 s", or "500 ms" below a whole second. */
    static String describe(Duration timeout) {
        return timeout.toMillis() % 1000 == 0 ? timeout.toSeconds() + " s" : timeout.toMillis() + " ms";
    }

    /** Starts from the defaults; {@link #build()} checks every value. */
    public static final class Builder {
        private String host = "127.0.0.1";
        private int port = 8080;
        private int threads = 1;
        private int queue = 4;
        private long maxBodyBytes = 16L << 20;
        private long maxBufferedBodyBytes = DEFAULT_MAX_BUFFERED_BODY_BYTES;
        private int maxConnections = 256;
        private Duration headerTimeout = Duration.ofSeconds(10);
        private Duration bodyTimeout = Duration.ofSeconds(30);
        private Duration idleTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        public Builder queue(int queue) {
            this.queue = queue;
            return this;
        }

        public Builder maxBodyBytes(long maxBodyBytes) {
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        public Builder maxBufferedBodyBytes(long maxBufferedBodyBytes) {
            this.maxBufferedBodyBytes = maxBufferedBodyBytes;
            return this;
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder headerTimeout(Duration headerTimeout) {
            this.headerTimeout = headerTimeout;
            return this;
        }

        public Builder bodyTimeout(Duration bodyTimeout) {
            this.bodyTimeout = bodyTimeout;
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = idleTimeout;
            return this;
        }

        public ServiceConfig build() {
            return new ServiceConfig(host, port, threads, queue, maxBodyBytes, maxBufferedBodyBytes, maxConnections,
                    headerTimeout, bodyTimeout, idleTimeout);
        }
    }
}
