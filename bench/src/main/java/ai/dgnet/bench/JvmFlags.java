package ai.dgnet.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The JVM flags the runtime needs ({@code --add-modules=jdk.incubator.vector}, native access), for the JVMs this
 * module starts: JMH forks and the comparison harness's child processes. They live once, in the parent POM's
 * {@code dgnet.jvm.flags}; the build writes them into this module's {@code jvm.options} resource, because
 * annotations such as {@code @Fork(jvmArgsPrepend = ...)} cannot read Maven properties.
 */
final class JvmFlags {
    private static final String RESOURCE = "jvm.options";

    private JvmFlags() {
    }

    /** The flags, one list element each. */
    static List<String> get() {
        String text;
        try (InputStream in = JvmFlags.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing next to " + JvmFlags.class.getName()
                        + ": build the bench module with Maven");
            }
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + RESOURCE, e);
        }
        // An IDE that copies resources without Maven's filtering leaves the placeholder in: say so rather than
        // start JVMs with a bogus flag.
        if (text.contains("${")) {
            throw new IllegalStateException(RESOURCE + " was not filtered (holds '" + text
                    + "'): build the bench module with Maven");
        }
        return List.of(text.split("\\s+"));
    }
}
