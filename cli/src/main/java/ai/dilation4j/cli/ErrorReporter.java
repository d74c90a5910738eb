package ai.dilation4j.cli;

import java.io.PrintWriter;

import ai.dilation4j.runtime.DilationException;
import picocli.CommandLine;

/**
 * Prints a failed command's message, not a stack trace: dilation4j's exceptions already say what went wrong
 * and what to do. Usage errors get one line and a pointer to {@code --help} (not the whole help) and exit code 2.
 * Unexpected exceptions keep their stack trace, since they are bugs to report.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    static final int FAILED = 1;
    static final int USAGE = 2;

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        String name = commandLine.getCommandSpec().qualifiedName();
        if (e instanceof DilationException || e instanceof java.io.IOException) {
            commandLine.getErr().println(name + ": error: " + e.getMessage());
        } else {
            commandLine.getErr().println(name + ": unexpected error: " + e);
            e.printStackTrace(commandLine.getErr());
        }
        commandLine.getErr().flush();
        return FAILED;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException e, String[] args) {
        CommandLine commandLine = e.getCommandLine();
        PrintWriter err = commandLine.getErr();
        String name = commandLine.getCommandSpec().qualifiedName();
        err.println(name + ": " + e.getMessage());
        CommandLine.UnmatchedArgumentException.printSuggestions(e, err);
        err.println("See '" + name + " --help'.");
        err.flush();
        return USAGE;
    }
}
