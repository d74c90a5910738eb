package ai.dilation4j.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dilation4j} command line. */
@Command(name = "dilation4j",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Semantic segmentation with Caffe DilatedNet models on DL4J: convert Caffe models to DL4J, "
                + "inspect them and run them.",
        subcommands = {ConvertCommand.class, ExportCommand.class, InspectCommand.class, ForwardCommand.class,
                SegmentCommand.class, EvaluateCommand.class, TrainCommand.class, BenchCommand.class, InfoCommand.class, FetchCommand.class, ServeCommand.class,
                RandomWeightsCommand.class, CommandLine.HelpCommand.class},
        footer = {"", "Exit codes: 0 success, 1 the command failed (the message says why), 2 invalid usage."})
public final class Main implements java.util.concurrent.Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line in-process and returns its exit code. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line, for running it in-process. */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Main());
        ErrorReporter reporter = new ErrorReporter();
        commandLine.setExecutionExceptionHandler(reporter);
        commandLine.setParameterExceptionHandler(reporter);
        return commandLine;
    }

    /** Without a command there is nothing to do: the usage goes to stderr, as for any other usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ErrorReporter.USAGE;
    }
}
