package dev.tierscope.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.wire.v1.Role;
import dev.tierscope.wire.v1.SpanEvent;
import dev.tierscope.wire.v1.SpanKind;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SDK inside an application run with the real OpenTelemetry Java agent (from Maven Central, in
 * its own JVM), with the SDK jar as an agent extension, exporting through the agent's OTLP exporter
 * to the real ingest: the SDK's spans nest under the agent's server span, and the agent's own spans
 * below the tagged request carry the class and tenant.
 */
class JavaAgentIT {

  private static IngestHarness ingest;

  @BeforeAll
  static void startIngest() {
    ingest = new IngestHarness();
  }

  @AfterAll
  static void stopIngest() {
    if (ingest != null) {
      ingest.close();
    }
  }

  private static Path required(String property) {
    String value = System.getProperty(property);
    assertThat(value).as("system property " + property + " (set by the sdk pom)").isNotNull();
    Path path = Path.of(value);
    assertThat(path).as(property).exists();
    return path;
  }

  @Test
  void sdkSpansNestUnderTheAgentsServerSpanAndAgentSpansCarryTheTags() throws Exception {
    Path agent = required("tierscope.test.javaagent");
    Path sdkJar = required("tierscope.test.sdk-jar");
    Path log = Files.createTempFile("agent-chat-app", ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-javaagent:" + agent);
    command.add("-Dotel.javaagent.extensions=" + sdkJar);
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(AgentChatApp.class.getName());
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(log.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("OTEL_"));
    env.put("OTEL_SERVICE_NAME", "agent-chat");
    env.put("OTEL_EXPORTER_OTLP_ENDPOINT", ingest.httpBaseUrl());
    env.put("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf");
    env.put("OTEL_METRICS_EXPORTER", "none");
    env.put("OTEL_LOGS_EXPORTER", "none");
    env.put("OTEL_BSP_SCHEDULE_DELAY", "200");
    Process app = pb.start();
    Map<String, String> ids;
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
      String port = awaitPort(out, app, log);
      HttpResponse<String> response =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/chat"))
                      .timeout(Duration.ofSeconds(30))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      ids = new HashMap<>();
      for (String line : response.body().split("\n")) {
        int eq = line.indexOf('=');
        ids.put(line.substring(0, eq), line.substring(eq + 1));
      }
    } finally {
      // Closing its input stops the app; the agent exports what is queued at exit.
      app.getOutputStream().close();
      if (!app.waitFor(60, TimeUnit.SECONDS)) {
        app.destroyForcibly();
      }
    }
    assertThat(app.exitValue()).as("app exit, log in " + log).isZero();
    assertThat(ids.get("endpoint")).isEqualTo("the application's OpenTelemetry");

    String traceId = ids.get("traceId");
    String serverSpanId = ids.get("serverSpanId");
    String requestSpanId = ids.get("requestSpanId");
    // The agent's /chat server span, the SDK's request and model spans, the agent's HTTP client
    // span to /retrieve and its /retrieve server span.
    Map<String, SpanEvent> spans = ingest.awaitTrace(traceId, 5);
    assertThat(spans).hasSize(5);

    SpanEvent server = spans.get(serverSpanId);
    assertThat(server).as("the agent's server span").isNotNull();
    assertThat(server.getKind()).isEqualTo(SpanKind.SPAN_KIND_SERVER);
    assertThat(server.getParentSpanId().isEmpty()).isTrue();

    SpanEvent request = spans.get(requestSpanId);
    assertThat(request.getRole()).isEqualTo(Role.ROLE_GATEWAY);
    assertThat(IngestHarness.hex(request.getParentSpanId())).isEqualTo(serverSpanId);
    assertThat(request.getKind()).isEqualTo(SpanKind.SPAN_KIND_INTERNAL);
    assertThat(request.getFirstTokenEpochNanos()).isPositive();

    SpanEvent model =
        spans.values().stream().filter(e -> e.getRole() == Role.ROLE_MODEL).findFirst().get();
    assertThat(IngestHarness.hex(model.getParentSpanId())).isEqualTo(requestSpanId);
    assertThat(model.getModelQueueMicros()).isEqualTo(12_000L);

    SpanEvent httpClient =
        spans.values().stream()
            .filter(e -> e.getKind() == SpanKind.SPAN_KIND_CLIENT && e.getRole() != Role.ROLE_MODEL)
            .findFirst()
            .orElseThrow();
    assertThat(IngestHarness.hex(httpClient.getParentSpanId())).isEqualTo(requestSpanId);
    SpanEvent retrieveServer =
        spans.values().stream()
            .filter(e -> e.getKind() == SpanKind.SPAN_KIND_SERVER && e != server)
            .findFirst()
            .orElseThrow();
    assertThat(IngestHarness.hex(retrieveServer.getParentSpanId()))
        .isEqualTo(IngestHarness.hex(httpClient.getSpanId()));

    // Every span, the agent's included, carries the tags: the tagged server span directly, the
    // client span from Baggage, the /retrieve server span from the W3C baggage header.
    for (SpanEvent e : spans.values()) {
      String what = e.getRole() + " " + e.getKind() + " " + IngestHarness.hex(e.getSpanId());
      assertThat(e.getTraceId()).isEqualTo(server.getTraceId());
      assertThat(e.getService()).as(what).isEqualTo("agent-chat");
      assertThat(e.getTenant()).as(what).isEqualTo("acme");
      assertThat(e.getTrafficClass()).as(what).isEqualTo("interactive_premium");
      assertThat(e.getWorkflow()).as(what).isEqualTo("rag");
    }
  }

  private static String awaitPort(BufferedReader out, Process app, Path log) throws Exception {
    CompletableFuture<String> line =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                String l;
                while ((l = out.readLine()) != null) {
                  if (l.startsWith("LISTENING ")) {
                    return l.substring("LISTENING ".length()).trim();
                  }
                }
                return null;
              } catch (java.io.IOException e) {
                return null;
              }
            });
    String port = line.get(120, TimeUnit.SECONDS);
    if (port == null) {
      throw new AssertionError(
          "the app under the agent did not start (alive "
              + app.isAlive()
              + "):\n"
              + Files.readString(log));
    }
    return port;
  }
}
