package dev.tierscope.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two real GenAI instrumentation libraries from npm, end to end: Traceloop's OpenLLMetry for Node
 * ({@code @traceloop/node-server-sdk}) and OpenInference's OpenAI instrumentation ({@code
 * @arizeai/openinference-instrumentation-openai}) each instrument the {@code openai} npm client
 * while it streams chat completions from a fake OpenAI-compatible server written here; each
 * exports its spans with its own OTLP exporter to a running Tierscope (ingest -> Kafka ->
 * aggregator -> PostgreSQL -> API). The spans carry nothing Tierscope-specific: class rules on
 * {@code service.name} give the class.
 *
 * <p>What Tierscope derives is what the libraries report (docs/span-conventions.md, "GenAI
 * dialects"): neither puts a first-token signal on its spans, so every request counts as TTFT
 * unknown, never guessed; OpenInference's {@code llm.invocation_parameters} say the call was
 * streamed, Traceloop's spans carry no streaming attribute.
 *
 * <p>Needs Node.js 20+ (skipped with the reason when {@code node} is absent) and the packages of
 * {@code src/test/js/package-lock.json} ({@code .ci/run} installs them; otherwise {@code npm ci}
 * runs here).
 */
class GenAiInstrumentationsNpmIT {

  private static final int REQUESTS = 10;

  /** Chunks the fake server streams per completion, usage chunk included. */
  private static final int CHUNKS = 6;

  private static final String SPEC =
      """
      apiVersion: tierscope.dev/v1
      kind: ClassRules
      metadata:
        name: npm-instrumentations
      spec:
        fallback: standard_interactive
        rules:
          - name: traceloop
            class: interactive_premium
            match:
              - attribute: service.name
                equals: traceloop-chat
          - name: openinference
            class: deferred_batch
            match:
              - attribute: service.name
                equals: openinference-chat
      """;

  private static Path jsDir;
  private static TierscopeServer server;
  private static HttpServer openai;
  private static final AtomicInteger completions = new AtomicInteger();
  private static final AtomicInteger streamedCompletions = new AtomicInteger();
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    jsDir = Path.of(System.getProperty("basedir", ".")).resolve("src/test/js").toAbsolutePath();
    String node = nodeVersion();
    if (node == null) {
      String reason =
          "GenAiInstrumentationsNpmIT skipped: 'node' is not on the PATH; the npm instrumentation"
              + " libraries need Node.js 20+";
      System.out.println(reason);
      Assumptions.abort(reason);
    }
    if (!Files.isDirectory(jsDir.resolve("node_modules/@traceloop/node-server-sdk"))
        || !Files.isDirectory(
            jsDir.resolve("node_modules/@arizeai/openinference-instrumentation-openai"))) {
      Run install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), 600);
      if (install.exit != 0) {
        fail("npm ci in " + jsDir + " failed (exit " + install.exit + "):\n" + install.output);
      }
    }
    openai = fakeOpenAi();
    Path spec = Files.createTempFile("npm-instrumentations", ".yaml");
    Files.writeString(spec, SPEC);
    server =
        TestServers.start(
            "npm",
            java.util.Map.of(
                "tierscope.aggregator.idle-advance-after",
                "1s",
                "tierscope.classes.spec-file",
                spec.toString()));
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (openai != null) {
      openai.stop(0);
    }
  }

  @Test
  void traceloopOpenLlmetryForNode() throws Exception {
    Instant from = Instant.now().minusSeconds(3600);
    int before = completions.get();

    Run result = runClient("traceloop");

    assertThat(completions.get() - before).isEqualTo(REQUESTS);
    DocumentContext slo = awaitRequests("interactive_premium", from);
    assertThat(slo.read("$.requests", Long.class)).isEqualTo(REQUESTS);
    assertThat(slo.read("$.classification.byRule.traceloop", Long.class)).isEqualTo(REQUESTS);
    // No chunk event, no time to first token on its spans: unknown, not guessed from the span end.
    assertThat(slo.read("$.slis.ttft.count", Long.class)).isZero();
    assertThat(slo.read("$.slis.ttft.unknown", Long.class)).isEqualTo(REQUESTS);
    // No streaming attribute on its spans either (docs/span-conventions.md, "GenAI dialects").
    assertThat(slo.read("$.slis.streamInterruption.streams", Long.class)).isZero();
    assertThat(result.output).contains("\"chunks\":" + REQUESTS * CHUNKS);
  }

  @Test
  void openInferenceOpenAiInstrumentation() throws Exception {
    Instant from = Instant.now().minusSeconds(3600);
    int before = streamedCompletions.get();

    Run result = runClient("openinference");

    assertThat(streamedCompletions.get() - before).isEqualTo(REQUESTS);
    DocumentContext slo = awaitRequests("deferred_batch", from);
    assertThat(slo.read("$.requests", Long.class)).isEqualTo(REQUESTS);
    assertThat(slo.read("$.classification.byRule.openinference", Long.class)).isEqualTo(REQUESTS);
    assertThat(slo.read("$.slis.ttft.count", Long.class)).isZero();
    assertThat(slo.read("$.slis.ttft.unknown", Long.class)).isEqualTo(REQUESTS);
    // "stream": true in llm.invocation_parameters.
    assertThat(slo.read("$.slis.streamInterruption.streams", Long.class)).isEqualTo(REQUESTS);
    assertThat(slo.read("$.slis.streamInterruption.interrupted", Long.class)).isZero();
    assertThat(result.output).contains("\"chunks\":" + REQUESTS * CHUNKS);
  }

  // ---- the fake OpenAI-compatible server

  /**
   * {@code POST /v1/chat/completions} answering {@code stream: true} with server-sent events as
   * OpenAI does: a role chunk after 80 ms, content chunks 10 ms apart, a finish chunk, a usage
   * chunk, {@code [DONE]}.
   */
  private static HttpServer fakeOpenAi() throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    s.setExecutor(Executors.newFixedThreadPool(4));
    s.createContext("/v1/chat/completions", GenAiInstrumentationsNpmIT::completion);
    s.start();
    return s;
  }

  private static void completion(HttpExchange exchange) throws IOException {
    try (exchange) {
      String body = new String(exchange.getRequestBody().readAllBytes(), UTF_8);
      completions.incrementAndGet();
      if (!body.replace(" ", "").contains("\"stream\":true")) {
        exchange.sendResponseHeaders(400, -1);
        return;
      }
      streamedCompletions.incrementAndGet();
      exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      String id = "chatcmpl-" + completions.get();
      sleep(80);
      event(out, chunk(id, "{\"role\":\"assistant\",\"content\":\"\"}", null));
      for (String word : new String[] {"Hello", " from", " the"}) {
        sleep(10);
        event(out, chunk(id, "{\"content\":\"" + word + "\"}", null));
      }
      event(out, chunk(id, "{}", "\"stop\""));
      event(
          out,
          "{\"id\":\""
              + id
              + "\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,"
              + "\"model\":\"gpt-4o-mini\",\"choices\":[],"
              + "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":3,\"total_tokens\":12}}");
      out.write("data: [DONE]\n\n".getBytes(UTF_8));
      out.flush();
    }
  }

  private static String chunk(String id, String delta, String finishReason) {
    return "{\"id\":\""
        + id
        + "\",\"object\":\"chat.completion.chunk\",\"created\":1767225600,"
        + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":"
        + delta
        + ",\"finish_reason\":"
        + finishReason
        + "}]}";
  }

  private static void event(OutputStream out, String json) throws IOException {
    out.write(("data: " + json + "\n\n").getBytes(UTF_8));
    out.flush();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  // ---- running node and reading the API

  private static Run runClient(String library) throws Exception {
    String openaiUrl = "http://127.0.0.1:" + openai.getAddress().getPort();
    Run result =
        run(
            List.of(
                "node",
                "instrumented-chat.js",
                library,
                openaiUrl,
                server.otlpHttpUrl(),
                Integer.toString(REQUESTS)),
            180);
    assertThat(result.exit).as("node output:\n%s", result.output).isZero();
    return result;
  }

  private static DocumentContext awaitRequests(String cls, Instant from) throws Exception {
    Instant to = Instant.now().plusSeconds(3600);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      DocumentContext json = slo(cls, from, to);
      if (json.read("$.requests", Long.class) >= REQUESTS || System.nanoTime() > deadline) {
        return json;
      }
      Thread.sleep(500);
    }
  }

  private static DocumentContext slo(String cls, Instant from, Instant to) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        server.apiUrl()
                            + "/api/v1/slo?class="
                            + cls
                            + "&from="
                            + from
                            + "&to="
                            + to))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JsonPath.parse(response.body());
  }

  private record Run(int exit, String output) {}

  /** {@code node --version}, or null when node cannot be run. */
  private static String nodeVersion() {
    try {
      Run r = run(List.of("node", "--version"), 60);
      return r.exit == 0 ? r.output.trim() : null;
    } catch (IOException | InterruptedException e) {
      return null;
    }
  }

  private static Run run(List<String> command, int timeoutSeconds)
      throws IOException, InterruptedException {
    File log = Files.createTempFile("npm-instrumentations-", ".log").toFile();
    try {
      Process p =
          new ProcessBuilder(command)
              .directory(jsDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log)
              .start();
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Run(-1, "timed out after " + timeoutSeconds + " s: " + read(log));
      }
      return new Run(p.exitValue(), read(log));
    } finally {
      Files.deleteIfExists(log.toPath());
    }
  }

  private static String read(File f) throws IOException {
    return Files.readString(f.toPath(), UTF_8);
  }
}
