package ai.dilation4j.cli;

import java.io.PrintWriter;

import ai.dilation4j.converter.ProgressListener;

/**
 * A one-line progress bar on the terminal: {@code Reading weights [#########.........] 52% 294/565 MB}. It draws
 * only when standard error is a terminal, so logs and pipes get no control characters.
 */
final class ConsoleProgress implements ProgressListener {

    private static final int WIDTH = 30;

    private final PrintWriter err;
    private final boolean enabled;
    private int lastPercent = -1;
    private String lastStep;

    ConsoleProgress(PrintWriter err) {
        this(err, System.console() != null);
    }

    ConsoleProgress(PrintWriter err, boolean enabled) {
        this.err = err;
        this.enabled = enabled;
    }

    @Override
    public void progress(String step, long done, long total) {
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
        if (done >= total) {
            err.println();
        }
        err.flush();
    }

    /** Progress in items (e.g. images) with their rate: {@code Segmenting [####......] 3/10 images, 0.52/s}. */
    void items(String step, long done, long total, String unit, double perSecond) {
        if (!enabled || total <= 0) {
            return;
        }
        lastStep = step;
        int filled = (int) (done * WIDTH / total);
        err.printf("\r%s [%s%s] %d/%d %s, %.2f/s ", step, "#".repeat(filled), ".".repeat(WIDTH - filled), done, total,
                unit, perSecond);
        if (done >= total) {
            err.println();
        }
        err.flush();
    }

    /** Ends the current line, so a message printed next starts on a line of its own. */
    void interrupt() {
        if (enabled && lastStep != null) {
            err.println();
        }
    }

    /** Shows a step that has no measurable progress. */
    void step(String text) {
        if (enabled) {
            err.println(text + "...");
            err.flush();
        }
    }
}
