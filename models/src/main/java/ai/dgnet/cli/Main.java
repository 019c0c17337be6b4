package ai.dgnet.cli;

import ai.dgnet.dnnl.DnnlLibraryException;
import ai.dgnet.models.io.ModelFileException;
import ai.dgnet.runtime.InsufficientMemoryException;
import ai.dgnet.runtime.NativeMemory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** The {@code dgnet} command. */
@Command(name = "dgnet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "DG-Net on the CPU: dynamic-graph networks on oneDNN and the Java Vector API.",
        subcommands = {DemoCommand.class, InferCommand.class, DeviceCommand.class, ModelsCommand.class,
                InfoCommand.class, PredictCommand.class, GraphCommand.class, BenchCommand.class, ServeCommand.class})
public final class Main {
    /** Exit status for a bad file or argument; picocli uses the same for usage errors. */
    static final int BAD_INPUT = 2;
    static final int FAILURE = 1;

    public static void main(String[] args) {
        int status;
        try {
            status = commandLine().execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands errors on; the heap is what ran out here (native buffers are refused before they are
            // mapped), and the one line says how to grow it.
            System.err.println("dgnet: " + outOfHeap(e, Runtime.getRuntime().maxMemory()));
            status = FAILURE;
        }
        System.exit(status);
    }

    /** The one line for a Java heap that ran out, with the heap's limit and how to raise it. */
    static String outOfHeap(OutOfMemoryError e, long maxHeapBytes) {
        return "out of Java heap (" + e.getMessage() + ", at most " + NativeMemory.formatBytes(maxHeapBytes)
                + "): use fewer or smaller inputs, or raise the limit, e.g. DGNET_JAVA_OPTS=-Xmx8g";
    }

    /**
     * The command line with one-line errors: whatever a user passes ends in a message naming the problem and a
     * non-zero status, never a stack trace (set {@code DGNET_DEBUG=1} to see one).
     */
    public static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Main());
        // Every subcommand offers --version too, which prints nothing without the provider.
        cmd.getSubcommands().values().forEach(sub -> sub.getCommandSpec().versionProvider(new Version()));
        // An empty argument would be the working folder: read as a model, an image folder or an output to replace.
        cmd.registerConverter(Path.class, text -> {
            if (text.isEmpty()) {
                throw new CommandLine.TypeConversionException("an empty name names no file");
            }
            return Path.of(text);
        });
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (System.getenv("DGNET_DEBUG") != null) {
                e.printStackTrace(commandLine.getErr());
            }
            commandLine.getErr().println("dgnet " + parseResult.subcommand().commandSpec().name() + ": "
                    + describe(e));
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

    static String describe(Throwable e) {
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

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"dgnet " + (version == null ? "(development build)" : version)};
        }
    }
}
