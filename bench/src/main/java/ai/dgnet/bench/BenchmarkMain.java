package ai.dgnet.bench;

import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The benchmarks jar's entry point: JMH's own command line ({@code -h} lists it), with the runtime's JVM flags
 * put in front of every fork's arguments. JMH's {@code Main} would give forks only the flags of the JVM that
 * launched it, so a plain {@code java -jar benchmarks.jar} would measure the scalar fallback kernels.
 */
public final class BenchmarkMain {
    private BenchmarkMain() {
    }

    public static void main(String[] args) throws IOException, RunnerException {
        CommandLineOptions cmd;
        try {
            cmd = new CommandLineOptions(args);
        } catch (CommandLineOptionException e) {
            System.err.println("Error parsing command line: " + e.getMessage());
            System.exit(1);
            return;
        }
        if (cmd.shouldHelp() || cmd.shouldList() || cmd.shouldListWithParams() || cmd.shouldListProfilers()
                || cmd.shouldListResultFormats()) {
            org.openjdk.jmh.Main.main(args);
            return;
        }
        try {
            new Runner(withJvmFlags(new OptionsBuilder().parent(cmd), cmd.getJvmArgsPrepend().orElse(List.of()))
                    .build()).run();
        } catch (NoBenchmarksException e) {
            System.err.println("No matching benchmarks: check the regular expressions (-l lists the benchmarks).");
            System.exit(1);
        }
    }

    /**
     * {@code options} with the runtime's JVM flags ahead of {@code prepend}: an option set here replaces the
     * parent's, so a user's {@code -jvmArgsPrepend} is passed in to be kept.
     */
    static ChainedOptionsBuilder withJvmFlags(ChainedOptionsBuilder options, Collection<String> prepend) {
        List<String> args = new ArrayList<>(JvmFlags.get());
        args.addAll(prepend);
        return options.jvmArgsPrepend(args.toArray(String[]::new));
    }
}
