package ai.dilation4j.models.download;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * One attempt to bring an http(s) source into a {@link PartialFile}: resumes from the bytes it holds with a Range
 * request, starts over when the server ignores the range or refuses it, follows redirects itself (so that it can
 * refuse https to http and count hops), and gives up once nothing has arrived for the stall timeout.
 */
final class HttpTransfer {

    static final int MAX_REDIRECTS = 10;
    private static final String USER_AGENT = "dilation4j";
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d{1,18})-(\\d{1,18})/(\\d{1,18}|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes\\s+\\*/(\\d{1,18})");

    private final HttpClient client;
    private final Duration stallTimeout;
    private final Duration connectTimeout;
    private final DownloadProgress progress;

    HttpTransfer(HttpClient client, Duration connectTimeout, Duration stallTimeout, DownloadProgress progress) {
        this.client = client;
        this.connectTimeout = connectTimeout;
        this.stallTimeout = stallTimeout;
        this.progress = progress;
    }

    /**
     * @throws AttemptFailure       when the source did not deliver (retryable or not)
     * @throws IOException          when the partial file cannot be written: no source would help
     * @throws InterruptedException when the thread is interrupted; the bytes received so far stay in the file
     */
    void fetch(Source source, PartialFile partial) throws AttemptFailure, IOException, InterruptedException {
        URI uri = source.uri();
        int redirects = 0;
        boolean startedOver = false;
        while (true) {
            long offset = partial.prepareResume();
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).GET().header("User-Agent", USER_AGENT);
            if (offset > 0) {
                request.header("Range", "bytes=" + offset + "-");
            }
            Exchange exchange = new Exchange(partial, offset);
            HttpResponse<Void> response = await(source, client.sendAsync(request.build(), exchange::handle),
                    exchange, new ProgressMeter(progress, source, offset));
            if (exchange.writeFailure != null) {
                throw exchange.writeFailure;
            }
            int status = response.statusCode();
            if (isRedirect(status)) {
                if (++redirects > MAX_REDIRECTS) {
                    throw new AttemptFailure("more than " + MAX_REDIRECTS + " redirects (last to " + uri + ")", false);
                }
                uri = redirectTarget(uri, status, response.headers().firstValue("Location"));
                continue;
            }
            if (status == 416 && offset > 0 && !startedOver) {
                Optional<Long> size = response.headers().firstValue("Content-Range").map(UNSATISFIED_RANGE::matcher)
                        .filter(Matcher::matches).map(m -> Long.parseLong(m.group(1)));
                if (size.isPresent() && size.get() == offset) {
                    return; // an earlier run received every byte; the checksum decides whether they are right
                }
                partial.restart();
                startedOver = true;
                continue;
            }
            if (exchange.rejection != null) {
                partial.restart();
                throw new AttemptFailure(exchange.rejection, true);
            }
            if (status != 200 && status != 206) {
                throw new AttemptFailure("HTTP " + status, status >= 500 || status == 408 || status == 429);
            }
            long total = exchange.total;
            if (total >= 0 && partial.length() != total) {
                throw new AttemptFailure("received " + partial.length() + " of " + total + " bytes", true);
            }
            return;
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /** Where a redirect leads, resolved against the URL that answered it; refuses https to http. */
    static URI redirectTarget(URI from, int status, Optional<String> location) throws AttemptFailure {
        if (location.isEmpty()) {
            throw new AttemptFailure("HTTP " + status + " redirect without a Location", false);
        }
        URI to;
        try {
            to = from.resolve(new URI(location.get().strip()));
        } catch (URISyntaxException e) {
            throw new AttemptFailure("redirect to an invalid URL: " + location.get(), false);
        }
        String scheme = to.getScheme() == null ? "" : to.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || to.getHost() == null) {
            throw new AttemptFailure("redirect to " + to + ", which is not an http(s) URL", false);
        }
        if (from.getScheme().equalsIgnoreCase("https") && scheme.equals("http")) {
            throw new AttemptFailure("redirect from https to http (" + to + ") refused", false);
        }
        return to;
    }

    /** Waits for the exchange to end, reporting progress, and cancels it once nothing has arrived for too long. */
    private HttpResponse<Void> await(Source source, CompletableFuture<HttpResponse<Void>> response,
                                     Exchange exchange, ProgressMeter meter)
            throws AttemptFailure, IOException, InterruptedException {
        while (true) {
            try {
                HttpResponse<Void> done = response.get(ProgressMeter.INTERVAL_NANOS, TimeUnit.NANOSECONDS);
                if (exchange.sink != null) {
                    meter.report(exchange.partial.length(), exchange.total, true);
                }
                return done;
            } catch (TimeoutException e) {
                if (exchange.sink != null) {
                    meter.report(exchange.partial.length(), exchange.total, false);
                }
                if (System.nanoTime() - exchange.lastActivityNanos > stallTimeout.toNanos()) {
                    exchange.cancel(response);
                    throw new AttemptFailure(exchange.responded
                            ? "stalled: nothing received for " + seconds(stallTimeout) + " after "
                                    + exchange.received + " bytes"
                            : "no answer within " + seconds(stallTimeout), true);
                }
            } catch (ExecutionException e) {
                throw failure(e.getCause(), exchange);
            } catch (InterruptedException e) {
                exchange.cancel(response);
                throw e;
            }
        }
    }

    private AttemptFailure failure(Throwable cause, Exchange exchange) throws IOException {
        if (cause instanceof PartialFile.WriteFailure writeFailure) {
            throw writeFailure;
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return new AttemptFailure("connect timed out after " + seconds(connectTimeout), true);
        }
        if (cause instanceof HttpTimeoutException) {
            return new AttemptFailure("timed out: " + cause.getMessage(), true);
        }
        if (cause instanceof ConnectException) {
            // The JDK client reports a refused connection as a ConnectException without any message.
            String message = innermostMessage(cause);
            boolean refused = message.equals(cause.getClass().getSimpleName())
                    || message.toLowerCase(Locale.ROOT).contains("refused");
            return new AttemptFailure(refused ? "connection refused" : "cannot connect: " + message, true);
        }
        if (cause instanceof SSLException) {
            return new AttemptFailure("TLS failed: " + innermostMessage(cause), false);
        }
        if (exchange.received > 0) {
            return new AttemptFailure("connection lost after " + exchange.received + " bytes"
                    + (exchange.total >= 0 ? " (" + exchange.partial.length() + " of " + exchange.total + " held)" : "")
                    + ": " + innermostMessage(cause), true);
        }
        return new AttemptFailure(innermostMessage(cause), true);
    }

    private static String innermostMessage(Throwable error) {
        String message = null;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null) {
                message = t.getMessage();
            }
        }
        return message != null ? message : error.getClass().getSimpleName();
    }

    private static String seconds(Duration duration) {
        return duration.toMillis() % 1000 == 0 ? duration.toSeconds() + " s" : duration.toMillis() + " ms";
    }

    /**
     * One request and its response: decides from the status whether the body goes to the partial file, and records
     * when bytes last came so that the waiting thread can tell a slow transfer from a stalled one (the client's own
     * timeouts end with the headers).
     */
    private static final class Exchange {

        final PartialFile partial;
        final long offset;
        volatile long lastActivityNanos = System.nanoTime();
        volatile boolean responded;
        /** The file's announced length, or -1. */
        volatile long total = -1;
        volatile long received;
        volatile String rejection;
        volatile IOException writeFailure;
        volatile Sink sink;
        /** Guarded by {@link #partial}: once set, this exchange touches the file no more. */
        boolean cancelled;

        Exchange(PartialFile partial, long offset) {
            this.partial = partial;
            this.offset = offset;
        }

        HttpResponse.BodySubscriber<Void> handle(HttpResponse.ResponseInfo info) {
            lastActivityNanos = System.nanoTime();
            responded = true;
            long contentLength = info.headers().firstValueAsLong("Content-Length").orElse(-1);
            if (info.statusCode() == 200) {
                synchronized (partial) {
                    if (cancelled) {
                        return HttpResponse.BodySubscribers.discarding();
                    }
                    try {
                        // The server ignored the range (or none was asked): the body is the whole file.
                        partial.restart();
                    } catch (IOException e) {
                        writeFailure = e;
                        return HttpResponse.BodySubscribers.discarding();
                    }
                }
                total = contentLength;
                return sink = new Sink(this);
            }
            if (info.statusCode() == 206) {
                String range = info.headers().firstValue("Content-Range").orElse("");
                Matcher matcher = CONTENT_RANGE.matcher(range.strip());
                if (!matcher.matches() || Long.parseLong(matcher.group(1)) != offset) {
                    rejection = "answered a request for bytes " + offset + "- with Content-Range '" + range
                            + "'; starting over";
                    return HttpResponse.BodySubscribers.discarding();
                }
                total = matcher.group(3).equals("*") ? -1 : Long.parseLong(matcher.group(3));
                return sink = new Sink(this);
            }
            return HttpResponse.BodySubscribers.discarding();
        }

        void cancel(CompletableFuture<?> response) {
            synchronized (partial) {
                cancelled = true;
            }
            Sink current = sink;
            if (current != null) {
                current.cancel();
            }
            response.cancel(true);
        }
    }

    /** Appends the body to the partial file as it arrives. */
    private static final class Sink implements HttpResponse.BodySubscriber<Void> {

        private final Exchange exchange;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile Flow.Subscription subscription;

        Sink(Exchange exchange) {
            this.exchange = exchange;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            try {
                synchronized (exchange.partial) {
                    if (exchange.cancelled) {
                        return;
                    }
                    for (ByteBuffer buffer : buffers) {
                        int count = buffer.remaining();
                        exchange.partial.append(buffer);
                        exchange.received += count;
                    }
                }
                exchange.lastActivityNanos = System.nanoTime();
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
