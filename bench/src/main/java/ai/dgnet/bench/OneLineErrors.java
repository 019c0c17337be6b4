package ai.dgnet.bench;

import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * The harness's command lines with errors in one line, as {@code dgnet}'s: a bad option is its message and where the
 * options are listed, not the whole usage screen; what fails later is its message, not a stack trace (set
 * {@code DGNET_DEBUG=1} to see one).
 */
final class OneLineErrors {
    /** Exit status for a bad option, file or input; picocli uses the same for usage errors. */
    static final int BAD_INPUT = 2;
    static final int FAILURE = 1;

    private OneLineErrors() {
    }

    static CommandLine commandLine(Object command) {
        CommandLine cmd = new CommandLine(command);
        cmd.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            String name = failed.getCommandSpec().qualifiedName();
            failed.getErr().println(name + ": " + String.valueOf(e.getMessage()).replace('\n', ' ') + " (see '"
                    + name + " --help')");
            return BAD_INPUT;
        });
        cmd.setExecutionExceptionHandler((e, failed, parseResult) -> {
            if (System.getenv("DGNET_DEBUG") != null) {
                e.printStackTrace(failed.getErr());
            }
            failed.getErr().println(failed.getCommandSpec().qualifiedName() + ": " + describe(e));
            return e instanceof IllegalArgumentException || e instanceof IOException
                    || e instanceof UncheckedIOException ? BAD_INPUT : FAILURE;
        });
        return cmd;
    }

    static String describe(Throwable e) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        String message = switch (cause) {
            case NoSuchFileException f -> "no such file: " + f.getFile();
            case AccessDeniedException f -> "permission denied: " + f.getFile();
            case FileSystemException f -> f.getFile() + ": " + f.getReason();
            case IOException io -> "i/o error: " + io.getMessage();
            default -> cause.getMessage() != null ? cause.getMessage() : cause.toString();
        };
        return message.replace('\n', ' ');
    }
}
