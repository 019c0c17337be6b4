package ai.dgnet.server;

import ai.dgnet.models.DgModel;
import ai.dgnet.models.io.ModelFileException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The server's models by name: those it was started with, and, where it has a model repository, one per model file in
 * that directory, as Triton's explicit model control has them. The directory is listed again at each {@link #scan}:
 * a file added since is a model not loaded; one removed takes its model out once that is neither loaded nor loading
 * (a loaded model serves on from the file it has mapped). A model started with keeps its name: a file of that name is
 * not listed.
 *
 * <p>A client names a model, never a file: a name is only matched against such a listing, whose names are model
 * names ({@link InferenceServer#isModelName}: no '/', no "..") taken from the directory's own entries. A file that is
 * a link is listed and opened only where it leads to a file inside the directory, checked again at each load, so that
 * the repository gives no way to files elsewhere.
 */
final class ModelSlots {
    private static final Comparator<ModelSlot> BY_NAME = Comparator.comparing(ModelSlot::name);

    /** Every model by name, read by requests without a lock; changed by {@link #scan} alone, under this. */
    private final Map<String, ModelSlot> slots = new ConcurrentHashMap<>();
    /** The models the server was started with, in their order. */
    private final List<ModelSlot> started;
    /** The model repository, or null where the server has none. */
    private final Path directory;
    /** Makes the slot of a model of the directory, whose source opens its file. */
    private final BiFunction<String, Supplier<DgModel>, ModelSlot> slotOf;
    /** Whether the server stops: no model is added any more. Guarded by this. */
    private boolean closed;

    /**
     * The models {@code started} (in their order) and those of {@code directory}, null for none.
     *
     * @throws IllegalArgumentException where {@code directory} is no directory, or cannot be listed
     */
    ModelSlots(Map<String, ModelSlot> started, Path directory,
               BiFunction<String, Supplier<DgModel>, ModelSlot> slotOf) {
        this.started = List.copyOf(started.values());
        this.directory = directory;
        this.slotOf = slotOf;
        slots.putAll(started);
        if (directory != null) {
            try {
                add(list());
            } catch (IOException e) {
                throw new IllegalArgumentException("model repository " + directory + ": " + why(e), e);
            }
        }
    }

    /** The model named {@code name}, as last listed, or null. */
    ModelSlot find(String name) {
        return slots.get(name);
    }

    /** Every model, as last listed: those the server was started with in their order, then the others by name. */
    List<ModelSlot> all() {
        return Stream.concat(started.stream(), slots.values().stream().filter(this::fromDirectory)
                .sorted(BY_NAME)).toList();
    }

    /** The names of every model, as last listed, sorted. */
    List<String> names() {
        return slots.keySet().stream().sorted().toList();
    }

    /** Whether the server has a model repository. */
    boolean hasRepository() {
        return directory != null;
    }

    /**
     * Lists the model repository again, where the server has one, and returns every model, sorted by name; a 500
     * where the directory cannot be listed any more.
     */
    synchronized List<ModelSlot> scan() {
        if (directory != null && !closed) {
            Set<String> listed;
            try {
                listed = list();
            } catch (IOException e) {
                throw new RequestException(500, "cannot list the model repository " + directory + ": " + why(e));
            }
            add(listed);
            // A model whose file is gone leaves once it is not loaded: the next listing after its unload.
            slots.values().removeIf(slot -> fromDirectory(slot) && !listed.contains(slot.name()) && slot.retire());
        }
        return slots.values().stream().sorted(BY_NAME).toList();
    }

    /** Every model, none added from now on: the server stops them. */
    synchronized List<ModelSlot> close() {
        closed = true;
        return all();
    }

    /** Whether {@code slot} is a model of the model repository, not one the server was started with. */
    boolean fromDirectory(ModelSlot slot) {
        return !started.contains(slot);
    }

    private void add(Set<String> listed) {
        listed.forEach(name -> slots.computeIfAbsent(name, n -> slotOf.apply(n, () -> open(n))));
    }

    /**
     * The names of the directory's model files: its regular files named {@code NAME.safetensors}, links to such files
     * inside it included; files whose name is no model name are left out, as are links that lead out of the directory.
     */
    private Set<String> list() throws IOException {
        Set<String> names = new HashSet<>();
        Path real = directory.toRealPath();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(directory, "*" + DgModel.FILE_EXTENSION)) {
            for (Path file : entries) {
                String fileName = file.getFileName().toString();
                String name = fileName.substring(0, fileName.length() - DgModel.FILE_EXTENSION.length());
                if (InferenceServer.isModelName(name) && Files.isRegularFile(file) && inside(file, real)) {
                    names.add(name);
                }
            }
        } catch (DirectoryIteratorException e) {
            throw e.getCause();
        }
        return names;
    }

    /** Why the directory cannot be listed, in words: the message of a file system error may be its path alone. */
    private static String why(IOException e) {
        return switch (e) {
            case NoSuchFileException n -> "no such directory";
            case NotDirectoryException n -> "not a directory";
            case AccessDeniedException a -> "permission denied";
            default -> e.toString();
        };
    }

    /** Whether {@code file}, followed through its links, is in {@code realDirectory}; false where it is gone. */
    private static boolean inside(Path file, Path realDirectory) {
        try {
            return file.toRealPath().startsWith(realDirectory);
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Opens the model file of {@code name}, a name the listing gave: the file the link leads to where it is one, read
     * anew at each load, as long as it is inside the directory.
     */
    private DgModel open(String name) {
        Path file = directory.resolve(name + DgModel.FILE_EXTENSION);
        Path real;
        try {
            real = file.toRealPath();
            if (!real.startsWith(directory.toRealPath())) {
                throw ModelFileException.of(file, "a link to " + real + ", outside the model repository: not loaded");
            }
        } catch (NoSuchFileException e) {
            throw ModelFileException.of(file, "no such file");
        } catch (IOException e) {
            throw ModelFileException.of(file, "cannot read: " + e);
        }
        return DgModel.load(real);
    }
}
