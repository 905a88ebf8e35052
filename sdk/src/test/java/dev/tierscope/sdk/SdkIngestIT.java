package dev.tierscope.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.wire.v1.Role;
import dev.tierscope.wire.v1.SpanEvent;
import dev.tierscope.wire.v1.SpanKind;
import dev.tierscope.wire.v1.StreamOutcome;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the real ingest makes of the SDK's spans: each test reports requests through the SDK over
 * OTLP to the ingest's receiver (the otlp-receiver library), then decodes the {@link SpanEvent}s it
 * produced to the broker.
 */
class SdkIngestIT {

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

  private static long nanos(Instant t) {
    return TimeUnit.SECONDS.toNanos(t.getEpochSecond()) + t.getNano();
  }

  private static SpanEvent only(Map<String, SpanEvent> spans, Role role) {
    return spans.values().stream()
        .filter(e -> e.getRole() == role)
        .reduce(
            (a, b) -> {
              throw new AssertionError("two spans of role " + role);
            })
        .orElseThrow(() -> new AssertionError("no span of role " + role + " in " + spans));
  }

  private static void assertFlushed(Tierscope t, long spans) {
    assertThat(t.flush(Duration.ofSeconds(20))).as("flush of " + t).isTrue();
    ExportStats stats = t.stats();
    assertThat(stats.ended()).isEqualTo(spans);
    assertThat(stats.exported()).isEqualTo(spans);
    assertThat(stats.dropped()).isZero();
    assertThat(stats.failed()).isZero();
    assertThat(stats.pending()).isZero();
  }

  @Test
  void everySpanOfARagRequestArrivesWithExactlyTheConventions() {
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.MICROS).minusSeconds(5);
    String traceId;
    String clientId;
    String gatewayId;
    try (Tierscope t = ingest.tierscope(OtlpProtocol.HTTP_PROTOBUF, "chat-app", "acme")) {
      RequestSpan client = t.request(TrafficClass.INTERACTIVE_PREMIUM, "rag").startAt(t0).start();
      client
          .clientPath(ClientPath.VPN)
          .protocolVersion("2")
          .protocolFallback(true)
          .retransmits(2)
          .connectionType(ConnectionType.WIFI);
      RequestSpan gateway =
          t.request(TrafficClass.INTERACTIVE_PREMIUM, "rag")
              .parent(client)
              .startAt(t0.plusMillis(30))
              .start();
      gateway.policy("input-guard", t0.plusMillis(35)).end(t0.plusMillis(50));
      gateway.retrieval(t0.plusMillis(50)).end(false, true, t0.plusMillis(180));
      gateway.tool("search", t0.plusMillis(180)).end(t0.plusMillis(260));
      gateway.tool("calendar", t0.plusMillis(260)).fail("timeout").end(t0.plusMillis(460));
      ModelSpan model =
          gateway
              .model("llama-3.1-8b", t0.plusMillis(470))
              .provider("vllm")
              .queued(Duration.ofMillis(42))
              .tokens(1200, 350);
      model.firstToken(t0.plusMillis(600));
      gateway.firstToken(t0.plusMillis(605));
      client.firstToken(t0.plusMillis(640));
      model.end(Outcome.COMPLETED, t0.plusMillis(3000));
      gateway.end(Outcome.COMPLETED, t0.plusMillis(3005));
      client.end(Outcome.COMPLETED, t0.plusMillis(3040));
      traceId = client.traceId();
      clientId = client.spanId();
      gatewayId = gateway.spanId();
      assertFlushed(t, 7);
    }

    Map<String, SpanEvent> spans = ingest.awaitTrace(traceId, 7);
    assertThat(spans).hasSize(7);
    for (SpanEvent e : spans.values()) {
      assertThat(e.getService()).isEqualTo("chat-app");
      assertThat(e.getTenant()).isEqualTo("acme");
      assertThat(e.getClassUnknown()).isFalse();
    }

    SpanEvent client = spans.get(clientId);
    assertThat(client.getRole()).isEqualTo(Role.ROLE_CLIENT);
    assertThat(client.getKind()).isEqualTo(SpanKind.SPAN_KIND_CLIENT);
    assertThat(client.getParentSpanId().isEmpty()).isTrue();
    assertThat(client.getTrafficClass()).isEqualTo("interactive_premium");
    assertThat(client.getWorkflow()).isEqualTo("rag");
    assertThat(client.getStartEpochNanos()).isEqualTo(nanos(t0));
    assertThat(client.getEndEpochNanos()).isEqualTo(nanos(t0.plusMillis(3040)));
    assertThat(client.getFirstTokenEpochNanos()).isEqualTo(nanos(t0.plusMillis(640)));
    assertThat(client.getStreamed()).isTrue();
    assertThat(client.getStreamOutcome()).isEqualTo(StreamOutcome.STREAM_OUTCOME_COMPLETED);
    assertThat(client.getStatusError()).isFalse();
    assertThat(client.getClientPath()).isEqualTo("vpn");
    assertThat(client.getProtocolVersion()).isEqualTo("2");
    assertThat(client.getProtocolFallback()).isTrue();
    assertThat(client.getRetransmits()).isEqualTo(2);
    assertThat(client.getConnectionType()).isEqualTo("wifi");

    SpanEvent gateway = spans.get(gatewayId);
    assertThat(gateway.getRole()).isEqualTo(Role.ROLE_GATEWAY);
    assertThat(gateway.getKind()).isEqualTo(SpanKind.SPAN_KIND_SERVER);
    assertThat(IngestHarness.hex(gateway.getParentSpanId())).isEqualTo(clientId);
    assertThat(gateway.getTrafficClass()).isEqualTo("interactive_premium");
    assertThat(gateway.getFirstTokenEpochNanos()).isEqualTo(nanos(t0.plusMillis(605)));
    assertThat(gateway.getStreamOutcome()).isEqualTo(StreamOutcome.STREAM_OUTCOME_COMPLETED);
    assertThat(gateway.getClientPath()).isEmpty();

    SpanEvent policy = only(spans, Role.ROLE_POLICY);
    assertThat(IngestHarness.hex(policy.getParentSpanId())).isEqualTo(gatewayId);
    assertThat(policy.getKind()).isEqualTo(SpanKind.SPAN_KIND_INTERNAL);
    assertThat(policy.getEndEpochNanos() - policy.getStartEpochNanos()).isEqualTo(15_000_000L);

    SpanEvent retrieval = only(spans, Role.ROLE_RETRIEVAL);
    assertThat(IngestHarness.hex(retrieval.getParentSpanId())).isEqualTo(gatewayId);
    assertThat(retrieval.getOperation()).isEqualTo("retrieval");
    assertThat(retrieval.getRetrievalHit()).isFalse();
    assertThat(retrieval.getRetrievalFallback()).isTrue();

    assertThat(spans.values().stream().filter(e -> e.getRole() == Role.ROLE_TOOL))
        .extracting(SpanEvent::getToolName, SpanEvent::getStatusError, SpanEvent::getOperation)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple("search", false, "execute_tool"),
            org.assertj.core.groups.Tuple.tuple("calendar", true, "execute_tool"));

    SpanEvent model = only(spans, Role.ROLE_MODEL);
    assertThat(IngestHarness.hex(model.getParentSpanId())).isEqualTo(gatewayId);
    assertThat(model.getKind()).isEqualTo(SpanKind.SPAN_KIND_CLIENT);
    assertThat(model.getOperation()).isEqualTo("chat");
    assertThat(model.getModel()).isEqualTo("llama-3.1-8b");
    assertThat(model.hasModelQueueMicros()).isTrue();
    assertThat(model.getModelQueueMicros()).isEqualTo(42_000L);
    assertThat(model.getInputTokens()).isEqualTo(1200);
    assertThat(model.getOutputTokens()).isEqualTo(350);
    assertThat(model.getStartEpochNanos()).isEqualTo(nanos(t0.plusMillis(470)));
    assertThat(model.getFirstTokenEpochNanos()).isEqualTo(nanos(t0.plusMillis(600)));
    assertThat(model.getStreamed()).isTrue();
    assertThat(model.getStreamOutcome()).isEqualTo(StreamOutcome.STREAM_OUTCOME_COMPLETED);

    // Class and workflow are request-level: on the request spans, not repeated on every step.
    for (SpanEvent step : new SpanEvent[] {policy, retrieval, model}) {
      assertThat(step.getTrafficClass()).isEmpty();
      assertThat(step.getWorkflow()).isEmpty();
    }
  }

  @Test
  void traceContextCarriesOneRequestAcrossServices() {
    String traceId;
    String clientId;
    String gatewayId;
    try (Tierscope app = ingest.tierscope(OtlpProtocol.HTTP_PROTOBUF, "edge-app", "acme");
        Tierscope gatewayService = ingest.tierscope(OtlpProtocol.HTTP_PROTOBUF, "gateway", "acme");
        Tierscope modelService =
            ingest.tierscope(OtlpProtocol.HTTP_PROTOBUF, "model-server", "acme")) {
      // Service 1, the app: its call carries the trace in its HTTP headers.
      RequestSpan client = app.clientRequest(TrafficClass.STANDARD_INTERACTIVE, "chat");
      Map<String, String> toGateway = client.headers();

      // Service 2, the gateway, continues it and calls the model server with its own headers.
      RequestSpan gateway =
          gatewayService.gatewayRequest(TrafficClass.STANDARD_INTERACTIVE, "chat", toGateway);
      gateway.policy("quota").end();
      Map<String, String> toModel = gateway.headers();

      // Service 3, the model server, hangs its span from the gateway's.
      ModelSpan model = modelService.continueTrace(toModel).model("mistral-7b").queueMs(5);
      model.firstToken();
      gateway.firstToken();
      client.firstToken();
      model.tokens(100, 20).end(Outcome.COMPLETED);
      gateway.end(Outcome.COMPLETED);
      client.end(Outcome.COMPLETED);

      traceId = client.traceId();
      clientId = client.spanId();
      gatewayId = gateway.spanId();
      assertThat(gateway.traceId()).isEqualTo(traceId);
      assertThat(model.traceId()).isEqualTo(traceId);
      assertFlushed(app, 1);
      assertFlushed(gatewayService, 2);
      assertFlushed(modelService, 1);
    }

    Map<String, SpanEvent> spans = ingest.awaitTrace(traceId, 4);
    SpanEvent client = spans.get(clientId);
    SpanEvent gateway = spans.get(gatewayId);
    SpanEvent policy = only(spans, Role.ROLE_POLICY);
    SpanEvent model = only(spans, Role.ROLE_MODEL);
    assertThat(client.getService()).isEqualTo("edge-app");
    assertThat(client.getRole()).isEqualTo(Role.ROLE_CLIENT);
    assertThat(client.getParentSpanId().isEmpty()).isTrue();
    assertThat(gateway.getService()).isEqualTo("gateway");
    assertThat(gateway.getRole()).isEqualTo(Role.ROLE_GATEWAY);
    assertThat(IngestHarness.hex(gateway.getParentSpanId())).isEqualTo(clientId);
    assertThat(policy.getService()).isEqualTo("gateway");
    assertThat(IngestHarness.hex(policy.getParentSpanId())).isEqualTo(gatewayId);
    assertThat(model.getService()).isEqualTo("model-server");
    assertThat(IngestHarness.hex(model.getParentSpanId())).isEqualTo(gatewayId);
    assertThat(model.getModelQueueMicros()).isEqualTo(5_000L);
  }

  @Test
  void otlpGrpcDeliversTheSameConventions() {
    Instant t0 = Instant.now().truncatedTo(ChronoUnit.MICROS).minusSeconds(5);
    String traceId;
    try (Tierscope t = ingest.tierscope(OtlpProtocol.GRPC, "batch-worker", "beta")) {
      RequestSpan client =
          t.request(TrafficClass.DEFERRED_BATCH, "batch_summarisation").startAt(t0).start();
      ModelSpan model = client.model("llama-3.1-70b", t0.plusMillis(10)).queueMs(2500.5);
      model.firstToken(t0.plusMillis(3000)).tokens(8000, 600).end(t0.plusMillis(9000));
      client.firstToken(t0.plusMillis(3010)).end(Outcome.COMPLETED, t0.plusMillis(9010));
      traceId = client.traceId();
      assertFlushed(t, 2);
    }
    Map<String, SpanEvent> spans = ingest.awaitTrace(traceId, 2);
    SpanEvent client = only(spans, Role.ROLE_CLIENT);
    SpanEvent model = only(spans, Role.ROLE_MODEL);
    assertThat(client.getTenant()).isEqualTo("beta");
    assertThat(client.getService()).isEqualTo("batch-worker");
    assertThat(client.getTrafficClass()).isEqualTo("deferred_batch");
    assertThat(client.getWorkflow()).isEqualTo("batch_summarisation");
    assertThat(client.getFirstTokenEpochNanos()).isEqualTo(nanos(t0.plusMillis(3010)));
    assertThat(model.getModelQueueMicros()).isEqualTo(2_500_500L);
    assertThat(model.getFirstTokenEpochNanos()).isEqualTo(nanos(t0.plusMillis(3000)));
    assertThat(model.getInputTokens()).isEqualTo(8000);
  }

  @Test
  void streamOutcomesAndFailuresArriveAsReported() {
    Map<Outcome, String> traces = new java.util.EnumMap<>(Outcome.class);
    try (Tierscope t = ingest.tierscope(OtlpProtocol.HTTP_PROTOBUF, "chat-app", null)) {
      for (Outcome outcome : Outcome.values()) {
        RequestSpan r = t.clientRequest(TrafficClass.INTERACTIVE_PREMIUM, "chat");
        if (outcome != Outcome.FAILED) {
          r.firstToken();
        }
        r.end(outcome);
        traces.put(outcome, r.traceId());
      }
      assertFlushed(t, Outcome.values().length);
    }
    Map<Outcome, StreamOutcome> expected =
        Map.of(
            Outcome.COMPLETED, StreamOutcome.STREAM_OUTCOME_COMPLETED,
            Outcome.INTERRUPTED, StreamOutcome.STREAM_OUTCOME_INTERRUPTED,
            Outcome.CANCELLED, StreamOutcome.STREAM_OUTCOME_CANCELLED,
            // No outcome attribute and no first token: the ingest's rule reads it as completed.
            Outcome.FAILED, StreamOutcome.STREAM_OUTCOME_COMPLETED);
    for (Outcome outcome : Outcome.values()) {
      SpanEvent e = only(ingest.awaitTrace(traces.get(outcome), 1), Role.ROLE_CLIENT);
      assertThat(e.getStreamOutcome()).as(outcome.name()).isEqualTo(expected.get(outcome));
      assertThat(e.getStatusError()).as(outcome.name()).isEqualTo(outcome.error());
      assertThat(e.getTenant()).as("absent tenant").isEqualTo("default");
      assertThat(e.getFirstTokenEpochNanos() != 0).isEqualTo(outcome != Outcome.FAILED);
    }
  }
}
