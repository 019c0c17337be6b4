package ai.dgnet.cli;

import ai.dgnet.runtime.InsufficientMemoryException;
import ai.dgnet.runtime.kernel.DgKernelsProvider;
import org.junit.jupiter.api.Test;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The one-line messages: for memory that ran out (native buffers refused, or the Java heap), for bad arguments. */
class MainTest {
    @Test
    void aRefusedBufferIsTheUsersOneLineError() {
        InsufficientMemoryException refused = new InsufficientMemoryException("cannot prepare the network for input "
                + "[2000, 3, 224, 224]", new InsufficientMemoryException("not enough memory for a buffer of 17.9 GiB",
                false));
        assertEquals("cannot prepare the network for input [2000, 3, 224, 224]: not enough memory for a buffer of "
                + "17.9 GiB", OneLineErrors.describe(refused));
    }

    @Test
    void anExhaustedHeapSaysItsLimitAndHowToRaiseIt() {
        assertEquals("out of Java heap (Java heap space, at most 512 MiB): use fewer or smaller inputs, or raise the "
                + "limit, e.g. DGNET_JAVA_OPTS=-Xmx8g", Main.outOfHeap(new OutOfMemoryError("Java heap space"),
                512L << 20));
        assertEquals("out of Java heap (Java heap space, at most 7.5 GiB): use fewer or smaller inputs, or raise the "
                + "limit, e.g. DGNET_JAVA_OPTS=-Xmx8g", Main.outOfHeap(new OutOfMemoryError("Java heap space"),
                15L << 29));
    }

    /**
     * An empty argument for a file names the working folder: {@code predict MODEL ""} classified every image there,
     * {@code infer "" ...} said ": a folder", {@code --output ""} "cannot write : it is a folder".
     */
    @Test
    void anEmptyFileArgumentIsRefusedByName() {
        String[][] commands = {
            {"infer", "", "--input", "in.safetensors", "--output", "out.safetensors"},
            {"infer", "model.safetensors", "--input", "", "--output", "out.safetensors"},
            {"infer", "model.safetensors", "--input", "in.safetensors", "--output", ""},
            {"predict", "resnet20", ""},
            {"graph", "resnet20", "", "--out", "graph.svg"},
            {"graph", "resnet20", "a.png", "--out", ""},
        };
        for (String[] command : commands) {
            CommandRun run = CommandRun.of(command);
            String message = run.err();
            assertEquals(OneLineErrors.BAD_INPUT, run.status(), String.join(" ", command) + ": " + message);
            assertEquals(1, message.lines().count(), message);
            assertTrue(message.contains("an empty name names no file"), message);
        }
    }

    /** {@code -Ddgnet.kernels=bogus} was a logged warning, and the command ran on the default kernels. */
    @Test
    void anUnknownKernelsValueIsAOneLineError() {
        String before = System.setProperty(DgKernelsProvider.PROPERTY, "bogus");
        try {
            CommandRun run = CommandRun.of("device", "--threads", "1");
            assertEquals(OneLineErrors.BAD_INPUT, run.status(), run.err());
            assertEquals("dgnet device: dgnet.kernels must be scalar or vector, got 'bogus'", run.err().strip());
        } finally {
            if (before == null) {
                System.clearProperty(DgKernelsProvider.PROPERTY);
            } else {
                System.setProperty(DgKernelsProvider.PROPERTY, before);
            }
        }
    }

    /**
     * {@code dgnet help predict}, as git and docker take it, said "Unmatched argument at index 0: 'help'", or with a
     * command after it, that the command's arguments were missing.
     */
    @Test
    void helpPrintsTheUsageOfTheCommandItNames() {
        CommandRun main = CommandRun.of("help");
        assertEquals(0, main.status(), main.err());
        assertTrue(main.out().startsWith("Usage: dgnet [-hV] [COMMAND]"), main.out());
        CommandRun predict = CommandRun.of("help", "predict");
        assertEquals(0, predict.status(), predict.err());
        assertTrue(predict.out().startsWith("Usage: dgnet predict "), predict.out());
        assertEquals("", predict.err());
        CommandRun unknown = CommandRun.of("help", "predcit");
        assertEquals(OneLineErrors.BAD_INPUT, unknown.status());
        assertEquals(1, unknown.err().lines().count(), unknown.err());
    }

    /** A mistyped command or option was refused without the name the user meant, which picocli knows. */
    @Test
    void aMistypedCommandOrOptionSuggestsTheOneMeant() {
        CommandRun command = CommandRun.of("predcit", "resnet20", "a.png");
        assertEquals(OneLineErrors.BAD_INPUT, command.status());
        assertEquals("dgnet: unknown command 'predcit'; did you mean 'predict'? (see 'dgnet --help')",
                command.err().strip());
        CommandRun option = CommandRun.of("predict", "resnet20", "a.png", "--treshold", "0.3");
        assertEquals(OneLineErrors.BAD_INPUT, option.status());
        assertEquals("dgnet predict: Unknown option: '--treshold'; did you mean '--threshold'? (see 'dgnet predict --help')",
                option.err().strip());
        CommandRun swapped = CommandRun.of("predict", "resnet20", "a.png", "--tpo=3");
        assertEquals("dgnet predict: Unknown option: '--tpo=3'; did you mean '--top'? (see 'dgnet predict --help')",
                swapped.err().strip());
        CommandRun nothingLike = CommandRun.of("predict", "resnet20", "a.png", "--zzzzzz");
        assertEquals("dgnet predict: Unknown option: '--zzzzzz' (see 'dgnet predict --help')",
                nothingLike.err().strip());
    }

    /**
     * {@code dgnet help predcit} was picocli's "Unknown subcommand 'predcit'." without the command meant, which
     * {@code dgnet predcit} names.
     */
    @Test
    void helpOnAnUnknownCommandSuggestsTheOneMeant() {
        CommandRun mistyped = CommandRun.of("help", "predcit");
        assertEquals(OneLineErrors.BAD_INPUT, mistyped.status());
        assertEquals("dgnet: unknown command 'predcit'; did you mean 'predict'? (see 'dgnet --help')",
                mistyped.err().strip());
        CommandRun unknown = CommandRun.of("help", "nosuch");
        assertEquals(OneLineErrors.BAD_INPUT, unknown.status());
        assertEquals("dgnet: unknown command 'nosuch' (see 'dgnet --help')", unknown.err().strip());
    }


    /** {@code --version}, which every subcommand's help lists, printed nothing after a subcommand's name. */
    @Test
    void everySubcommandPrintsTheVersion() {
        String expected = String.join(System.lineSeparator(), new Main.Version().getVersion()) + System.lineSeparator();
        assertTrue(expected.startsWith("dgnet "), expected);
        for (String command : Main.commandLine().getSubcommands().keySet()) {
            if (command.equals("help")) {
                // It takes command names, as git help does, not options.
                continue;
            }
            for (String option : new String[] {"--version", "-V"}) {
                CommandRun run = CommandRun.of(command, option);
                assertEquals(0, run.status(), command + " " + option);
                assertEquals(expected, run.out(), command + " " + option);
            }
        }
    }
}
