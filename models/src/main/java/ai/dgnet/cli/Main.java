package ai.dgnet.cli;

import ai.dgnet.runtime.NativeMemory;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dgnet} command. */
@Command(name = "dgnet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "DG-Net on the CPU: dynamic-graph networks on oneDNN and the Java Vector API.",
        subcommands = {DemoCommand.class, InferCommand.class, DeviceCommand.class, ModelsCommand.class,
                InfoCommand.class, PredictCommand.class, GraphCommand.class, BenchCommand.class, ServeCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        int status;
        try {
            status = commandLine().execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands errors on; the heap is what ran out here (native buffers are refused before they are
            // mapped), and the one line says how to grow it.
            System.err.println("dgnet: " + outOfHeap(e, Runtime.getRuntime().maxMemory()));
            status = OneLineErrors.FAILURE;
        }
        System.exit(status);
    }

    /** The one line for a Java heap that ran out, with the heap's limit and how to raise it. */
    static String outOfHeap(OutOfMemoryError e, long maxHeapBytes) {
        return "out of Java heap (" + e.getMessage() + ", at most " + NativeMemory.formatBytes(maxHeapBytes)
                + "): use fewer or smaller inputs, or raise the limit, e.g. DGNET_JAVA_OPTS=-Xmx8g";
    }

    /** The command line with one-line errors ({@link OneLineErrors}), and the version on every subcommand. */
    public static CommandLine commandLine() {
        CommandLine cmd = OneLineErrors.commandLine(new Main());
        // Every subcommand offers --version too, which prints nothing without the provider.
        cmd.getSubcommands().values().forEach(sub -> sub.getCommandSpec().versionProvider(new Version()));
        return cmd;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"dgnet " + (version == null ? "(development build)" : version)};
        }
    }
}
