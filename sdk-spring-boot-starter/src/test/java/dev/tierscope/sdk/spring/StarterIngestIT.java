package dev.tierscope.sdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.sdk.BaggageSpanProcessor;
import dev.tierscope.sdk.IngestHarness;
import dev.tierscope.sdk.Tierscope;
import dev.tierscope.wire.v1.SpanEvent;
import dev.tierscope.wire.v1.SpanKind;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter in a Spring Boot app with Spring Boot's OpenTelemetry support and Spring AI,
 * exporting through Boot's OTLP exporter to the real ingest: the spans of a tagged request,
 * Spring's server span and Spring AI's chat-client span included, reach the ingest with the class,
 * workflow and tenant; an untagged chat call gets the configured Spring AI defaults.
 */
@SpringBootTest(
    classes = ChatTestApp.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.application.name=chat-boot",
      "management.tracing.sampling.probability=1.0",
      "management.opentelemetry.tracing.export.schedule-delay=100ms",
      "management.otlp.metrics.export.enabled=false",
      "tierscope.sdk.tenant=acme",
      "tierscope.sdk.spring-ai.traffic-class=deferred_batch",
      "tierscope.sdk.spring-ai.workflow=nightly"
    })
class StarterIngestIT {

  private static IngestHarness ingest;

  @DynamicPropertySource
  static void exportToIngest(DynamicPropertyRegistry registry) {
    ingest = new IngestHarness();
    registry.add(
        "management.opentelemetry.tracing.export.otlp.endpoint",
        () -> ingest.httpBaseUrl() + "/v1/traces");
  }

  @AfterAll
  static void stopIngest() {
    if (ingest != null) {
      ingest.close();
    }
  }

  @LocalServerPort int port;
  @Autowired Tierscope tierscope;
  @Autowired BaggageSpanProcessor baggageSpanProcessor;

  private String get(String path) throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(30))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(path).isEqualTo(200);
    return response.body().trim();
  }

  /**
   * The server span and the chat-client span (and whatever else the request produced). The server
   * span ends after the response reached the client, so it can miss the flush: it is awaited (Boot
   * exports it within the 100 ms schedule delay) before the trace is read.
   */
  private Collection<SpanEvent> trace(String traceId) {
    assertThat(tierscope.flush(Duration.ofSeconds(20)))
        .as("flush of Boot's tracer provider")
        .isTrue();
    ingest.awaitSpans(
        e ->
            IngestHarness.hex(e.getTraceId()).equals(traceId)
                && e.getKind() == SpanKind.SPAN_KIND_SERVER,
        1);
    return ingest.awaitTrace(traceId, 2).values();
  }

  @Test
  void theStarterBuildsOnSpringBootsOpenTelemetry() {
    assertThat(tierscope.endpoint()).isEqualTo("the application's OpenTelemetry");
    assertThat(baggageSpanProcessor)
        .hasToString(
            "BaggageSpanProcessor{keys=[tierscope.class,"
                + " tierscope.workflow, tierscope.tenant], defaultTenant=acme}");
  }

  @Test
  void everySpanOfATaggedRequestReachesIngestWithClassWorkflowAndTenant() throws Exception {
    String traceId = get("/chat?q=refund");
    Collection<SpanEvent> spans = trace(traceId);
    assertThat(spans).extracting(SpanEvent::getKind).contains(SpanKind.SPAN_KIND_SERVER);
    assertThat(spans.stream().filter(e -> !e.getParentSpanId().isEmpty())).isNotEmpty();
    for (SpanEvent e : spans) {
      String what = e.getKind() + " " + IngestHarness.hex(e.getSpanId());
      assertThat(e.getService()).as(what).isEqualTo("chat-boot");
      assertThat(e.getTenant()).as(what).isEqualTo("acme");
      assertThat(e.getTrafficClass()).as(what).isEqualTo("interactive_premium");
      assertThat(e.getWorkflow()).as(what).isEqualTo("support");
    }
  }

  @Test
  void anUntaggedChatCallGetsTheConfiguredSpringAiDefaults() throws Exception {
    String traceId = get("/batch?q=summarise");
    Collection<SpanEvent> spans = trace(traceId);
    SpanEvent server =
        spans.stream().filter(e -> e.getKind() == SpanKind.SPAN_KIND_SERVER).findFirst().get();
    assertThat(server.getTrafficClass()).isEmpty();
    assertThat(server.getTenant()).isEqualTo("acme");
    // Spring AI's chat-client span, a child of the server span.
    SpanEvent chat =
        spans.stream()
            .filter(e -> e.getParentSpanId().equals(server.getSpanId()))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no child of the server span in " + spans));
    assertThat(chat.getTrafficClass()).isEqualTo("deferred_batch");
    assertThat(chat.getWorkflow()).isEqualTo("nightly");
    assertThat(chat.getTenant()).isEqualTo("acme");
  }
}
