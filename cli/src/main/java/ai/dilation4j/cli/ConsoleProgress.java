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

    /** Shows a step that has no measurable progress. */
    void step(String text) {
        if (enabled) {
            err.println(text + "...");
            err.flush();
        }
    }
}
