package ai.dgnet.dnnl;

import ai.dgnet.dnnl.c.dnnl_version_t;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static ai.dgnet.dnnl.c.dnnl_config_h.DNNL_RUNTIME_NONE;
import static ai.dgnet.dnnl.c.dnnl_config_h.DNNL_RUNTIME_OMP;
import static ai.dgnet.dnnl.c.dnnl_config_h.DNNL_RUNTIME_SEQ;
import static ai.dgnet.dnnl.c.dnnl_config_h.DNNL_RUNTIME_TBB;
import static ai.dgnet.dnnl.c.dnnl_config_h.DNNL_RUNTIME_THREADPOOL;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

/**
 * Finds and loads oneDNN ({@code libdnnl.so.3}) once per JVM for the bindings in {@code ai.dgnet.dnnl.c}.
 *
 * <p>Where the library comes from:
 * <ul>
 *   <li>If the environment variable {@value #LIBRARY_ENV} is set, it is the path of an installed
 *       {@code libdnnl.so.3}; the system loader finds its threading runtime the usual way (its RUNPATH,
 *       {@code LD_LIBRARY_PATH}, {@code ld.so.cache}).</li>
 *   <li>Otherwise the {@code libdnnl.so.3} and {@code libgomp.so.1} bundled in
 *       {@code org.bytedeco:dnnl:<version>:linux-x86_64} are copied once into
 *       {@code $XDG_CACHE_HOME/dgnet/natives/dnnl-<version>/} ({@code ~/.cache/dgnet/...} by default; the system
 *       property {@value #CACHE_DIR_PROPERTY} replaces {@code $XDG_CACHE_HOME/dgnet}) and loaded from there. Only
 *       their files are used, never the JavaCPP classes of that artifact.</li>
 * </ul>
 *
 * <p>Every symbol, {@code omp_*} included, is looked up through libdnnl's own handle: {@code dlsym} on a library
 * handle searches that library and then the libraries it links, so {@code omp_set_num_threads} resolves in the
 * OpenMP runtime libdnnl actually calls, whichever of the two sources it came from. The loader lookup
 * ({@code System.load}ed libraries only) and the linker's default lookup (the C library only) would not find it.
 *
 * <p>Failures are {@link DnnlLibraryException}s whose message says what to do. The bindings resolve their symbols
 * in the static initializers of per-function holder classes, as jextract's do, so a failure first met there
 * reaches the caller wrapped in an {@link ExceptionInInitializerError}; calling {@link #lookup()} once before the
 * first binding (when the engine is created) reports it unwrapped.
 */
public final class DnnlLibrary {
    /** Environment variable naming an installed {@code libdnnl.so.3} to use instead of the bundled one. */
    public static final String LIBRARY_ENV = "DGNET_DNNL_LIBRARY";
    /** System property naming the cache root to use instead of {@code $XDG_CACHE_HOME/dgnet}. */
    public static final String CACHE_DIR_PROPERTY = "dgnet.cache.dir";

    static final String DNNL_FILE = "libdnnl.so.3";
    static final String GOMP_FILE = "libgomp.so.1";
    static final String RESOURCE_DIR = "org/bytedeco/dnnl/linux-x86_64/";
    /** The bindings are written against the oneDNN 3 headers; v2 has another ABI (memory descriptors by value). */
    private static final int REQUIRED_MAJOR = 3;
    /** What follows the prefix in the name of a staging or moved-aside folder: the pid of its process, a number. */
    private static final Pattern LEFTOVER_SUFFIX = Pattern.compile("(\\d{1,18})-\\d+");
    /**
     * How long a leftover whose process is not alive here stays untouched before it is removed. An extraction
     * writes its files within seconds; the wait covers a cache shared with other machines or containers, whose
     * processes this one cannot see.
     */
    private static final Duration ABANDONED_AFTER = Duration.ofMinutes(10);
    /** What follows the prefix in the name of a staging folder of the versions that did not name it with a pid. */
    private static final Pattern PIDLESS_SUFFIX = Pattern.compile("\\d{1,20}");
    /**
     * How long a staging folder without a pid stays untouched before it is removed. Nothing tells whether its process
     * lives, and one that is stopped rather than dead (suspended from its terminal, a frozen container, a machine
     * asleep) may resume and rename it into place after hours; all a longer wait costs is the disk the copy holds
     * meanwhile, about 100 MB.
     */
    private static final Duration PIDLESS_ABANDONED_AFTER = Duration.ofDays(1);

    private static final System.Logger LOG = System.getLogger(DnnlLibrary.class.getName());

    private DnnlLibrary() {
    }

    /** The symbols of the loaded libdnnl and of the libraries it links (its OpenMP runtime among them). */
    public static SymbolLookup lookup() {
        return loaded().lookup();
    }

    /** The {@code libdnnl.so.3} file that was loaded. */
    public static Path libraryPath() {
        return loaded().path();
    }

    /** The version the loaded library reports, with its CPU threading runtime: {@code 3.13.0 (cpu runtime: OMP)}. */
    public static String version() {
        return loaded().version();
    }

    /** The address of {@code symbol}, for the holder classes of the bindings. */
    public static MemorySegment findOrThrow(String symbol) {
        Loaded library = loaded();
        return library.lookup().find(symbol).orElseThrow(() -> new DnnlLibraryException(
                "symbol " + symbol + " not found in " + library.path() + " (oneDNN " + library.version()
                        + ") or the libraries it links: " + remedy(library.fromEnvironment())));
    }

    record Loaded(Path path, SymbolLookup lookup, String version, boolean fromEnvironment) {
    }

    /** Class initialization loads once and thread-safely, on first use; a failure is kept for every later caller. */
    private static final class Holder {
        static final Loaded LOADED;
        static final DnnlLibraryException FAILURE;

        static {
            Loaded loaded = null;
            DnnlLibraryException failure = null;
            try {
                loaded = load();
            } catch (DnnlLibraryException e) {
                failure = e;
            } catch (RuntimeException e) {
                // Kept like the expected failures, so no caller ever meets a NoClassDefFoundError of this holder.
                failure = new DnnlLibraryException("unexpected failure loading oneDNN (" + e + "): set " + LIBRARY_ENV
                        + " to the libdnnl.so.3 of an installed oneDNN 3.x, and report this", e);
            }
            LOADED = loaded;
            FAILURE = failure;
        }
    }

    private static Loaded loaded() {
        if (Holder.FAILURE != null) {
            // A fresh exception gives each caller its own stack trace; the cause keeps the one of the first attempt.
            throw new DnnlLibraryException(Holder.FAILURE.getMessage(), Holder.FAILURE);
        }
        return Holder.LOADED;
    }

    private static Loaded load() {
        String configured = System.getenv(LIBRARY_ENV);
        Loaded loaded;
        if (configured == null || configured.isBlank()) {
            loaded = loadBundled(cacheRoot());
        } else {
            try {
                loaded = loadSystem(Path.of(configured));
            } catch (InvalidPathException e) {
                throw new DnnlLibraryException(LIBRARY_ENV + "='" + configured + "' is not a valid path: "
                        + remedy(true), e);
            }
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "oneDNN " + loaded.version() + " from " + loaded.path());
        return loaded;
    }

    /** Loads an installed libdnnl, as {@value #LIBRARY_ENV} asks. */
    static Loaded loadSystem(Path library) {
        if (!Files.isRegularFile(library)) {
            throw new DnnlLibraryException(LIBRARY_ENV + "=" + library + " is not a file: " + remedy(true));
        }
        SymbolLookup dnnl = open(library, "check that it is a 64-bit Linux libdnnl.so.3 and that the libraries it"
                + " links (its OpenMP runtime) are on the loader path, or unset " + LIBRARY_ENV
                + " to use the bundled oneDNN");
        return verified(library, dnnl, true);
    }

    /** Loads the bundled libdnnl from the cache under {@code cacheRoot}, copying it there first if needed. */
    static Loaded loadBundled(Path cacheRoot) {
        Path folder = extract(cacheRoot);
        try {
            return loadFrom(folder, "replacing the copy in " + folder + " with a fresh one");
        } catch (DnnlLibraryException e) {
            if (e.getCause() instanceof IllegalCallerException) {
                throw e;
            }
            // The copy has the sizes of the bundled libraries (extract checked them) yet does not load: damaged in
            // place (bytes overwritten, a disk error). Its files are not rewritten, as other processes may have them
            // mapped; the folder goes aside and a fresh copy takes its place, once.
            LOG.log(System.Logger.Level.WARNING, e::getMessage);
            try {
                discard(folder);
            } catch (IOException io) {
                throw new DnnlLibraryException("the copy of oneDNN in " + folder + " does not load and cannot be "
                        + "replaced (" + io + "): set -D" + CACHE_DIR_PROPERTY + " to a writable folder, or "
                        + LIBRARY_ENV + " to the libdnnl.so.3 of an installed oneDNN 3.x", e);
            }
        }
        Path fresh = extract(cacheRoot);
        return loadFrom(fresh, "a fresh copy of the bundled oneDNN in " + fresh + " does not load either: set "
                + LIBRARY_ENV + " to the libdnnl.so.3 of an installed oneDNN 3.x");
    }

    private static Loaded loadFrom(Path folder, String hint) {
        // libgomp first: libdnnl names it by soname only, LD_LIBRARY_PATH is searched before libdnnl's RUNPATH, and
        // the loader reuses a soname already loaded, so this binds libdnnl to the runtime it was built with.
        open(folder.resolve(GOMP_FILE), hint);
        Path library = folder.resolve(DNNL_FILE);
        return verified(library, open(library, hint), false);
    }

    @SuppressWarnings("restricted")
    private static SymbolLookup open(Path library, String hint) {
        try {
            // The global arena never unloads: every downcall handle keeps raw addresses into the library.
            return SymbolLookup.libraryLookup(library, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new DnnlLibraryException("cannot load " + library + ": " + hint, e);
        } catch (IllegalCallerException e) {
            throw new DnnlLibraryException("native access is disabled for dgnet: run java with"
                    + " --enable-native-access=ALL-UNNAMED (or the name of the module that holds dgnet)", e);
        }
    }

    /** Asks the library its version, before any binding may use it; the bindings are not usable yet here. */
    @SuppressWarnings("restricted")
    private static Loaded verified(Path library, SymbolLookup lookup, boolean fromEnvironment) {
        MemorySegment versionFunction = lookup.find("dnnl_version").orElseThrow(() -> new DnnlLibraryException(
                library + " has no dnnl_version symbol, so it is not oneDNN: " + remedy(fromEnvironment)));
        MethodHandle dnnlVersion = Linker.nativeLinker().downcallHandle(versionFunction,
                FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(dnnl_version_t.layout())));
        MemorySegment info;
        try {
            info = (MemorySegment) dnnlVersion.invokeExact();
        } catch (Error | RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new AssertionError("should not reach here", e);
        }
        int major = dnnl_version_t.major(info);
        String number = major + "." + dnnl_version_t.minor(info) + "." + dnnl_version_t.patch(info);
        if (major != REQUIRED_MAJOR) {
            throw new DnnlLibraryException(library + " is oneDNN " + number + " but dgnet needs oneDNN "
                    + REQUIRED_MAJOR + ".x: " + remedy(fromEnvironment));
        }
        String version = number + " (cpu runtime: " + runtimeName(dnnl_version_t.cpu_runtime(info)) + ")";
        return new Loaded(library, lookup, version, fromEnvironment);
    }

    private static String runtimeName(int runtime) {
        Map<Integer, String> names = Map.of(DNNL_RUNTIME_NONE(), "NONE", DNNL_RUNTIME_SEQ(), "SEQ",
                DNNL_RUNTIME_OMP(), "OMP", DNNL_RUNTIME_TBB(), "TBB", DNNL_RUNTIME_THREADPOOL(), "THREADPOOL");
        return names.getOrDefault(runtime, "0x" + Integer.toHexString(runtime));
    }

    private static String remedy(boolean fromEnvironment) {
        return fromEnvironment
                ? "set " + LIBRARY_ENV + " to the libdnnl.so.3 of an installed oneDNN 3.x built with the OpenMP CPU"
                        + " runtime, or unset it to use the bundled oneDNN"
                : "put org.bytedeco:dnnl:" + bundledVersion() + ":linux-x86_64 on the classpath, or set "
                        + LIBRARY_ENV + " to the libdnnl.so.3 of an installed oneDNN 3.x";
    }

    static Path cacheRoot() {
        return cacheRoot(System.getProperty(CACHE_DIR_PROPERTY), System::getenv, System.getProperty("user.home"));
    }

    /**
     * The cache folder from the {@code dgnet.cache.dir} setting, else the XDG base directory spec's
     * {@code $XDG_CACHE_HOME}, else {@code $HOME/.cache}. {@code userHome} (Java's {@code user.home}, which comes
     * from the password file, not {@code $HOME}) stands in only where {@code HOME} is unset: a user who points
     * {@code HOME} elsewhere expects the cache to follow it, as every XDG program's does.
     */
    static Path cacheRoot(String override, UnaryOperator<String> environment, String userHome) {
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        // The spec says to ignore relative paths in these variables.
        String xdg = absoluteOrNull(environment.apply("XDG_CACHE_HOME"));
        if (xdg != null) {
            return Path.of(xdg, "dgnet");
        }
        String home = absoluteOrNull(environment.apply("HOME"));
        return Path.of(home != null ? home : userHome, ".cache", "dgnet");
    }

    private static String absoluteOrNull(String path) {
        return path != null && !path.isBlank() && Path.of(path).isAbsolute() ? path : null;
    }

    /**
     * The folder under {@code cacheRoot} holding complete copies of the bundled libraries, copying them there first
     * if needed. Safe when several threads or processes do it at once: each copies into its own staging folder beside
     * the target and renames it into place, and {@code rename(2)} of a folder is atomic, so the target is either
     * absent or whole. A loser's rename fails and it uses the winner's folder. A staging folder is named with the
     * pid of its process, so that one left by a killed process is removed by a later extraction.
     */
    static Path extract(Path cacheRoot) {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new DnnlLibraryException("the bundled oneDNN is for linux-x86_64 and this is " + os + "/" + arch
                    + ": set " + LIBRARY_ENV + " to the oneDNN 3.x library of this platform");
        }
        Map<String, URL> resources = new LinkedHashMap<>();
        Map<String, Long> sizes = new LinkedHashMap<>();
        for (String name : new String[] {DNNL_FILE, GOMP_FILE}) {
            URL resource = DnnlLibrary.class.getClassLoader().getResource(RESOURCE_DIR + name);
            if (resource == null) {
                throw new DnnlLibraryException(RESOURCE_DIR + name + " is not on the classpath: " + remedy(false));
            }
            resources.put(name, resource);
            sizes.put(name, resourceSize(resource));
        }

        Path target = cacheRoot.resolve("natives").resolve("dnnl-" + bundledVersion());
        // Also where the folder is complete: a process killed after losing the race to publish it left its copy.
        removeAbandoned(target);
        if (isComplete(target, sizes)) {
            return target;
        }
        Path parent = target.getParent();
        Path staging = null;
        try {
            Files.createDirectories(parent);
            // The pid tells a later extraction whether the process writing it still lives (removeAbandoned).
            staging = Files.createTempDirectory(parent, stagingPrefix(target) + ProcessHandle.current().pid() + "-");
            for (Map.Entry<String, URL> resource : resources.entrySet()) {
                copy(resource.getValue(), staging.resolve(resource.getKey()));
            }
            if (!isComplete(staging, sizes)) {
                throw new DnnlLibraryException("the copy of the bundled oneDNN in " + staging + " does not have the"
                        + " sizes the classpath reports, so the org.bytedeco:dnnl jar may be damaged: delete it from"
                        + " the local Maven repository and rebuild, or set " + LIBRARY_ENV
                        + " to the libdnnl.so.3 of an installed oneDNN 3.x");
            }
            install(staging, target, sizes);
        } catch (IOException e) {
            throw new DnnlLibraryException("cannot write the oneDNN native cache in " + parent + " (" + e + "): set -D"
                    + CACHE_DIR_PROPERTY + " to a writable folder, or " + LIBRARY_ENV
                    + " to the libdnnl.so.3 of an installed oneDNN 3.x", e);
        } finally {
            if (staging != null) {
                deleteQuietly(staging);
            }
        }
        return target;
    }

    private static void install(Path staging, Path target, Map<String, Long> sizes) throws IOException {
        try {
            Files.move(staging, target, ATOMIC_MOVE);
            return;
        } catch (IOException e) {
            // A complete folder there was published by another extraction since the caller looked; it stays, as
            // processes that found it complete may be loading from it.
            if (isComplete(target, sizes)) {
                return;
            }
            if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                throw e;
            }
        }
        // Only something outside this class leaves an incomplete folder there (a hand-made copy, a cleaner that
        // truncated files). Move it aside, as a rename cannot replace a full folder.
        discard(target);
        try {
            Files.move(staging, target, ATOMIC_MOVE);
        } catch (IOException e) {
            if (!isComplete(target, sizes)) {
                throw e;
            }
        }
    }

    /**
     * Moves the folder {@code target} aside and deletes it there, so that a fresh copy can be renamed into its place
     * while processes that have its files mapped keep them.
     */
    private static void discard(Path target) throws IOException {
        Path stale = target.resolveSibling(movedAsidePrefix(target) + ProcessHandle.current().pid() + "-"
                + System.nanoTime());
        try {
            Files.move(target, stale, ATOMIC_MOVE);
            deleteQuietly(stale);
        } catch (NoSuchFileException _) {
            // Another process moved it first.
        }
    }

    private static String stagingPrefix(Path target) {
        return "." + target.getFileName() + "-";
    }

    private static String movedAsidePrefix(Path target) {
        return target.getFileName() + "-stale-";
    }

    /**
     * Deletes the staging and moved-aside folders beside {@code target} that their processes left when killed:
     * those whose pid is not a live process here and that nothing has changed for {@link #ABANDONED_AFTER}. The
     * pid alone would do on one machine (a live one, this process's other threads among them, keeps its folder even
     * if old); the age keeps the folders of processes that share the cache from another machine or container.
     * A reused pid only delays the removal. Staging folders of earlier versions, named without a pid, go once nothing
     * has changed in them for {@link #PIDLESS_ABANDONED_AFTER}. The target never matches the names looked for.
     */
    private static void removeAbandoned(Path target) {
        Instant now = Instant.now();
        try (Stream<Path> siblings = Files.list(target.getParent())) {
            for (Path sibling : (Iterable<Path>) siblings::iterator) {
                Duration quiet = abandonedAfter(sibling.getFileName().toString(), target);
                if (quiet != null && unchangedSince(sibling, now.minus(quiet))) {
                    deleteQuietly(sibling);
                }
            }
        } catch (IOException | RuntimeException _) {
            // No cache folder yet, or one that cannot be listed: the extraction reports what matters about it.
        }
    }

    /**
     * How long the folder {@code name} beside {@code target} must have been unchanged to be removed; null where it is
     * not a leftover of an extraction or its process lives here.
     */
    private static Duration abandonedAfter(String name, Path target) {
        String staging = stagingPrefix(target);
        String movedAside = movedAsidePrefix(target);
        String suffix = name.startsWith(staging) ? name.substring(staging.length())
                : name.startsWith(movedAside) ? name.substring(movedAside.length()) : null;
        if (suffix == null) {
            return null;
        }
        Matcher withPid = LEFTOVER_SUFFIX.matcher(suffix);
        if (withPid.matches()) {
            long pid = Long.parseLong(withPid.group(1));
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? null : ABANDONED_AFTER;
        }
        // Moved-aside folders have always had the pid in their names.
        return name.startsWith(staging) && PIDLESS_SUFFIX.matcher(suffix).matches() ? PIDLESS_ABANDONED_AFTER : null;
    }

    /**
     * Whether neither {@code folder} nor anything in it was modified at or after {@code instant}; not where it
     * cannot tell (another process deleting it meanwhile).
     */
    private static boolean unchangedSince(Path folder, Instant instant) {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                if (!Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(instant)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | UncheckedIOException _) {
            return false;
        }
    }

    private static void copy(URL resource, Path file) throws IOException {
        try (InputStream in = resource.openStream(); FileChannel out = FileChannel.open(file, CREATE_NEW, WRITE)) {
            in.transferTo(Channels.newOutputStream(out));
            // On disk before the rename publishes it, so a crash cannot leave a published folder with a short file.
            out.force(true);
        }
    }

    private static boolean isComplete(Path folder, Map<String, Long> sizes) {
        for (Map.Entry<String, Long> expected : sizes.entrySet()) {
            Path file = folder.resolve(expected.getKey());
            try {
                if (!Files.isRegularFile(file) || Files.size(file) != expected.getValue()) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    private static long resourceSize(URL resource) {
        try {
            URLConnection connection = resource.openConnection();
            // Opened and closed explicitly: a file: connection opens the file to answer, and would hold it until GC.
            try (InputStream _ = connection.getInputStream()) {
                long size = connection.getContentLengthLong();
                if (size < 0) {
                    throw new DnnlLibraryException("the class loader does not report the size of " + resource
                            + ", which the native cache needs to tell a complete copy: set " + LIBRARY_ENV
                            + " to the libdnnl.so.3 of an installed oneDNN 3.x");
                }
                return size;
            }
        } catch (IOException e) {
            throw new DnnlLibraryException("cannot read " + resource + " (" + e + "): " + remedy(false), e);
        }
    }

    /** Best effort: a leftover only costs disk space, and failing here would hide the outcome being reported. */
    private static void deleteQuietly(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException _) {
                    // Left behind.
                }
            });
        } catch (IOException | RuntimeException _) {
            // Left behind.
        }
    }

    /** The org.bytedeco:dnnl version this module was built with, from a Maven-filtered resource. */
    static String bundledVersion() {
        Properties properties = new Properties();
        try (InputStream in = DnnlLibrary.class.getResourceAsStream("dnnl.properties")) {
            if (in == null) {
                throw new DnnlLibraryException("ai/dgnet/dnnl/dnnl.properties is missing from the classpath: use a"
                        + " dgnet-native-bindings jar built by Maven");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new DnnlLibraryException("cannot read ai/dgnet/dnnl/dnnl.properties (" + e + "): use a"
                    + " dgnet-native-bindings jar built by Maven", e);
        }
        String version = properties.getProperty("version", "");
        // The pattern also keeps the cache folder named after it a single, plain path element.
        if (!version.matches("[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new DnnlLibraryException("ai/dgnet/dnnl/dnnl.properties holds version '" + version
                    + "', not a filtered org.bytedeco:dnnl version: build dgnet-native-bindings with Maven,"
                    + " which filters its resources");
        }
        return version;
    }
}
