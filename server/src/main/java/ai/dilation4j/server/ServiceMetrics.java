package ai.dilation4j.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAccumulator;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Summary;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;

/**
 * Outcomes of requests by endpoint and status, latency quantiles of successful segmentations, what happened to
 * connections (refused over the cap or for want of body memory, closed for slowness or idleness), and the bytes of
 * request bodies being received.
 *
 * <p>Kept in a Prometheus registry of this service (not the process-wide default, so two services in one JVM keep
 * their own counts). {@link #prometheusText()} is the {@code /metrics} scrape; {@link #snapshot()} is the same
 * facts in the JSON shape {@code /metrics.json} has always had.
 */
final class ServiceMetrics {

    /** nginx's "client closed request": the client went away before its answer and the work was cancelled. */
    static final int CLIENT_CLOSED_REQUEST = 499;

    static final String PROMETHEUS_CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    /** The {@code endpoint} label of {@code /segment} requests, the ones the JSON view counts. */
    private static final String SEGMENT = "segment";
    private static final double[] QUANTILES = {0.5, 0.9, 0.99};

    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter textFormat = PrometheusTextFormatWriter.create();
    private final Counter requests;
    private final Counter cancelled;
    private final Gauge inFlight;
    private final Summary segmentationSeconds;
    /** Summaries keep quantiles, not the maximum, which the JSON view has always shown. */
    private final LongAccumulator slowestNanos = new LongAccumulator(Math::max, 0);
    private final Gauge openConnections;
    private final Counter refusedConnections;
    private final Counter closedConnections;
    private final BodyBudget bodyBudget;

    ServiceMetrics(BodyBudget bodyBudget) {
        this.bodyBudget = bodyBudget;
        requests = Counter.builder().name("dilation4j_requests_total")
                .help("Requests answered, by endpoint and HTTP status (499: the client left and its work was "
                        + "cancelled)")
                .labelNames("endpoint", "status").withoutExemplars().register(registry);
        cancelled = Counter.builder().name("dilation4j_requests_cancelled_total")
                .help("Segmentations cancelled because the client disconnected before its answer")
                .withoutExemplars().register(registry);
        inFlight = Gauge.builder().name("dilation4j_requests_in_flight")
                .help("Segmentation requests admitted (running or waiting for a thread)")
                .withoutExemplars().register(registry);
        Summary.Builder latency = Summary.builder().name("dilation4j_segmentation_duration_seconds")
                .help("Time from a segmentation request's complete body to its successful answer (quantiles over "
                        + "the last 10 minutes)")
                .withoutExemplars();
        for (double quantile : QUANTILES) {
            latency.quantile(quantile, 0.005);
        }
        segmentationSeconds = latency.register(registry);
        openConnections = Gauge.builder().name("dilation4j_connections_open")
                .help("Connections open now").withoutExemplars().register(registry);
        refusedConnections = Counter.builder().name("dilation4j_connections_refused_total")
                .help("Connections refused with 503 and closed: over --max-connections (over_limit) or for a body "
                        + "that did not fit in --max-buffered-bytes (body_budget)")
                .labelNames("reason").withoutExemplars().register(registry);
        closedConnections = Counter.builder().name("dilation4j_connections_closed_total")
                .help("Connections closed by the service: headers or body too slow, or idle too long")
                .labelNames("reason").withoutExemplars().register(registry);
        GaugeWithCallback.builder().name("dilation4j_request_body_reserved_bytes")
                .help("Bytes of memory reserved for request bodies being received")
                .callback(callback -> callback.call(bodyBudget.reserved())).register(registry);
        GaugeWithCallback.builder().name("dilation4j_request_body_budget_bytes")
                .help("Bytes of memory set aside for request bodies being received (--max-buffered-bytes)")
                .callback(callback -> callback.call(bodyBudget.limit())).register(registry);
    }

    /** A request got a segmentation slot (running or waiting). */
    void admitted() {
        inFlight.inc();
    }

    /** An admitted request ended with {@code status} after {@code nanos}. */
    void finished(int status, long nanos) {
        inFlight.dec();
        rejected(status);
        if (status == 200) {
            segmentationSeconds.observe(nanos / 1e9);
            slowestNanos.accumulate(nanos);
        }
    }

    /** A segmentation request was answered without being admitted (refused, invalid, too slow). */
    void rejected(int status) {
        answered(SEGMENT, status);
        if (status == CLIENT_CLOSED_REQUEST) {
            cancelled.inc();
        }
    }

    /** A request to another endpoint ({@code health}, {@code metrics}, {@code other}) was answered. */
    void answered(String endpoint, int status) {
        requests.labelValues(endpoint, String.valueOf(status)).inc();
    }

    void connectionOpened() {
        openConnections.inc();
    }

    void connectionClosed() {
        openConnections.dec();
    }

    void connectionRefused() {
        refusedConnections.labelValues("over_limit").inc();
    }

    /** A request was answered 503 and its connection closed: its body would not fit in the body budget. */
    void bodyBudgetRefused() {
        refusedConnections.labelValues("body_budget").inc();
    }

    void slowHeaders() {
        closedConnections.labelValues("slow_headers").inc();
    }

    void slowBody() {
        closedConnections.labelValues("slow_body").inc();
    }

    void idleClosed() {
        closedConnections.labelValues("idle").inc();
    }

    /** Every metric in the Prometheus text exposition format ({@link #PROMETHEUS_CONTENT_TYPE}). */
    byte[] prometheusText() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            textFormat.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write metrics to memory", e);
        }
        return out.toByteArray();
    }

    /** The {@code /segment} facts in the JSON shape of {@code /metrics.json}. */
    Map<String, Object> snapshot() {
        Map<String, Long> statuses = new TreeMap<>();
        long total = 0;
        for (CounterSnapshot.CounterDataPointSnapshot point : requests.collect().getDataPoints()) {
            if (SEGMENT.equals(point.getLabels().get("endpoint"))) {
                long count = (long) point.getValue();
                statuses.put(point.getLabels().get("status"), count);
                total += count;
            }
        }
        Map<String, Object> connections = new LinkedHashMap<>();
        connections.put("open", (long) openConnections.get());
        connections.put("refused_over_limit", (long) refusedConnections.labelValues("over_limit").get());
        connections.put("refused_body_budget", (long) refusedConnections.labelValues("body_budget").get());
        connections.put("closed_slow_headers", (long) closedConnections.labelValues("slow_headers").get());
        connections.put("closed_slow_body", (long) closedConnections.labelValues("slow_body").get());
        connections.put("closed_idle", (long) closedConnections.labelValues("idle").get());
        Map<String, Object> bodies = new LinkedHashMap<>();
        bodies.put("reserved_bytes", bodyBudget.reserved());
        bodies.put("budget_bytes", bodyBudget.limit());
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("requests", total);
        snapshot.put("by_status", statuses);
        snapshot.put("cancelled", (long) cancelled.get());
        snapshot.put("in_flight", (long) inFlight.get());
        snapshot.put("connections", connections);
        snapshot.put("request_bodies", bodies);
        snapshot.put("latency_ok_requests", latency());
        return snapshot;
    }

    private Map<String, Object> latency() {
        SummarySnapshot.SummaryDataPointSnapshot point = segmentationSeconds.collect().getDataPoints().get(0);
        Map<String, Object> latency = new LinkedHashMap<>();
        latency.put("count", point.getCount());
        for (Quantile quantile : point.getQuantiles()) {
            double value = quantile.getValue();
            latency.put("p" + Math.round(quantile.getQuantile() * 100) + "_ms", Double.isNaN(value) ? 0 : value * 1e3);
        }
        latency.put("max_ms", slowestNanos.get() / 1e6);
        return latency;
    }
}
