package ai.dilation4j.samples.service;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** Request counts by status and latency percentiles over the most recent requests. */
final class ServiceMetrics {

    private static final int WINDOW = 10_000;

    private final Map<Integer, LongAdder> byStatus = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final long[] latenciesMicros = new long[WINDOW];
    private long recorded;

    void started() {
        inFlight.incrementAndGet();
    }

    void finished(int status, long nanos) {
        inFlight.decrementAndGet();
        byStatus.computeIfAbsent(status, s -> new LongAdder()).increment();
        if (status == 200) {
            synchronized (latenciesMicros) {
                latenciesMicros[(int) (recorded++ % WINDOW)] = nanos / 1000;
            }
        }
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
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("requests", total);
        snapshot.put("by_status", statuses);
        snapshot.put("in_flight", inFlight.get());
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
