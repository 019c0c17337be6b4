package ai.dgnet.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;

/**
 * The query of {@code classify}: {@code top} classes to answer (default 5) and whether to add the connectivity
 * picture ({@code graph=1} or {@code graph=true}).
 */
record ClassifyQuery(int top, boolean graph) {
    static final int DEFAULT_TOP = 5;

    static ClassifyQuery parse(String rawQuery) {
        int top = DEFAULT_TOP;
        boolean graph = false;
        if (rawQuery == null || rawQuery.isEmpty()) {
            return new ClassifyQuery(top, graph);
        }
        Set<String> given = new HashSet<>();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!given.add(key)) {
                // Which one counts is a guess either way: a client that sends both has a bug to hear of.
                throw RequestException.badRequest("query parameter '" + RequestException.shown(key)
                        + "' is given twice");
            }
            switch (key) {
                case "top" -> top = top(value);
                case "graph" -> graph = switch (value) {
                    case "1", "true" -> true;
                    case "0", "false" -> false;
                    default -> throw RequestException.badRequest("graph must be 1, true, 0 or false, got '"
                            + RequestException.shown(value) + "'");
                };
                default -> throw RequestException.badRequest("unknown query parameter '" + RequestException.shown(key)
                        + "': classify takes top and graph");
            }
        }
        return new ClassifyQuery(top, graph);
    }

    private static int top(String value) {
        if (value.matches("[0-9]+")) {
            String digits = value.replaceFirst("^0+", "");
            if (!digits.isEmpty()) {
                // Past an int still asks for every class, as any number past the classes does.
                return digits.length() > 10 ? Integer.MAX_VALUE
                        : (int) Math.min(Long.parseLong(digits), Integer.MAX_VALUE);
            }
        }
        throw RequestException.badRequest("top must be an integer >= 1, got '" + RequestException.shown(value) + "'");
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw RequestException.badRequest("malformed query: " + e.getMessage());
        }
    }
}
