package ai.dilation4j.models.download;

/** Passes a transfer's progress on, at most every {@link #INTERVAL_NANOS}, and once more when it ends. */
final class ProgressMeter {

    static final long INTERVAL_NANOS = 200_000_000L;

    private final DownloadProgress listener;
    private final Source source;
    private final long startBytes;
    private final long startNanos = System.nanoTime();
    private long lastReportNanos = Long.MIN_VALUE;
    private long lastDone = -1;

    ProgressMeter(DownloadProgress listener, Source source, long startBytes) {
        this.listener = listener;
        this.source = source;
        this.startBytes = startBytes;
    }

    /** @param last whether the transfer has ended (reported even when the interval has not passed) */
    void report(long done, long total, boolean last) {
        long now = System.nanoTime();
        boolean due = lastReportNanos == Long.MIN_VALUE || now - lastReportNanos >= INTERVAL_NANOS;
        if (!due && !(last && done != lastDone)) {
            return;
        }
        lastReportNanos = now;
        lastDone = done;
        double seconds = (now - startNanos) / 1e9;
        double rate = seconds > 0 ? Math.max(0, done - startBytes) / seconds : 0;
        listener.progress(source, done, total, rate);
    }
}
