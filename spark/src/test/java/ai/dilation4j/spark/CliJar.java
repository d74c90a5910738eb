package ai.dilation4j.spark;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code ./dilation4j} as users run it: the CLI's shaded jar in a child JVM (the build packages the CLI before this
 * module). Its outputs are what the Spark jobs must reproduce.
 */
final class CliJar {

    record Run(int exitCode, String out, String err) {
    }

    private CliJar() {
    }

    static Run run(Path workingDirectory, String... args) throws IOException, InterruptedException {
        String jar = System.getProperty("dilation4j.cli.jar");
        assertThat(jar).as("system property dilation4j.cli.jar (set by the spark module's pom)").isNotNull();
        assertThat(Path.of(jar)).as("the CLI's jar; build it first (mvn -pl spark -am verify packages it)").exists();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-jar", jar));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("cli", ".out");
        Path err = Files.createTempFile("cli", ".err");
        try {
            Process process = new ProcessBuilder(command).directory(workingDirectory.toFile())
                    .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("dilation4j " + String.join(" ", args) + " did not finish in 5 minutes");
            }
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs and requires exit code 0. */
    static Run ok(Path workingDirectory, String... args) throws IOException, InterruptedException {
        Run run = run(workingDirectory, args);
        assertThat(run.exitCode()).as("dilation4j %s%n%s", String.join(" ", args), run.err()).isZero();
        return run;
    }
}
