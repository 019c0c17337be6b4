package ai.dgnet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code dgnet} command. */
@Command(name = "dgnet", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "DG-Net on the CPU: dynamic-graph networks on oneDNN and the Java Vector API.",
        subcommands = {DeviceCommand.class})
public final class Main {
    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with one-line errors: a user mistake is a message and exit status 2, not a stack trace. */
    static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new Main());
        cmd.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("dgnet: " + oneLine(e));
            return e instanceof IllegalArgumentException || e instanceof IllegalStateException ? 2 : 1;
        });
        return cmd;
    }

    private static String oneLine(Throwable e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replace('\n', ' ');
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"dgnet " + (version == null ? "(development build)" : version)};
        }
    }
}
