package ai.dgnet.dnnl;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.AddressLayout;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.PaddingLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The drift check: every function, constant and struct bound in {@code ai.dgnet.dnnl.c} against the C headers
 * shipped in the org.bytedeco:dnnl jar and against the loaded library. Classes are found by scanning the package,
 * so a binding added later is checked without touching this test.
 */
class BindingCheckTest {
    private static final String PACKAGE = "ai.dgnet.dnnl.c";
    private static final String INCLUDE = "org/bytedeco/dnnl/linux-x86_64/include/oneapi/dnnl/";
    /** In include order, so that each {@code #if} sees the macros defined before it. */
    private static final List<String> HEADERS = List.of(
            "dnnl_config.h", "dnnl_version.h", "dnnl_common_types.h", "dnnl_common.h", "dnnl_types.h", "dnnl.h");
    /** No omp.h ships with oneDNN: the OpenMP API prototypes of the functions {@code omp_h} binds. */
    private static final String OMP_PROTOTYPES = """
            void omp_set_num_threads(int num_threads);
            int omp_get_max_threads(void);
            int omp_get_num_procs(void);
            int omp_get_thread_num(void);
            """;
    /** The memory-mapping functions and constants {@code sys_mman_h} binds, as glibc declares them on x86-64. */
    private static final String MMAN_PROTOTYPES = """
            typedef long off_t;
            #define PROT_READ 0x1
            #define PROT_WRITE 0x2
            #define MAP_PRIVATE 0x02
            #define MAP_ANONYMOUS 0x20
            #define MAP_FAILED ((void *) -1)
            #define MADV_HUGEPAGE 14
            void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset);
            int munmap(void *addr, size_t length);
            int madvise(void *addr, size_t length, int advice);
            int mincore(void *addr, size_t length, unsigned char *vec);
            """;
    /**
     * The terminal test and the descriptors of standard input and output that {@code unistd_h} binds, as glibc
     * declares them.
     */
    private static final String UNISTD_PROTOTYPES = """
            #define STDIN_FILENO 0
            #define STDOUT_FILENO 1
            int isatty(int fd);
            """;
    /** The oneDNN functions the runtime was specified to need: a change to the bindings must change it too. */
    private static final int DNNL_FUNCTION_COUNT = 59;
    private static final int OMP_FUNCTION_COUNT = 4;
    private static final int MMAN_FUNCTION_COUNT = 4;
    private static final int UNISTD_FUNCTION_COUNT = 1;

    private static CHeaders headers;
    private static List<Class<?>> headerClasses;
    private static List<Class<?>> structClasses;

    @BeforeAll
    static void parseHeadersAndFindBindings() throws Exception {
        headers = new CHeaders();
        for (String header : HEADERS) {
            headers.add(header, resource(INCLUDE + header));
        }
        headers.add("omp.h", OMP_PROTOTYPES);
        headers.add("sys_mman.h", MMAN_PROTOTYPES);
        headers.add("unistd.h", UNISTD_PROTOTYPES);

        URL folder = BindingCheckTest.class.getClassLoader().getResource(PACKAGE.replace('.', '/'));
        assertNotNull(folder, PACKAGE + " is not on the test classpath");
        headerClasses = new ArrayList<>();
        structClasses = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(folder.toURI()))) {
            for (String file : files.map(f -> f.getFileName().toString()).sorted().toList()) {
                // '$' marks the per-function holders and dnnl$shared, which are reached through the classes they serve.
                if (!file.endsWith(".class") || file.contains("$")) {
                    continue;
                }
                Class<?> type = Class.forName(PACKAGE + "." + file.substring(0, file.length() - ".class".length()),
                        false, BindingCheckTest.class.getClassLoader());
                if (type.getSimpleName().endsWith("_h")) {
                    headerClasses.add(type);
                } else if (hasStaticMethod(type, "layout")) {
                    structClasses.add(type);
                } else {
                    fail(type + " is neither a header class (name ending _h) nor a struct class (with layout()),"
                            + " so this check would not cover it");
                }
            }
        }
    }

    @Test
    void boundFunctionsAreAllThere() {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Class<?> header : headerClasses) {
            counts.put(header.getSimpleName(), boundFunctions(header).size());
        }
        assertEquals(Set.of("dnnl_common_h", "dnnl_h", "dnnl_common_types_h", "dnnl_types_h", "dnnl_config_h", "omp_h",
                        "sys_mman_h", "unistd_h"),
                counts.keySet(), "header classes found");
        assertEquals(DNNL_FUNCTION_COUNT, counts.get("dnnl_common_h") + counts.get("dnnl_h"), "oneDNN functions bound");
        assertEquals(OMP_FUNCTION_COUNT, counts.get("omp_h"), "OpenMP functions bound");
        assertEquals(MMAN_FUNCTION_COUNT, counts.get("sys_mman_h"), "memory-mapping functions bound");
        assertEquals(UNISTD_FUNCTION_COUNT, counts.get("unistd_h"), "terminal functions bound");
        assertEquals(Set.of("dnnl_exec_arg_t", "dnnl_version_t"),
                Set.copyOf(structClasses.stream().map(Class::getSimpleName).toList()), "struct classes found");
    }

    @TestFactory
    Stream<DynamicTest> everyFunctionMatchesItsPrototypeAndSymbol() {
        return headerClasses.stream().flatMap(header -> boundFunctions(header).stream()
                .map(name -> DynamicTest.dynamicTest(header.getSimpleName() + "." + name,
                        () -> checkFunction(header, name))));
    }

    @TestFactory
    Stream<DynamicTest> everyConstantMatchesTheHeader() {
        return headerClasses.stream().flatMap(header -> boundConstants(header).stream()
                .map(method -> DynamicTest.dynamicTest(header.getSimpleName() + "." + method.getName(),
                        () -> checkConstant(header, method))));
    }

    @TestFactory
    Stream<DynamicTest> everyStructMatchesTheHeader() {
        return structClasses.stream().map(struct -> DynamicTest.dynamicTest(struct.getSimpleName(),
                () -> checkStruct(struct)));
    }

    private static void checkFunction(Class<?> header, String name) throws ReflectiveOperationException {
        String headerFile = headerFile(header);
        CHeaders.Prototype prototype = headers.prototype(headerFile, name);
        assertNotNull(prototype, name + " is bound in " + header.getSimpleName() + " but " + headerFile
                + " declares no such function");
        // Checked before the descriptor is touched: that initializes the holder, which needs the symbol.
        MemorySegment symbol = DnnlLibrary.lookup().find(name).orElse(null);
        assertNotNull(symbol, name + " is not exported by " + DnnlLibrary.libraryPath() + " or its libraries");

        FunctionDescriptor descriptor = (FunctionDescriptor) header.getMethod(name + "$descriptor").invoke(null);
        assertEquals(prototype.parameterTypes().size(), descriptor.argumentLayouts().size(),
                name + ": parameter count of " + prototype);
        assertEquals(headers.kind(prototype.returnType(), false),
                descriptor.returnLayout().map(BindingCheckTest::kind).orElse(Kind.VOID),
                name + ": return type of " + prototype);
        for (int i = 0; i < descriptor.argumentLayouts().size(); i++) {
            assertEquals(headers.kind(prototype.parameterTypes().get(i), true),
                    kind(descriptor.argumentLayouts().get(i)),
                    name + ": parameter " + (i + 1) + " (" + prototype.parameterNames().get(i) + ") of " + prototype);
        }

        MethodType type = descriptor.toMethodType();
        Method call = header.getMethod(name, type.parameterArray());
        assertEquals(type.returnType(), call.getReturnType(), name + ": the call method's return type");
        assertEquals(type, ((MethodHandle) header.getMethod(name + "$handle").invoke(null)).type(),
                name + ": the downcall handle's type");
        assertEquals(symbol.address(), ((MemorySegment) header.getMethod(name + "$address").invoke(null)).address(),
                name + ": the bound address");
    }

    private static void checkConstant(Class<?> header, Method constant) throws ReflectiveOperationException {
        String headerFile = headerFile(header);
        String name = constant.getName();
        long expected = headers.constant(headerFile, name);
        Object actual = constant.invoke(null);
        switch (actual) {
            case Integer value -> {
                assertTrue(expected >= Integer.MIN_VALUE && expected <= 0xFFFF_FFFFL,
                        name + " = " + expected + " in " + headerFile + " does not fit the int it is bound as");
                assertEquals((int) expected, value, name + " in " + headerFile);
            }
            case Long value -> assertEquals(expected, value, name + " in " + headerFile);
            case MemorySegment value -> assertEquals(expected, value.address(), name + " in " + headerFile);
            default -> fail(name + " is bound as " + actual.getClass() + ", not as a constant jextract emits");
        }
    }

    /** Offsets and size per the x86-64 System V ABI: each field aligned to its size, the struct to its widest field. */
    private static void checkStruct(Class<?> struct) throws ReflectiveOperationException {
        String name = struct.getSimpleName();
        List<String[]> fields = headers.structFields(name);
        assertNotNull(fields, "no typedef struct " + name + " in the headers");
        GroupLayout layout = (GroupLayout) struct.getMethod("layout").invoke(null);

        List<String> expected = new ArrayList<>();
        long offset = 0;
        long alignment = 1;
        for (String[] field : fields) {
            Kind kind = headers.kind(field[0], false);
            offset = alignUp(offset, kind.size);
            expected.add(field[1] + ":" + kind + "@" + offset);
            offset += kind.size;
            alignment = Math.max(alignment, kind.size);
        }
        List<String> actual = new ArrayList<>();
        for (MemoryLayout member : layout.memberLayouts()) {
            if (!(member instanceof PaddingLayout)) {
                String field = member.name().orElseThrow();
                long fieldOffset = layout.byteOffset(groupElement(field));
                assertEquals(fieldOffset, (long) struct.getMethod(field + "$offset").invoke(null), name + "." + field);
                actual.add(field + ":" + kind(member) + "@" + fieldOffset);
            }
        }
        assertEquals(expected, actual, name + " fields");
        assertEquals(alignUp(offset, alignment), layout.byteSize(), name + " size");
    }

    private static long alignUp(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }

    private static String headerFile(Class<?> header) {
        String simpleName = header.getSimpleName();
        return simpleName.substring(0, simpleName.length() - "_h".length()) + ".h";
    }

    /** Bound functions are the ones with a jextract {@code name$descriptor()} accessor. */
    private static List<String> boundFunctions(Class<?> header) {
        return Arrays.stream(header.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()))
                .map(Method::getName)
                .filter(n -> n.endsWith("$descriptor"))
                .map(n -> n.substring(0, n.length() - "$descriptor".length()))
                .sorted()
                .toList();
    }

    /** Constants are the other public static no-argument methods: {@code dnnl_f32()}, {@code DNNL_ARG_SRC()}. */
    private static List<Method> boundConstants(Class<?> header) {
        Set<String> functions = new HashSet<>(boundFunctions(header));
        return Arrays.stream(header.getDeclaredMethods())
                .filter(m -> Modifier.isPublic(m.getModifiers()) && Modifier.isStatic(m.getModifiers()))
                .filter(m -> m.getParameterCount() == 0 && !m.getName().contains("$")
                        && !functions.contains(m.getName()))
                .sorted(Comparator.comparing(Method::getName))
                .toList();
    }

    private static boolean hasStaticMethod(Class<?> type, String name) {
        return Arrays.stream(type.getDeclaredMethods())
                .anyMatch(m -> m.getName().equals(name) && Modifier.isStatic(m.getModifiers()));
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = BindingCheckTest.class.getClassLoader().getResourceAsStream(name)) {
            assertNotNull(in, name + " is not on the test classpath (org.bytedeco:dnnl:linux-x86_64)");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The kinds of value the C ABI passes differently; every C type and Java layout is classified into one. */
    enum Kind {
        VOID(0), INT8(1), INT32(4), INT64(8), FLOAT(4), DOUBLE(8), POINTER(8), STRUCT(0);

        final long size;

        Kind(long size) {
            this.size = size;
        }
    }

    private static Kind kind(MemoryLayout layout) {
        return switch (layout) {
            case AddressLayout _ -> Kind.POINTER;
            case ValueLayout.OfByte _ -> Kind.INT8;
            case ValueLayout.OfInt _ -> Kind.INT32;
            case ValueLayout.OfLong _ -> Kind.INT64;
            case ValueLayout.OfFloat _ -> Kind.FLOAT;
            case ValueLayout.OfDouble _ -> Kind.DOUBLE;
            case GroupLayout _ -> Kind.STRUCT;
            default -> throw new AssertionError("no C kind for layout " + layout);
        };
    }

    /**
     * Just enough of a C front end for the oneDNN headers: a preprocessor (object-like macros, conditional blocks,
     * {@code defined}), enum constants with their implicit values, typedefs, and {@code DNNL_API} prototypes.
     */
    static final class CHeaders {
        record Prototype(String returnType, List<String> parameterTypes, List<String> parameterNames) {
            @Override
            public String toString() {
                List<String> parameters = new ArrayList<>();
                for (int i = 0; i < parameterTypes.size(); i++) {
                    parameters.add(parameterTypes.get(i) + " " + parameterNames.get(i));
                }
                return returnType + " (" + String.join(", ", parameters) + ")";
            }
        }

        private static final Pattern TOKEN = Pattern.compile("\\s*(0[xX][0-9a-fA-F]+|\\d+)[uUlL]*"
                + "|\\s*([A-Za-z_]\\w*)"
                + "|\\s*(\\|\\||&&|==|!=|<=|>=|<<|>>|[-+*/%<>|^&!~()])");
        private static final Pattern DIRECTIVE = Pattern.compile("\\s*#\\s*(\\w+)\\s*(.*)");
        private static final Pattern OBJECT_MACRO = Pattern.compile("([A-Za-z_]\\w*)(?:\\s+(.*))?");
        private static final Pattern ENUM = Pattern.compile("\\benum\\s*\\w*\\s*\\{([^}]*)}");
        private static final Pattern STRUCT_TYPEDEF = Pattern.compile(
                "\\btypedef\\s+(struct|union)\\s*\\w*\\s*\\{([^}]*)}\\s*(\\w+)\\s*;");
        private static final Pattern ENUM_TYPEDEF = Pattern.compile(
                "\\btypedef\\s+enum\\s*\\w*\\s*\\{[^}]*}\\s*(\\w+)\\s*;");
        private static final Pattern SIMPLE_TYPEDEF = Pattern.compile(
                "\\btypedef\\s+([^;{}()]+?)\\s*\\b(\\w+)\\s*(\\[[^\\]]*])?\\s*;");
        /** A statement ends at ';'; '{' and '}' end a chunk too, so no match reaches across an enum or struct body. */
        private static final Pattern STATEMENT = Pattern.compile("[^;{}]*[;{}]");
        private static final Pattern PROTOTYPE = Pattern.compile(
                "\\s*([^()]*?)\\b(\\w+)\\s*\\((.*)\\)\\s*;", Pattern.DOTALL);
        private static final Pattern PARAMETER = Pattern.compile("(.*?)\\b(\\w+)\\s*(\\[[^\\]]*])?");
        private static final Set<String> QUALIFIERS =
                Set.of("const", "volatile", "struct", "enum", "union", "restrict");
        private static final Map<String, Kind> BUILTIN_TYPES = Map.ofEntries(
                Map.entry("void", Kind.VOID), Map.entry("char", Kind.INT8), Map.entry("int8_t", Kind.INT8),
                Map.entry("uint8_t", Kind.INT8), Map.entry("int", Kind.INT32), Map.entry("unsigned", Kind.INT32),
                Map.entry("unsigned int", Kind.INT32), Map.entry("int32_t", Kind.INT32),
                Map.entry("uint32_t", Kind.INT32), Map.entry("long", Kind.INT64), Map.entry("size_t", Kind.INT64),
                Map.entry("int64_t", Kind.INT64), Map.entry("uint64_t", Kind.INT64), Map.entry("float", Kind.FLOAT),
                Map.entry("double", Kind.DOUBLE));
        /** Words that make a parenthesized group a cast, as in {@code ((void *)(size_t) - 1)}. */
        private static final Set<String> CAST_WORDS = Set.of("void", "char", "short", "int", "long", "unsigned",
                "signed", "float", "double", "const", "size_t", "int32_t", "uint32_t", "int64_t", "uint64_t");

        private final Map<String, String> macros = new HashMap<>();
        private final Map<String, Long> enumConstants = new HashMap<>();
        /** Header file of each macro and enum constant. */
        private final Map<String, String> origins = new HashMap<>();
        /** Type text each typedef stands for; enums stand for int, their size under this ABI. */
        private final Map<String, String> typedefs = new HashMap<>();
        private final Map<String, List<String[]>> structs = new HashMap<>();
        private final Map<String, Map<String, Prototype>> prototypes = new HashMap<>();

        void add(String header, String source) {
            String code = preprocess(header, source);
            for (Matcher m = ENUM.matcher(code); m.find(); ) {
                long next = 0;
                for (String entry : splitTopLevel(m.group(1))) {
                    int equals = entry.indexOf('=');
                    String name = (equals < 0 ? entry : entry.substring(0, equals)).strip();
                    long value = equals < 0 ? next : evaluate(entry.substring(equals + 1), false);
                    enumConstants.put(name, value);
                    origins.put(name, header);
                    next = value + 1;
                }
            }
            for (Matcher m = ENUM_TYPEDEF.matcher(code); m.find(); ) {
                typedefs.put(m.group(1), "int");
            }
            for (Matcher m = STRUCT_TYPEDEF.matcher(code); m.find(); ) {
                List<String[]> fields = new ArrayList<>();
                for (String field : m.group(2).split(";")) {
                    if (!field.isBlank()) {
                        String[] typeAndName = typeAndName(field);
                        fields.add(typeAndName);
                    }
                }
                structs.put(m.group(3), fields);
                typedefs.put(m.group(3), "struct");
            }
            for (Matcher m = SIMPLE_TYPEDEF.matcher(code); m.find(); ) {
                typedefs.put(m.group(2), m.group(1).strip() + (m.group(3) == null ? "" : "[]"));
            }
            Map<String, Prototype> declared = new LinkedHashMap<>();
            for (Matcher statement = STATEMENT.matcher(code); statement.find(); ) {
                Matcher m = PROTOTYPE.matcher(statement.group());
                if (!statement.group().endsWith(";") || !m.matches()) {
                    continue;
                }
                String returnType = m.group(1).strip();
                // oneDNN marks its public API; the embedded OpenMP prototypes are all public.
                if (header.startsWith("dnnl")) {
                    if (!returnType.contains("DNNL_API")) {
                        continue;
                    }
                    returnType = returnType.replace("DNNL_API", " ").replaceAll("\\s+", " ").strip();
                }
                List<String> types = new ArrayList<>();
                List<String> names = new ArrayList<>();
                String parameters = m.group(3).strip();
                if (!parameters.equals("void")) {
                    for (String parameter : splitTopLevel(parameters)) {
                        String[] typeAndName = typeAndName(parameter);
                        types.add(typeAndName[0]);
                        names.add(typeAndName[1]);
                    }
                }
                declared.put(m.group(2), new Prototype(returnType, types, names));
            }
            prototypes.put(header, declared);
        }

        Prototype prototype(String header, String function) {
            return prototypes.getOrDefault(header, Map.of()).get(function);
        }

        List<String[]> structFields(String name) {
            return structs.get(name);
        }

        /** The value of an enum constant or object-like macro declared in {@code header}. */
        long constant(String header, String name) {
            assertEquals(header, origins.get(name), name + " is not an enum constant or macro of " + header);
            Long value = enumConstants.get(name);
            return value != null ? value : evaluate(macros.get(name), false);
        }

        /** A parameter's array type is a pointer, as C passes it. */
        Kind kind(String type, boolean parameter) {
            if (type.contains("*") || type.contains("(") || (parameter && type.contains("["))) {
                return Kind.POINTER;
            }
            assertTrue(!type.contains("["), "array by value: " + type);
            String name = String.join(" ", Arrays.stream(type.split("\\W+"))
                    .filter(w -> !w.isEmpty() && !QUALIFIERS.contains(w)).toList());
            Kind builtin = BUILTIN_TYPES.get(name);
            if (builtin != null) {
                return builtin;
            }
            String definition = typedefs.get(name);
            assertNotNull(definition, "unknown C type '" + type + "'");
            return definition.equals("struct") ? Kind.STRUCT : kind(definition, parameter);
        }

        /** Splits {@code "const dnnl_dims_t dims"} into the type and the name; an array suffix stays on the type. */
        private static String[] typeAndName(String declaration) {
            String text = declaration.strip();
            if (text.contains("(")) {
                Matcher pointerName = Pattern.compile("\\(\\s*\\*\\s*(\\w+)").matcher(text);
                return new String[] {text, pointerName.find() ? pointerName.group(1) : ""};
            }
            Matcher m = PARAMETER.matcher(text);
            assertTrue(m.matches(), "cannot read declaration '" + text + "'");
            String type = m.group(1).strip() + (m.group(3) == null ? "" : "[]");
            return type.isBlank() || QUALIFIERS.contains(type)
                    ? new String[] {text, ""}
                    : new String[] {type, m.group(2)};
        }

        /** Splices lines, drops comments and inactive conditional blocks, and records the macros it defines. */
        private String preprocess(String header, String source) {
            String spliced = source.replace("\\\r\n", " ").replace("\\\n", " ");
            String code = Pattern.compile("(\"(?:\\\\.|[^\"\\\\\\n])*\")|//[^\\n]*|/\\*[\\s\\S]*?\\*/")
                    .matcher(spliced)
                    .replaceAll(m -> m.group(1) != null ? Matcher.quoteReplacement(m.group(1)) : " ");
            StringBuilder out = new StringBuilder();
            // Per open conditional: whether its current branch is active, and whether a branch was already taken.
            List<boolean[]> conditionals = new ArrayList<>();
            for (String line : code.split("\n")) {
                boolean active = conditionals.stream().allMatch(c -> c[0]);
                Matcher directive = DIRECTIVE.matcher(line);
                if (!directive.matches()) {
                    if (active) {
                        out.append(line).append('\n');
                    }
                    continue;
                }
                String argument = directive.group(2).strip();
                switch (directive.group(1)) {
                    case "if", "ifdef", "ifndef" -> {
                        boolean taken = active && switch (directive.group(1)) {
                            case "ifdef" -> macros.containsKey(argument);
                            case "ifndef" -> !macros.containsKey(argument);
                            default -> evaluate(argument, true) != 0;
                        };
                        conditionals.add(new boolean[] {taken, taken});
                    }
                    case "elif" -> {
                        boolean[] top = conditionals.getLast();
                        top[0] = enclosingActive(conditionals) && !top[1] && evaluate(argument, true) != 0;
                        top[1] |= top[0];
                    }
                    case "else" -> {
                        boolean[] top = conditionals.getLast();
                        top[0] = enclosingActive(conditionals) && !top[1];
                        top[1] = true;
                    }
                    case "endif" -> conditionals.removeLast();
                    case "define" -> {
                        Matcher macro = OBJECT_MACRO.matcher(argument);
                        // Function-like macros (name directly followed by '(') are not constants jextract emits.
                        if (active && macro.matches() && !argument.startsWith(macro.group(1) + "(")) {
                            macros.put(macro.group(1), macro.group(2) == null ? "" : macro.group(2).strip());
                            origins.put(macro.group(1), header);
                        }
                    }
                    case "undef" -> {
                        if (active) {
                            macros.remove(argument);
                        }
                    }
                    case "error" -> assertTrue(!active, header + ": #error " + argument);
                    default -> {
                        // #include (the headers are added in include order) and #pragma.
                    }
                }
            }
            assertTrue(conditionals.isEmpty(), header + ": unbalanced #if");
            return out.toString();
        }

        private static boolean enclosingActive(List<boolean[]> conditionals) {
            return conditionals.subList(0, conditionals.size() - 1).stream().allMatch(c -> c[0]);
        }

        /** Evaluates a C constant expression; in {@code #if} an unknown identifier is 0, as the C standard says. */
        long evaluate(String expression, boolean inPreprocessor) {
            List<String> tokens = new ArrayList<>();
            Matcher m = TOKEN.matcher(expression);
            int at = 0;
            while (at < expression.length() && !expression.substring(at).isBlank()) {
                assertTrue(m.find(at) && m.start() == at, "cannot read C expression '" + expression + "'");
                tokens.add(m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3));
                at = m.end();
            }
            Evaluator evaluator = new Evaluator(tokens, inPreprocessor);
            long value = evaluator.binary(0);
            assertTrue(evaluator.at == tokens.size(), "trailing tokens in C expression '" + expression + "'");
            return value;
        }

        private static List<String> splitTopLevel(String list) {
            List<String> parts = new ArrayList<>();
            int depth = 0;
            int start = 0;
            for (int i = 0; i < list.length(); i++) {
                char c = list.charAt(i);
                if (c == '(' || c == '[') {
                    depth++;
                } else if (c == ')' || c == ']') {
                    depth--;
                } else if (c == ',' && depth == 0) {
                    parts.add(list.substring(start, i));
                    start = i + 1;
                }
            }
            parts.add(list.substring(start));
            return parts.stream().map(String::strip).filter(p -> !p.isEmpty()).toList();
        }

        /** Precedence climbing over the C operators the headers use. */
        private final class Evaluator {
            private static final List<Set<String>> LEVELS = List.of(Set.of("||"), Set.of("&&"), Set.of("|"),
                    Set.of("^"), Set.of("&"), Set.of("==", "!="), Set.of("<", ">", "<=", ">="), Set.of("<<", ">>"),
                    Set.of("+", "-"), Set.of("*", "/", "%"));

            private final List<String> tokens;
            private final boolean inPreprocessor;
            private int at;

            Evaluator(List<String> tokens, boolean inPreprocessor) {
                this.tokens = tokens;
                this.inPreprocessor = inPreprocessor;
            }

            long binary(int level) {
                if (level == LEVELS.size()) {
                    return unary();
                }
                long value = binary(level + 1);
                while (at < tokens.size() && LEVELS.get(level).contains(tokens.get(at))) {
                    String operator = tokens.get(at++);
                    long right = binary(level + 1);
                    value = switch (operator) {
                        case "||" -> value != 0 || right != 0 ? 1 : 0;
                        case "&&" -> value != 0 && right != 0 ? 1 : 0;
                        case "|" -> value | right;
                        case "^" -> value ^ right;
                        case "&" -> value & right;
                        case "==" -> value == right ? 1 : 0;
                        case "!=" -> value != right ? 1 : 0;
                        case "<" -> value < right ? 1 : 0;
                        case ">" -> value > right ? 1 : 0;
                        case "<=" -> value <= right ? 1 : 0;
                        case ">=" -> value >= right ? 1 : 0;
                        case "<<" -> value << right;
                        case ">>" -> value >> right;
                        case "+" -> value + right;
                        case "-" -> value - right;
                        case "*" -> value * right;
                        case "/" -> value / right;
                        default -> value % right;
                    };
                }
                return value;
            }

            long unary() {
                String token = next();
                return switch (token) {
                    case "-" -> -unary();
                    case "+" -> unary();
                    case "!" -> unary() == 0 ? 1 : 0;
                    case "~" -> ~unary();
                    case "(" -> {
                        int castEnd = castEnd();
                        if (castEnd >= 0) {
                            // A cast only reinterprets the value, and 64 bits hold every value the headers cast.
                            at = castEnd + 1;
                            yield unary();
                        }
                        long value = binary(0);
                        assertEquals(")", next(), "unbalanced parenthesis in C expression " + tokens);
                        yield value;
                    }
                    case "defined" -> {
                        boolean parenthesized = peek("(");
                        if (parenthesized) {
                            next();
                        }
                        long value = macros.containsKey(next()) ? 1 : 0;
                        if (parenthesized) {
                            assertEquals(")", next(), "unbalanced defined() in " + tokens);
                        }
                        yield value;
                    }
                    default -> Character.isDigit(token.charAt(0)) ? Long.decode(token) : identifier(token);
                };
            }

            private long identifier(String name) {
                if (macros.containsKey(name)) {
                    return evaluate(macros.get(name), inPreprocessor);
                }
                if (enumConstants.containsKey(name)) {
                    return enumConstants.get(name);
                }
                if (inPreprocessor || name.equals("NULL")) {
                    return 0;
                }
                throw new AssertionError("unknown identifier " + name + " in C expression " + tokens);
            }

            /** The index of the ')' closing a cast that starts at the current token, or -1 if none does. */
            private int castEnd() {
                int i = at;
                while (i < tokens.size() && (CAST_WORDS.contains(tokens.get(i)) || tokens.get(i).equals("*"))) {
                    i++;
                }
                return i > at && i < tokens.size() && tokens.get(i).equals(")") ? i : -1;
            }

            private boolean peek(String token) {
                return at < tokens.size() && tokens.get(at).equals(token);
            }

            private String next() {
                assertTrue(at < tokens.size(), "C expression ends early: " + tokens);
                return tokens.get(at++);
            }
        }
    }
}
