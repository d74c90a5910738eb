package ai.dilation4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Out-of-range {@code serve} options are usage errors: exit 2 with one line naming the option, its range and the
 * value given, no stack trace, and nothing loaded (the model file named does not exist).
 */
class ServeCommandTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "--threads|0|--threads must be between 1 and 64 (got 0)",
            "--threads|-3|--threads must be between 1 and 64 (got -3)",
            "--threads|100000|--threads must be between 1 and 64 (got 100000)",
            "--queue|-1|--queue must be between 0 and 1024 (got -1)",
            "--port|70000|--port must be between 0 and 65535 (got 70000)",
            "--tile-batch|0|--tile-batch must be between 1 and 64 (got 0)",
            "--max-bytes|0|--max-bytes must be between 1 and 1073741824 (got 0)",
            "--max-pixels|0|--max-pixels must be at least 1 (got 0)",
            "--max-aspect-ratio|0.5|--max-aspect-ratio must be at least 1 (got 0.5)",
            "--max-connections|0|--max-connections must be between 1 and 65535 (got 0)",
            "--max-buffered-bytes|0|--max-buffered-bytes must be between 1 and 1099511627776 (got 0)",
            "--max-buffered-bytes|1000000|--max-buffered-bytes (1000000) must be at least --max-bytes (67108864)",
            "--header-timeout|0|--header-timeout must be between 1 and 3600 (got 0)",
            "--body-timeout|-5|--body-timeout must be between 1 and 3600 (got -5)",
            "--idle-timeout|7200|--idle-timeout must be between 1 and 3600 (got 7200)"})
    void outOfRangeOptionsAreUsageErrors(String option, String value, String message) {
        CliRun run = CliRun.of("serve", "--model", "no-such-model.zip", option, value);
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().lines().findFirst()).as(run.toString()).hasValueSatisfying(
                line -> assertThat(line).contains(message));
        assertThat(run.err()).as("no stack trace").doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void theBodyBudgetIsCheckedAgainstTheBodyLimitGiven() {
        CliRun run = CliRun.of("serve", "--model", "no-such-model.zip", "--max-bytes", "2000000",
                "--max-buffered-bytes", "1999999");
        assertThat(run.exitCode()).as(run.toString()).isEqualTo(2);
        assertThat(run.err().lines().findFirst()).as(run.toString()).hasValueSatisfying(line -> assertThat(line)
                .contains("--max-buffered-bytes (1999999) must be at least --max-bytes (2000000)"));
        CliRun fits = CliRun.of("serve", "--model", "no-such-model.zip", "--max-bytes", "2000000",
                "--max-buffered-bytes", "2000000");
        assertThat(fits.exitCode()).as("the options pass, then the missing model fails: " + fits).isEqualTo(1);
    }

    @Test
    void helpStatesTheLimitsAndTimeouts() {
        CliRun help = CliRun.of("serve", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out().replaceAll("\\s+", " ")).contains("1 to 64", "own network graph", "0 to 1024",
                "--max-connections", "--header-timeout", "--body-timeout", "--idle-timeout", "408",
                "cancels its segmentation", "--max-buffered-bytes", "does not fit gets 503 at once");
    }
}
