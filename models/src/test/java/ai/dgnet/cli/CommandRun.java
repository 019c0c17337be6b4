package ai.dgnet.cli;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * One in-process run of the {@code dgnet} command: its exit status and what it wrote to each stream. Shared with the
 * tests module through this module's test jar.
 */
public record CommandRun(int status, String out, String err) {
    public static CommandRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cmd = Main.commandLine();
        cmd.setOut(new PrintWriter(out, true));
        cmd.setErr(new PrintWriter(err, true));
        int status = cmd.execute(args);
        return new CommandRun(status, out.toString(), err.toString());
    }
}
