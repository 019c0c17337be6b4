package ai.dgnet.cli;

import ai.dgnet.dnnl.DnnlLibraryException;
import ai.dgnet.models.io.ModelFileException;
import ai.dgnet.runtime.InsufficientMemoryException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Command lines whose errors are one line, for {@code dgnet} and the benchmark tools alike: whatever a user passes
 * ends in a message naming the problem and a non-zero status, never a stack trace (set {@code DGNET_DEBUG=1} to see
 * one), and a bad option is its message and where the options are listed, not the whole usage screen.
 */
public final class OneLineErrors {
    /** Exit status for a bad file or argument; picocli uses the same for usage errors. */
    public static final int BAD_INPUT = 2;
    public static final int FAILURE = 1;

    private OneLineErrors() {
    }

    /** The command line of {@code command}, its errors in one line prefixed by the command's qualified name. */
    public static CommandLine commandLine(Object command) {
        CommandLine cmd = new CommandLine(command);
        // An empty argument would be the working folder: read as a model, an image folder or an output to replace.
        cmd.registerConverter(Path.class, text -> {
            if (text.isEmpty()) {
                throw new CommandLine.TypeConversionException("an empty name names no file");
            }
            return Path.of(text);
        });
        cmd.setExecutionExceptionHandler((e, failed, parseResult) -> {
            if (System.getenv("DGNET_DEBUG") != null) {
                e.printStackTrace(failed.getErr());
            }
            failed.getErr().println(failed.getCommandSpec().qualifiedName() + ": " + describe(e));
            return isUserError(e) ? BAD_INPUT : FAILURE;
        });
        cmd.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            String name = failed.getCommandSpec().qualifiedName();
            failed.getErr().println(name + ": " + String.valueOf(e.getMessage()).replace('\n', ' ')
                    + " (see '" + name + " --help')");
            return BAD_INPUT;
        });
        return cmd;
    }

    private static boolean isUserError(Throwable e) {
        return e instanceof ModelFileException || e instanceof IllegalArgumentException
                || e instanceof IOException || e instanceof UncheckedIOException
                || e instanceof InsufficientMemoryException;
    }

    /** The one line for {@code e}: its message where it names the problem, else an internal error. */
    public static String describe(Throwable e) {
        Throwable cause = e instanceof UncheckedIOException u ? u.getCause() : e;
        String message = switch (cause) {
            case NoSuchFileException f -> "no such file: " + f.getFile();
            case AccessDeniedException f -> "permission denied: " + f.getFile();
            case IOException io -> "i/o error: " + io.getMessage();
            case ModelFileException m -> m.getMessage();
            case IllegalArgumentException a -> a.getMessage();
            case IllegalStateException s -> s.getMessage();
            case DnnlLibraryException d -> d.getMessage();
            case InsufficientMemoryException m -> m.getMessage();
            default -> "internal error: " + cause + " (set DGNET_DEBUG=1 for the stack trace)";
        };
        return String.valueOf(message).replace('\n', ' ');
    }
}
