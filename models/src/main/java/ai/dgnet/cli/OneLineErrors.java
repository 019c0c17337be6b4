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
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Command lines whose errors are one line, for {@code dgnet} and the benchmark tools alike: whatever a user passes
 * ends in a message naming the problem and a non-zero status, never a stack trace (set {@code DGNET_DEBUG=1} to see
 * one), and a bad option is its message and where the options are listed, not the whole usage screen. So does an
 * output that standard output did not take.
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
        // A command run as picocli runs it, then its standard output checked: a failed write there is an error too.
        CommandLine.IExecutionStrategy run = cmd.getExecutionStrategy();
        cmd.setExecutionStrategy(parsed -> {
            int status = run.execute(parsed);
            List<CommandLine> commands = parsed.asCommandLineList();
            try {
                StandardOutput.requireWritten(commands.stream().map(CommandLine::getOut).toList());
            } catch (IOException e) {
                throw new CommandLine.ExecutionException(commands.getLast(), e.getMessage(), e);
            }
            return status;
        });
        cmd.setParameterExceptionHandler((e, args) -> {
            CommandLine failed = e.getCommandLine();
            String name = failed.getCommandSpec().qualifiedName();
            failed.getErr().println(name + ": " + usageError(e) + " (see '" + name + " --help')");
            return BAD_INPUT;
        });
        return cmd;
    }

    /** picocli's message, an unknown command named as such, and the command or option the user likely meant. */
    private static String usageError(CommandLine.ParameterException e) {
        String message = String.valueOf(e.getMessage()).replace('\n', ' ');
        String typed = unknownName(e);
        if (typed == null) {
            return message;
        }
        CommandLine.Model.CommandSpec spec = e.getCommandLine().getCommandSpec();
        List<String> names;
        if (typed.startsWith("-")) {
            typed = typed.split("=", 2)[0];
            names = spec.options().stream().filter(o -> !o.hidden()).flatMap(o -> Stream.of(o.names())).toList();
        } else if (!spec.subcommands().isEmpty()) {
            // Not "Unmatched arguments from index 0: 'predcit', 'resnet20', ...": the rest were the command's.
            message = "unknown command '" + typed + "'";
            names = List.copyOf(spec.subcommands().keySet());
        } else {
            return message;
        }
        List<String> meant = nearest(typed, names);
        return meant.isEmpty() ? message : message + "; did you mean "
                + meant.stream().map(m -> "'" + m + "'").collect(Collectors.joining(" or ")) + "?";
    }

    /**
     * The word that named no option or command, or null: the first unmatched argument, or the command that
     * {@code help} was asked about, which picocli's help command reports as "Unknown subcommand 'predcit'." with the
     * word as the exception's value.
     */
    private static String unknownName(CommandLine.ParameterException e) {
        if (e instanceof CommandLine.UnmatchedArgumentException unmatched) {
            return unmatched.getUnmatched().isEmpty() ? null : unmatched.getUnmatched().getFirst();
        }
        CommandLine.ParseResult parsed = e.getCommandLine().getParseResult();
        boolean fromHelp = parsed != null && parsed.subcommand() != null
                && parsed.subcommand().commandSpec().helpCommand();
        return fromHelp ? e.getValue() : null;
    }

    /**
     * The names a typing slip away from {@code typed}: at the least edit distance, counting a swap of two neighbours
     * as one edit, and at most one edit per four characters. picocli's own suggestions match options by their first
     * two letters, so that {@code --treshold} and {@code --tpo} got none.
     */
    private static List<String> nearest(String typed, List<String> names) {
        int most = Math.max(1, typed.length() / 4);
        int best = names.stream().mapToInt(name -> distance(typed, name)).min().orElse(Integer.MAX_VALUE);
        return best > most ? List.of() : names.stream().filter(name -> distance(typed, name) == best).toList();
    }

    /** The optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    private static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                if (i == 0 || j == 0) {
                    d[i][j] = i + j;
                    continue;
                }
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
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
