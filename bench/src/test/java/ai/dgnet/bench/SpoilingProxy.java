package ai.dgnet.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * An HTTP proxy on loopback in front of the inference server that spoils some of its inference answers: the load
 * test's clients see a server that answers wrongly exactly where a test says, and rightly everywhere else.
 */
final class SpoilingProxy implements AutoCloseable {
    /** What the server answered, or what the proxy answers instead. */
    record Answer(int status, Map<String, String> headers, byte[] body) {
    }

    private static final List<String> REQUEST_HEADERS = List.of("Content-Type", "Inference-Header-Content-Length");
    private static final List<String> ANSWER_HEADERS = List.of("Content-Type", "Inference-Header-Content-Length",
            "Retry-After");

    private final HttpServer server;
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final AtomicInteger answers = new AtomicInteger();

    /**
     * Forwards to {@code target}; of the answers to requests whose path ends with {@code path}, numbers {@code from}
     * to {@code to - 1} (from 0) are spoiled.
     */
    SpoilingProxy(URI target, String path, int from, int to, UnaryOperator<Answer> spoil) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                Answer answer = forward(target, exchange);
                if (exchange.getRequestURI().getPath().endsWith(path)) {
                    int n = answers.getAndIncrement();
                    if (n >= from && n < to) {
                        answer = spoil.apply(answer);
                    }
                }
                answer.headers().forEach(exchange.getResponseHeaders()::set);
                exchange.sendResponseHeaders(answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(answer.body());
                }
            }
        });
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    private Answer forward(URI target, HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(exchange.getRequestURI().toString()))
                .method(exchange.getRequestMethod(), body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String name : REQUEST_HEADERS) {
            String value = exchange.getRequestHeaders().getFirst(name);
            if (value != null) {
                request.header(name, value);
            }
        }
        try {
            HttpResponse<byte[]> response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            Map<String, String> headers = new LinkedHashMap<>();
            for (String name : ANSWER_HEADERS) {
                response.headers().firstValue(name).ifPresent(value -> headers.put(name, value));
            }
            return new Answer(response.statusCode(), headers, response.body());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        client.close();
    }
}
