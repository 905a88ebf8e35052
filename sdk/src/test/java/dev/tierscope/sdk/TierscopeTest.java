package dev.tierscope.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.conventions.SpanAttributes;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What the facade puts on the OpenTelemetry spans, checked on the SDK's own span data. */
class TierscopeTest {

  private static final Instant T0 = Instant.parse("2026-11-27T10:00:00Z");

  private static Tierscope tierscope(RecordingExporter exporter) {
    return Tierscope.builder()
        .serviceName("chat-api")
        .tenant("acme")
        .spanExporter(exporter)
        .scheduleDelay(Duration.ofMillis(10))
        .build();
  }

  private static String str(SpanData s, String key) {
    return s.getAttributes().get(AttributeKey.stringKey(key));
  }

  private static Boolean bool(SpanData s, String key) {
    return s.getAttributes().get(AttributeKey.booleanKey(key));
  }

  private static Long lng(SpanData s, String key) {
    return s.getAttributes().get(AttributeKey.longKey(key));
  }

  private static Double dbl(SpanData s, String key) {
    return s.getAttributes().get(AttributeKey.doubleKey(key));
  }

  private static long micros(Instant t) {
    return TimeUnit.SECONDS.toNanos(t.getEpochSecond()) + t.getNano();
  }

  @Test
  void clientRequestIsARootClientSpanWithClassWorkflowAndStream() {
    RecordingExporter exporter = new RecordingExporter();
    try (Tierscope t = tierscope(exporter)) {
      RequestSpan r =
          t.request(TrafficClass.INTERACTIVE_PREMIUM, "rag").name("client").startAt(T0).start();
      r.clientPath(ClientPath.VPN)
          .protocolVersion("2")
          .protocolFallback(true)
          .retransmits(3)
          .connectionType(ConnectionType.WIFI);
      r.firstToken(T0.plusMillis(420));
      r.firstToken(T0.plusMillis(900)); // ignored: the first one counts
      r.end(Outcome.COMPLETED, T0.plusSeconds(2));
      assertThat(r.role()).isEqualTo("client");
    }
    SpanData s = exporter.named("client");
    assertThat(s.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(s.getParentSpanContext().isValid()).isFalse();
    assertThat(str(s, SpanAttributes.ROLE)).isEqualTo("client");
    assertThat(str(s, SpanAttributes.CLASS)).isEqualTo("interactive_premium");
    assertThat(str(s, SpanAttributes.WORKFLOW)).isEqualTo("rag");
    assertThat(bool(s, SpanAttributes.GEN_AI_REQUEST_STREAM)).isTrue();
    assertThat(str(s, SpanAttributes.STREAM_OUTCOME)).isEqualTo("completed");
    assertThat(str(s, SpanAttributes.CLIENT_PATH)).isEqualTo("vpn");
    assertThat(str(s, SpanAttributes.NETWORK_PROTOCOL_NAME)).isEqualTo("http");
    assertThat(str(s, SpanAttributes.NETWORK_PROTOCOL_VERSION)).isEqualTo("2");
    assertThat(bool(s, SpanAttributes.TRANSPORT_PROTOCOL_FALLBACK)).isTrue();
    assertThat(lng(s, SpanAttributes.TRANSPORT_RETRANSMITS)).isEqualTo(3L);
    assertThat(str(s, SpanAttributes.NETWORK_CONNECTION_TYPE)).isEqualTo("wifi");
    assertThat(s.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(s.getStartEpochNanos()).isEqualTo(micros(T0));
    assertThat(s.getEndEpochNanos()).isEqualTo(micros(T0.plusSeconds(2)));
    assertThat(s.getEvents())
        .extracting(EventData::getName, EventData::getEpochNanos)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(
                SpanAttributes.FIRST_TOKEN_EVENT, micros(T0.plusMillis(420))));
    assertThat(s.getResource().getAttribute(AttributeKey.stringKey(SpanAttributes.SERVICE_NAME)))
        .isEqualTo("chat-api");
    assertThat(s.getResource().getAttribute(AttributeKey.stringKey(SpanAttributes.TENANT)))
        .isEqualTo("acme");
  }

  @Test
  void childStepsCarryTheirRolesOperationsAndResults() {
    RecordingExporter exporter = new RecordingExporter();
    String gatewaySpanId;
    try (Tierscope t = tierscope(exporter)) {
      RequestSpan gw = t.request(TrafficClass.STANDARD_INTERACTIVE, "agent").gateway().start();
      gatewaySpanId = gw.spanId();
      gw.retrieval(T0).end(false, true, T0.plusMillis(80));
      gw.policy("moderation", T0.plusMillis(80)).end(T0.plusMillis(95));
      gw.tool("search", T0.plusMillis(100)).end(T0.plusMillis(300));
      gw.tool("calendar", T0.plusMillis(300)).fail("timeout").end(T0.plusMillis(2300));
      ModelSpan m =
          gw.model("llama-3.1-8b", T0.plusMillis(2300))
              .provider("vllm")
              .queued(Duration.ofMillis(42))
              .tokens(1200, 350);
      m.firstToken(T0.plusMillis(2500)).end(Outcome.COMPLETED, T0.plusMillis(5000));
      gw.firstToken(T0.plusMillis(2510)).end(Outcome.COMPLETED, T0.plusMillis(5010));
    }
    SpanData gateway = exporter.named("agent");
    assertThat(gateway.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(str(gateway, SpanAttributes.ROLE)).isEqualTo("gateway");

    SpanData retrieval = exporter.named("retrieval");
    assertThat(retrieval.getParentSpanId()).isEqualTo(gatewaySpanId);
    assertThat(str(retrieval, SpanAttributes.ROLE)).isEqualTo("retrieval");
    assertThat(str(retrieval, SpanAttributes.GEN_AI_OPERATION_NAME)).isEqualTo("retrieval");
    assertThat(bool(retrieval, SpanAttributes.RETRIEVAL_HIT)).isFalse();
    assertThat(bool(retrieval, SpanAttributes.RETRIEVAL_FALLBACK)).isTrue();

    SpanData policy = exporter.named("policy moderation");
    assertThat(str(policy, SpanAttributes.ROLE)).isEqualTo("policy");

    SpanData search = exporter.named("execute_tool search");
    assertThat(str(search, SpanAttributes.ROLE)).isEqualTo("tool");
    assertThat(str(search, SpanAttributes.GEN_AI_OPERATION_NAME)).isEqualTo("execute_tool");
    assertThat(str(search, SpanAttributes.GEN_AI_TOOL_NAME)).isEqualTo("search");
    assertThat(search.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    SpanData calendar = exporter.named("execute_tool calendar");
    assertThat(calendar.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(calendar.getStatus().getDescription()).isEqualTo("timeout");

    SpanData model = exporter.named("chat llama-3.1-8b");
    assertThat(model.getKind()).isEqualTo(SpanKind.CLIENT);
    assertThat(model.getParentSpanId()).isEqualTo(gatewaySpanId);
    assertThat(str(model, SpanAttributes.ROLE)).isEqualTo("model");
    assertThat(str(model, SpanAttributes.GEN_AI_OPERATION_NAME)).isEqualTo("chat");
    assertThat(str(model, SpanAttributes.GEN_AI_REQUEST_MODEL)).isEqualTo("llama-3.1-8b");
    assertThat(str(model, SpanAttributes.GEN_AI_PROVIDER_NAME)).isEqualTo("vllm");
    assertThat(dbl(model, SpanAttributes.MODEL_QUEUE_MS)).isEqualTo(42.0);
    assertThat(lng(model, SpanAttributes.GEN_AI_USAGE_INPUT_TOKENS)).isEqualTo(1200L);
    assertThat(lng(model, SpanAttributes.GEN_AI_USAGE_OUTPUT_TOKENS)).isEqualTo(350L);
    assertThat(model.getEvents()).extracting(EventData::getName).containsExactly("first_token");
  }

  @Test
  void outcomesMapToStreamOutcomeAndStatus() {
    RecordingExporter exporter = new RecordingExporter();
    try (Tierscope t = tierscope(exporter)) {
      for (Outcome o : Outcome.values()) {
        t.request(TrafficClass.INTERACTIVE_PREMIUM, "chat").name(o.name()).start().end(o);
      }
      t.request(TrafficClass.DEFERRED_BATCH, "batch")
          .name("unstreamed")
          .streamed(false)
          .start()
          .end(Outcome.COMPLETED);
    }
    assertThat(str(exporter.named("COMPLETED"), SpanAttributes.STREAM_OUTCOME))
        .isEqualTo("completed");
    assertThat(exporter.named("COMPLETED").getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(str(exporter.named("INTERRUPTED"), SpanAttributes.STREAM_OUTCOME))
        .isEqualTo("interrupted");
    assertThat(exporter.named("INTERRUPTED").getStatus().getStatusCode())
        .isEqualTo(StatusCode.ERROR);
    assertThat(str(exporter.named("CANCELLED"), SpanAttributes.STREAM_OUTCOME))
        .isEqualTo("cancelled");
    assertThat(exporter.named("CANCELLED").getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(str(exporter.named("FAILED"), SpanAttributes.STREAM_OUTCOME)).isNull();
    assertThat(exporter.named("FAILED").getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(bool(exporter.named("unstreamed"), SpanAttributes.GEN_AI_REQUEST_STREAM)).isFalse();
    assertThat(str(exporter.named("unstreamed"), SpanAttributes.STREAM_OUTCOME)).isNull();
  }

  @Test
  void headersCarryTheTraceToAnotherInstance() {
    RecordingExporter a = new RecordingExporter();
    RecordingExporter b = new RecordingExporter();
    String traceId;
    String clientSpanId;
    String gatewaySpanId;
    try (Tierscope app = tierscope(a);
        Tierscope gateway = tierscope(b)) {
      RequestSpan client = app.clientRequest(TrafficClass.INTERACTIVE_PREMIUM, "chat");
      traceId = client.traceId();
      clientSpanId = client.spanId();
      Map<String, String> headers = new HashMap<>();
      // Servers may hand header names over in any case.
      client.headers().forEach((k, v) -> headers.put(k.toUpperCase(java.util.Locale.ROOT), v));
      assertThat(headers).containsKey("TRACEPARENT");
      RequestSpan gw = gateway.gatewayRequest(TrafficClass.INTERACTIVE_PREMIUM, "chat", headers);
      gatewaySpanId = gw.spanId();
      assertThat(gw.role()).isEqualTo("gateway");
      RemoteParent remote = gateway.continueTrace(gw.headers());
      assertThat(remote.isValid()).isTrue();
      remote.model("m").end(Outcome.COMPLETED);
      gw.end(Outcome.COMPLETED);
      client.end(Outcome.COMPLETED);
    }
    SpanData gw = b.named("chat");
    assertThat(gw.getTraceId()).isEqualTo(traceId);
    assertThat(gw.getParentSpanId()).isEqualTo(clientSpanId);
    assertThat(gw.getKind()).isEqualTo(SpanKind.SERVER);
    assertThat(b.named("chat m").getParentSpanId()).isEqualTo(gatewaySpanId);
    assertThat(b.named("chat m").getTraceId()).isEqualTo(traceId);
  }

  @Test
  void withoutTraceHeadersAGatewayStartsANewTrace() {
    RecordingExporter exporter = new RecordingExporter();
    try (Tierscope t = tierscope(exporter)) {
      assertThat(t.continueTrace(Map.of()).isValid()).isFalse();
      assertThat(t.continueTrace(null).isValid()).isFalse();
      RequestSpan gw =
          t.gatewayRequest(TrafficClass.INTERACTIVE_PREMIUM, "chat", Map.of("traceparent", "x"));
      assertThat(gw.role()).isEqualTo("gateway");
      gw.end();
    }
    SpanData s = exporter.named("chat");
    assertThat(s.getParentSpanContext().isValid()).isFalse();
    assertThat(s.getKind()).isEqualTo(SpanKind.SERVER);
  }

  @Test
  void nullArgumentsAreIgnoredNotThrown() {
    RecordingExporter exporter = new RecordingExporter();
    try (Tierscope t = tierscope(exporter)) {
      RequestSpan r = t.request((TrafficClass) null, null).startAt(null).start();
      r.clientPath(null).protocolVersion(null).connectionType(null).attribute(null, "x");
      r.firstToken(null);
      r.error((Throwable) null);
      r.tool(null).end(null);
      r.model(null).queued(null).queueMs(Double.NaN).provider(null).end((Outcome) null);
      r.inject(null);
      r.end(null, null);
    }
    assertThat(exporter.spans()).hasSize(3);
    assertThat(str(exporter.named("request"), SpanAttributes.CLASS)).isNull();
  }

  @Test
  void fullQueueDropsAndCountsWithoutBlocking() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    RecordingExporter exporter = new RecordingExporter(release, false);
    Tierscope t =
        Tierscope.builder()
            .spanExporter(exporter)
            .maxQueueSize(10)
            .maxExportBatchSize(5)
            .scheduleDelay(Duration.ofMillis(1))
            .build();
    try {
      for (int i = 0; i < 200; i++) {
        t.clientRequest(TrafficClass.INTERACTIVE_PREMIUM, "chat").end(Outcome.COMPLETED);
      }
      ExportStats held = t.stats();
      assertThat(held.ended()).isEqualTo(200);
      // At most the queue plus the one batch held by the blocked exporter got in.
      assertThat(held.dropped()).isBetween(200L - 15, 200L - 10);
      assertThat(held.exported()).isZero();
      assertThat(t.droppedSpans()).isEqualTo(held.dropped());
    } finally {
      release.countDown();
    }
    assertThat(t.flush(Duration.ofSeconds(10))).isTrue();
    ExportStats after = t.stats();
    assertThat(after.exported() + after.dropped()).isEqualTo(200);
    assertThat(after.pending()).isZero();
    assertThat(exporter.spans()).hasSize((int) after.exported());
    t.close();
    // After close the spans are no-ops: nothing is recorded, nothing thrown.
    RequestSpan late = t.clientRequest(TrafficClass.INTERACTIVE_PREMIUM, "after close");
    late.firstToken().end(Outcome.COMPLETED);
    assertThat(late.span().isRecording()).isFalse();
    assertThat(t.stats().ended()).isEqualTo(200);
  }

  @Test
  void anExporterThatThrowsIsCountedAsFailed() {
    Tierscope t =
        Tierscope.builder()
            .spanExporter(new RecordingExporter(null, true))
            .scheduleDelay(Duration.ofMillis(1))
            .build();
    for (int i = 0; i < 5; i++) {
      t.clientRequest(TrafficClass.INTERACTIVE_PREMIUM, "chat").end(Outcome.COMPLETED);
    }
    t.flush(Duration.ofSeconds(5));
    t.close();
    assertThat(t.failedSpans()).isEqualTo(5);
    assertThat(t.stats().lost()).isEqualTo(5);
    assertThat(t.stats().exported()).isZero();
  }

  @Test
  void invalidConfigurationFailsAtBuildNamingTheSetting() {
    assertThatThrownBy(() -> Tierscope.builder().endpoint("localhost:4318").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoint");
    assertThatThrownBy(() -> Tierscope.builder().maxQueueSize(10).maxExportBatchSize(20).build())
        .hasMessageContaining("maxExportBatchSize");
    assertThatThrownBy(() -> Tierscope.builder().compression("zstd").build())
        .hasMessageContaining("compression");
    assertThatThrownBy(
            () ->
                Tierscope.builder()
                    .environment(Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "http/json"))
                    .build())
        .hasMessageContaining("OTEL_EXPORTER_OTLP_PROTOCOL");
    assertThatThrownBy(
            () ->
                Tierscope.builder()
                    .environment(Map.of("OTEL_EXPORTER_OTLP_TIMEOUT", "ten seconds"))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("otel.exporter.otlp.timeout");
    assertThatThrownBy(
            () -> Tierscope.builder().environment(Map.of("OTEL_BSP_MAX_QUEUE_SIZE", "0")).build())
        .hasMessageContaining("maxQueueSize (otel.bsp.max.queue.size)");
  }

  @Test
  void aGatewayRecordsItsAdmissionDecisionAndDegradationLevel() {
    RecordingExporter exporter = new RecordingExporter();
    try (Tierscope t = tierscope(exporter)) {
      t.request(TrafficClass.DEFERRED_BATCH, "summarise")
          .gateway()
          .name("shed")
          .startAt(T0)
          .start()
          .admission(Admission.SHED)
          .streamed(false)
          .end(Outcome.FAILED, T0.plusMillis(3));
      t.request(TrafficClass.STANDARD_INTERACTIVE, "chat")
          .gateway()
          .name("degraded")
          .startAt(T0)
          .start()
          .admission(Admission.ADMITTED)
          .degradation(2)
          .degradation(7) // ignored: not a level
          .firstToken(T0.plusMillis(400))
          .end(Outcome.COMPLETED, T0.plusMillis(900));
    }
    SpanData shed = exporter.named("shed");
    assertThat(str(shed, SpanAttributes.ADMISSION)).isEqualTo("shed");
    assertThat(lng(shed, SpanAttributes.DEGRADATION)).isNull();
    assertThat(str(shed, SpanAttributes.STREAM_OUTCOME)).isNull();
    assertThat(shed.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    SpanData degraded = exporter.named("degraded");
    assertThat(str(degraded, SpanAttributes.ADMISSION)).isEqualTo("admitted");
    assertThat(lng(degraded, SpanAttributes.DEGRADATION)).isEqualTo(2L);
  }
}
