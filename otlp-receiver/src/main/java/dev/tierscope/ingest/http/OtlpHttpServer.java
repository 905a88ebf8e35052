package dev.tierscope.ingest.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tierscope.auth.Credentials;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link OtlpHttpHandler} on the JDK's built-in HTTP server ({@code com.sun.net.httpserver}): the
 * OTLP/HTTP receiver without a web framework, for tests, benchmarks and embedding. The ingest
 * application serves the same handler through Spring MVC instead, next to its actuator endpoints.
 *
 * <pre>{@code
 * try (OtlpHttpServer http = OtlpHttpServer.start(handler, new InetSocketAddress("127.0.0.1", 0), 8)) {
 *   String endpoint = "http://127.0.0.1:" + http.port(); // OTEL_EXPORTER_OTLP_ENDPOINT
 *   ...
 * }
 * }</pre>
 */
public final class OtlpHttpServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(OtlpHttpServer.class);

  private final HttpServer server;
  private final ExecutorService executor;

  private OtlpHttpServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code address} (port 0 for a free one) and serves {@code POST /v1/traces}.
   *
   * @param threads requests handled at once (each waits for Kafka's acknowledgement)
   * @throws IOException when the address cannot be bound
   */
  public static OtlpHttpServer start(
      OtlpHttpHandler handler, InetSocketAddress address, int threads) throws IOException {
    HttpServer server = HttpServer.create(address, 0);
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, "tierscope-otlp-http-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    server.setExecutor(executor);
    server.createContext(OtlpHttpHandler.PATH, exchange -> serve(handler, exchange));
    server.start();
    log.info("OTLP/HTTP receiver listening on port {}", server.getAddress().getPort());
    return new OtlpHttpServer(server, executor);
  }

  private static void serve(OtlpHttpHandler handler, HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals(OtlpHttpHandler.PATH)) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      if (!exchange.getRequestMethod().equals("POST")) {
        exchange.getResponseHeaders().set("Allow", "POST");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      String length = exchange.getRequestHeaders().getFirst("Content-Length");
      Credentials credentials =
          new Credentials(
              exchange.getRequestHeaders().getFirst("Authorization"),
              exchange.getRequestHeaders().getFirst(Credentials.SCOPE_ORG_ID_HEADER),
              Credentials.tenantParameters(exchange.getRequestURI().getRawQuery()),
              exchange.getRemoteAddress().getAddress());
      OtlpHttpHandler.Answer answer;
      try (InputStream body = exchange.getRequestBody()) {
        answer =
            handler.handle(
                credentials,
                exchange.getRequestHeaders().getFirst("Content-Type"),
                exchange.getRequestHeaders().getFirst("Accept"),
                exchange.getRequestHeaders().getFirst("Content-Encoding"),
                length == null ? -1 : parseLength(length),
                body);
      }
      exchange.getResponseHeaders().set("Content-Type", answer.contentType());
      if (answer.retryAfterSeconds() >= 0) {
        exchange.getResponseHeaders().set("Retry-After", Long.toString(answer.retryAfterSeconds()));
      }
      if (answer.authenticate() != null) {
        exchange.getResponseHeaders().set("WWW-Authenticate", answer.authenticate());
      }
      exchange.sendResponseHeaders(
          answer.status(), answer.body().length == 0 ? -1 : answer.body().length);
      if (answer.body().length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(answer.body());
        }
      }
    }
  }

  private static long parseLength(String value) {
    try {
      return Long.parseLong(value.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The bound port. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops at once; requests in progress are cut off. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
