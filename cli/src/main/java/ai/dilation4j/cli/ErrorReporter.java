package ai.dilation4j.cli;

import ai.dilation4j.runtime.DilationException;
import picocli.CommandLine;

/**
 * Prints a failed command's message, not a stack trace: dilation4j's exceptions already say what went wrong
 * and what to do. Unexpected exceptions keep their stack trace, since they are bugs to report.
 */
final class ErrorReporter implements CommandLine.IExecutionExceptionHandler {

    static final int FAILED = 1;

    @Override
    public int handleExecutionException(Exception e, CommandLine commandLine, CommandLine.ParseResult parseResult) {
        if (e instanceof DilationException || e instanceof java.io.IOException) {
            commandLine.getErr().println("dilation4j " + commandLine.getCommandName() + ": error: " + e.getMessage());
        } else {
            commandLine.getErr().println("dilation4j " + commandLine.getCommandName() + ": unexpected error: " + e);
            e.printStackTrace(commandLine.getErr());
        }
        commandLine.getErr().flush();
        return FAILED;
    }
}
