package ai.dilation4j.server;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of request bodies that all connections together may hold while the bodies are being received
 * ({@link ServiceConfig#maxBufferedBodyBytes()}). Without it the worst case would be every connection buffering a
 * body of the largest size. Each connection reserves before it buffers and gives back what it reserved
 * ({@link BodyAggregator}); shared by the event loops, so lock-free.
 */
final class BodyBudget {

    private final long limit;
    private final AtomicLong reserved = new AtomicLong();

    BodyBudget(long limit) {
        this.limit = limit;
    }

    /** Reserves {@code bytes} if they fit in what is left; a request that does not fit reserves nothing. */
    boolean tryReserve(long bytes) {
        long current;
        do {
            current = reserved.get();
            // No overflow: the limit and one body are both far below Long.MAX_VALUE / 2 (ServiceConfig).
            if (current + bytes > limit) {
                return false;
            }
        } while (!reserved.compareAndSet(current, current + bytes));
        return true;
    }

    void release(long bytes) {
        long left = reserved.addAndGet(-bytes);
        if (left < 0) {
            throw new IllegalStateException("released " + bytes + " bytes of request bodies more than reserved");
        }
    }

    long reserved() {
        return reserved.get();
    }

    long limit() {
        return limit;
    }
}
