package ai.dilation4j.cli;

import java.io.PrintWriter;

import ai.dilation4j.converter.api.ProgressListener;

/**
 * A one-line progress bar on the terminal: {@code Reading weights [#########.........] 52% 294/565 MB}. It draws
 * on standard error, and only when standard error is a terminal, so {@code 2> log} gets no control characters
 * while {@code > results.jsonl} still shows the bar.
 */
final class ConsoleProgress implements ProgressListener {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean enabled;
    private int lastPercent = -1;
    private String lastStep;
    private long lastDownloadMb = -1;
    /** Whether the cursor is at the end of a drawn bar, i.e. the line must be ended before other output. */
    private boolean lineOpen;

    ConsoleProgress(PrintWriter err) {
        this(err, stderrIsTerminal());
    }

    ConsoleProgress(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    /**
     * Java cannot ask isatty() directly ({@code System.console()} answers for stdin and stdout together). The
     * launcher passes the shell's {@code [ -t 1 ]} and {@code [ -t 2 ]} as {@code dilation4j.stdout.terminal} and
     * {@code dilation4j.stderr.terminal}; without them, Linux tells through the descriptor's link
     * ({@code /dev/pts/N} or {@code /dev/ttyN}).
     */
    static boolean stderrIsTerminal() {
        return isTerminal("stderr", 2);
    }

    static boolean stdoutIsTerminal() {
        return isTerminal("stdout", 1);
    }

    private static boolean isTerminal(String stream, int descriptor) {
        String told = System.getProperty("dilation4j." + stream + ".terminal");
        if (told != null) {
            return Boolean.parseBoolean(told);
        }
        try {
            String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + descriptor))
                    .toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    @Override
    public synchronized void progress(String step, long done, long total) {
        if (!enabled || total <= 0) {
            return;
        }
        int percent = (int) Math.min(100, done * 100 / total);
        if (percent == lastPercent && step.equals(lastStep)) {
            return;
        }
        lastPercent = percent;
        lastStep = step;
        int filled = percent * WIDTH / 100;
        err.printf("\r%s [%s%s] %3d%% %d/%d MB", step, "#".repeat(filled), ".".repeat(WIDTH - filled), percent,
                done >> 20, total >> 20);
        endLineIf(done >= total);
    }

    /**
     * Progress of a download: {@code Downloading [####......] 294.1/565.0 MB, 3.2 MB/s, ETA 1:25}, redrawn at most
     * once per MB; without an announced total, the MB received and the rate.
     */
    synchronized void download(String step, long done, long total, double bytesPerSecond) {
        if (!enabled || (done >> 20) == lastDownloadMb && (total < 0 || done < total)) {
            return;
        }
        lastDownloadMb = done >> 20;
        lastStep = step;
        if (total > 0) {
            int filled = (int) Math.min(WIDTH, done * WIDTH / total);
            long etaSeconds = bytesPerSecond > 0 ? (long) ((total - done) / bytesPerSecond) : -1;
            err.printf("\r%s [%s%s] %.1f/%.1f MB, %.1f MB/s, ETA %s ", step, "#".repeat(filled),
                    ".".repeat(WIDTH - filled), done / 1e6, total / 1e6, bytesPerSecond / 1e6,
                    etaSeconds < 0 ? "?" : etaSeconds / 60 + ":" + String.format("%02d", etaSeconds % 60));
        } else {
            err.printf("\r%s %.1f MB, %.1f MB/s ", step, done / 1e6, bytesPerSecond / 1e6);
        }
        endLineIf(total > 0 && done >= total);
    }

    /** Progress in items (e.g. images) with their rate: {@code Segmenting [####......] 3/10 images, 0.52/s}. */
    synchronized void items(String step, long done, long total, String unit, double perSecond) {
        if (!enabled || total <= 0) {
            return;
        }
        lastStep = step;
        int filled = (int) (done * WIDTH / total);
        err.printf("\r%s [%s%s] %d/%d %s, %.2f/s ", step, "#".repeat(filled), ".".repeat(WIDTH - filled), done, total,
                unit, perSecond);
        endLineIf(done >= total);
    }

    private synchronized void endLineIf(boolean finished) {
        lineOpen = !finished;
        if (finished) {
            err.println();
        }
        err.flush();
    }

    /** Ends a bar's line, if one is drawn, so whatever is printed next starts on a line of its own. */
    synchronized void interrupt() {
        if (lineOpen) {
            err.println();
            err.flush();
            lineOpen = false;
        }
    }

    /** Shows a step that has no measurable progress. */
    @Override
    public synchronized void step(String text) {
        if (enabled) {
            err.println(text + "...");
            err.flush();
        }
    }
}
