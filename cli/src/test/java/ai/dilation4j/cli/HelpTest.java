package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** Every command's --help documents every one of its options and parameters. */
class HelpTest {

    @Test
    void everyOptionOfEveryCommandIsDescribed() {
        CommandLine root = Main.commandLine();
        assertThat(root.getSubcommands()).containsKeys("convert", "export", "inspect", "forward", "segment", "evaluate",
                "train", "fetch", "random-weights");
        root.getSubcommands().forEach((name, command) -> {
            for (OptionSpec option : command.getCommandSpec().options()) {
                assertThat(String.join(" ", option.description())).as(name + " " + option.longestName()).isNotBlank();
            }
            command.getCommandSpec().positionalParameters().forEach(parameter -> assertThat(
                    String.join(" ", parameter.description())).as(name + " " + parameter.paramLabel()).isNotBlank());
            // picocli formats descriptions: a bare % (e.g. "98% of pixels") makes it warn on System.err and print the
            // text unformatted
            PrintStream systemErr = System.err;
            ByteArrayOutputStream warnings = new ByteArrayOutputStream();
            CliRun help;
            try {
                System.setErr(new PrintStream(warnings, true, StandardCharsets.UTF_8));
                help = CliRun.of(name, "--help");
            } finally {
                System.setErr(systemErr);
            }
            assertThat(warnings.toString(StandardCharsets.UTF_8)).as(name + " --help").doesNotContain("picocli WARN");
            assertThat(help.exitCode()).isZero();
            for (OptionSpec option : command.getCommandSpec().options()) {
                assertThat(help.out()).as(name + " --help").contains(option.longestName());
            }
        });
    }
}
