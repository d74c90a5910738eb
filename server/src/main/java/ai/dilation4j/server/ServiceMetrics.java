package ai.dilation4j.server;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Outcomes of {@code /segment} requests by status, latency percentiles over the most recent successful ones, what
 * happened to connections (refused over the cap or for want of body memory, closed for slowness or idleness), and
 * the bytes of request bodies being received.
 */
final class ServiceMetrics {

    /** nginx's "client closed request": the client went away before its answer and the work was cancelled. */
    static final int CLIENT_CLOSED_REQUEST = 499;

    private static final int WINDOW = 10_000;

    private final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
    private final AtomicInteger admitted = new AtomicInteger();
    private final long[] latenciesMicros = new long[WINDOW];
    private long recorded;
    private final AtomicInteger openConnections = new AtomicInteger();
    private final LongAdder refusedConnections = new LongAdder();
    private final LongAdder refusedForBodyBudget = new LongAdder();
    private final LongAdder slowHeaders = new LongAdder();
    private final LongAdder slowBodies = new LongAdder();
    private final LongAdder idleClosed = new LongAdder();
    private final BodyBudget bodyBudget;

    ServiceMetrics(BodyBudget bodyBudget) {
        this.bodyBudget = bodyBudget;
    }

    /** A request got a segmentation slot (running or waiting). */
    void admitted() {
        admitted.incrementAndGet();
    }

    /** An admitted request ended with {@code status} after {@code nanos}. */
    void finished(int status, long nanos) {
        admitted.decrementAndGet();
        count(status);
        if (status == 200) {
            synchronized (latenciesMicros) {
                latenciesMicros[(int) (recorded++ % WINDOW)] = nanos / 1000;
            }
        }
    }

    /** A request was answered without being admitted (refused, invalid, too slow). */
    void rejected(int status) {
        count(status);
    }

    private void count(int status) {
        byStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
    }

    void connectionOpened() {
        openConnections.incrementAndGet();
    }

    void connectionClosed() {
        openConnections.decrementAndGet();
    }

    void connectionRefused() {
        refusedConnections.increment();
    }

    /** A request was answered 503 and its connection closed: its body would not fit in the body budget. */
    void bodyBudgetRefused() {
        refusedForBodyBudget.increment();
    }

    void slowHeaders() {
        slowHeaders.increment();
    }

    void slowBody() {
        slowBodies.increment();
    }

    void idleClosed() {
        idleClosed.increment();
    }

    Map<String, Object> snapshot() {
        long[] window;
        synchronized (latenciesMicros) {
            window = Arrays.copyOf(latenciesMicros, (int) Math.min(recorded, WINDOW));
        }
        Arrays.sort(window);
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("count", window.length);
        latency.put("p50_ms", percentile(window, 0.50));
        latency.put("p90_ms", percentile(window, 0.90));
        latency.put("p99_ms", percentile(window, 0.99));
        latency.put("max_ms", window.length == 0 ? 0 : window[window.length - 1] / 1000.0);
        Map<String, Long> statuses = new TreeMap<>();
        long total = 0;
        for (Map.Entry<Integer, LongAdder> entry : byStatus.entrySet()) {
            statuses.put(String.valueOf(entry.getKey()), entry.getValue().sum());
            total += entry.getValue().sum();
        }
        Map<String, Object> connections = new LinkedHashMap<>();
        connections.put("open", openConnections.get());
        connections.put("refused_over_limit", refusedConnections.sum());
        connections.put("refused_body_budget", refusedForBodyBudget.sum());
        connections.put("closed_slow_headers", slowHeaders.sum());
        connections.put("closed_slow_body", slowBodies.sum());
        connections.put("closed_idle", idleClosed.sum());
        Map<String, Object> bodies = new LinkedHashMap<>();
        bodies.put("reserved_bytes", bodyBudget.reserved());
        bodies.put("budget_bytes", bodyBudget.limit());
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("requests", total);
        snapshot.put("by_status", statuses);
        snapshot.put("cancelled", statuses.getOrDefault(String.valueOf(CLIENT_CLOSED_REQUEST), 0L));
        snapshot.put("in_flight", admitted.get());
        snapshot.put("connections", connections);
        snapshot.put("request_bodies", bodies);
        snapshot.put("latency_ok_requests", latency);
        return snapshot;
    }

    private static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1000.0;
    }
}
