package dev.tierscope.sdk;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;

/**
 * A small chat service for {@link JavaAgentIT}, run in its own JVM under the OpenTelemetry Java
 * agent. Its code knows nothing of the agent: {@link Tierscope#fromEnvironment()} finds the agent's
 * global OpenTelemetry. {@code GET /chat} tags the request, reports it through the SDK and fetches
 * context from {@code GET /retrieve} over plain HTTP (traced by the agent alone); it answers with
 * the ids the test checks. The process stops when its standard input closes.
 */
public final class AgentChatApp {

  private AgentChatApp() {}

  public static void main(String[] args) throws Exception {
    Tierscope tierscope = Tierscope.fromEnvironment();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    HttpClient http = HttpClient.newHttpClient();
    String base = "http://127.0.0.1:" + server.getAddress().getPort();
    server.createContext("/retrieve", exchange -> answer(exchange, "three documents"));
    server.createContext(
        "/chat",
        exchange -> {
          Span agentServerSpan = Span.current();
          String requestSpanId;
          try (Scope tagged = tierscope.tag("interactive_premium", "rag", "acme")) {
            RequestSpan request =
                tierscope.request(TrafficClass.INTERACTIVE_PREMIUM, "rag").start();
            requestSpanId = request.spanId();
            try (Scope current = request.makeCurrent()) {
              http.send(
                  HttpRequest.newBuilder(URI.create(base + "/retrieve")).build(),
                  HttpResponse.BodyHandlers.ofString());
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            ModelSpan model = request.model("llama-3.1-8b").provider("vllm").queueMs(12);
            model.firstToken();
            request.firstToken();
            model.tokens(900, 120).end(Outcome.COMPLETED);
            request.end(Outcome.COMPLETED);
          }
          answer(
              exchange,
              "traceId="
                  + agentServerSpan.getSpanContext().getTraceId()
                  + "\nserverSpanId="
                  + agentServerSpan.getSpanContext().getSpanId()
                  + "\nrequestSpanId="
                  + requestSpanId
                  + "\nendpoint="
                  + tierscope.endpoint()
                  + "\n");
        });
    // /chat calls /retrieve on this server: one thread would wait for itself.
    server.setExecutor(Executors.newFixedThreadPool(4));
    server.start();
    System.out.println("LISTENING " + server.getAddress().getPort());
    System.out.flush();
    while (System.in.read() >= 0) {
      // runs until the test closes our standard input
    }
    server.stop(0);
    tierscope.close();
    System.exit(0);
  }

  private static void answer(HttpExchange exchange, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.sendResponseHeaders(200, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }
}
