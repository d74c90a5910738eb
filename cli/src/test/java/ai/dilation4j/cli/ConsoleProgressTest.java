package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;

import org.junit.jupiter.api.Test;

class ConsoleProgressTest {

    @Test
    void drawsOneUpdatingLineOnATerminal() {
        StringWriter text = new StringWriter();
        ConsoleProgress progress = new ConsoleProgress(new PrintWriter(text), true);
        progress.progress("Reading weights", 0, 4L << 20);
        progress.progress("Reading weights", 1L << 20, 4L << 20);
        progress.progress("Reading weights", 1L << 20, 4L << 20);
        progress.progress("Reading weights", 4L << 20, 4L << 20);
        assertThat(text.toString()).isEqualTo(
                "\rReading weights [..............................]   0% 0/4 MB"
                        + "\rReading weights [#######.......................]  25% 1/4 MB"
                        + "\rReading weights [##############################] 100% 4/4 MB" + System.lineSeparator());
    }

    @Test
    void staysSilentWhenNotATerminal() {
        StringWriter text = new StringWriter();
        ConsoleProgress progress = new ConsoleProgress(new PrintWriter(text), false);
        progress.progress("Reading weights", 1, 2);
        progress.step("Saving");
        assertThat(text.toString()).isEmpty();
    }
}
