package dev.tierscope.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.wire.v1.Role;
import dev.tierscope.wire.v1.SpanEvent;
import dev.tierscope.wire.v1.StreamOutcome;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * Spans made by the OpenTelemetry Java SDK the way an instrumented AI service makes them, tagged
 * per SPAN-CONVENTIONS.md, for the real SDK exporters to send.
 */
final class SdkTraces {

  static final long MS = 1_000_000L;

  private SdkTraces() {}

  /**
   * One chat request: a streamed client root span (first_token event, edge attributes, class), a
   * gateway (explicit role, time_to_first_chunk, interrupted stream), a model span (tokens, queue,
   * server TTFT), a retrieval that missed and fell back, and a failed tool call.
   */
  static List<SpanData> chatTrace(long t0Nanos) {
    List<SpanData> finished = new CopyOnWriteArrayList<>();
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.create(
                    Attributes.of(
                        AttributeKey.stringKey(SpanAttributes.SERVICE_NAME), "chat-edge",
                        AttributeKey.stringKey(SpanAttributes.TENANT), "acme")))
            .addSpanProcessor(new Collect(finished))
            .build();
    Tracer tracer = provider.get("tierscope-it");

    io.opentelemetry.api.trace.Span client =
        tracer
            .spanBuilder("POST /v1/chat")
            .setNoParent()
            .setSpanKind(SpanKind.CLIENT)
            .setStartTimestamp(t0Nanos, TimeUnit.NANOSECONDS)
            .setAttribute(SpanAttributes.CLASS, SpanAttributes.Classes.INTERACTIVE_PREMIUM)
            .setAttribute(SpanAttributes.WORKFLOW, "support-chat")
            .setAttribute(SpanAttributes.GEN_AI_REQUEST_STREAM, true)
            .setAttribute(SpanAttributes.CLIENT_PATH, "vpn")
            .setAttribute(SpanAttributes.NETWORK_PROTOCOL_NAME, "http")
            .setAttribute(SpanAttributes.NETWORK_PROTOCOL_VERSION, "3")
            .setAttribute(SpanAttributes.NETWORK_CONNECTION_TYPE, "cell")
            .setAttribute(SpanAttributes.TRANSPORT_PROTOCOL_FALLBACK, true)
            .setAttribute(SpanAttributes.TRANSPORT_RETRANSMITS, 2L)
            .setAttribute("http.request.method", "POST")
            .startSpan();
    client.addEvent(SpanAttributes.FIRST_TOKEN_EVENT, t0Nanos + 420 * MS, TimeUnit.NANOSECONDS);
    Context inClient = Context.root().with(client);

    io.opentelemetry.api.trace.Span gateway =
        tracer
            .spanBuilder("chat gateway")
            .setParent(inClient)
            .setSpanKind(SpanKind.SERVER)
            .setStartTimestamp(t0Nanos + 20 * MS, TimeUnit.NANOSECONDS)
            .setAttribute(SpanAttributes.ROLE, SpanAttributes.Roles.GATEWAY)
            .setAttribute(SpanAttributes.GEN_AI_REQUEST_STREAM, true)
            .setAttribute(SpanAttributes.GEN_AI_TIME_TO_FIRST_CHUNK, 0.35)
            .setAttribute(SpanAttributes.STREAM_OUTCOME, SpanAttributes.StreamOutcomes.INTERRUPTED)
            .startSpan();
    Context inGateway = inClient.with(gateway);

    io.opentelemetry.api.trace.Span retrieval =
        tracer
            .spanBuilder("retrieval docs")
            .setParent(inGateway)
            .setStartTimestamp(t0Nanos + 25 * MS, TimeUnit.NANOSECONDS)
            .setAttribute(SpanAttributes.GEN_AI_OPERATION_NAME, SpanAttributes.OPERATION_RETRIEVAL)
            .setAttribute(SpanAttributes.RETRIEVAL_HIT, false)
            .setAttribute(SpanAttributes.RETRIEVAL_FALLBACK, true)
            .startSpan();
    retrieval.end(t0Nanos + 60 * MS, TimeUnit.NANOSECONDS);

    io.opentelemetry.api.trace.Span tool =
        tracer
            .spanBuilder("execute_tool web_search")
            .setParent(inGateway)
            .setStartTimestamp(t0Nanos + 60 * MS, TimeUnit.NANOSECONDS)
            .setAttribute(
                SpanAttributes.GEN_AI_OPERATION_NAME, SpanAttributes.OPERATION_EXECUTE_TOOL)
            .setAttribute(SpanAttributes.GEN_AI_TOOL_NAME, "web_search")
            .startSpan();
    tool.setStatus(StatusCode.ERROR, "timeout");
    tool.end(t0Nanos + 90 * MS, TimeUnit.NANOSECONDS);

    io.opentelemetry.api.trace.Span model =
        tracer
            .spanBuilder("chat llama-3.1-70b")
            .setParent(inGateway)
            .setSpanKind(SpanKind.CLIENT)
            .setStartTimestamp(t0Nanos + 100 * MS, TimeUnit.NANOSECONDS)
            .setAttribute(SpanAttributes.GEN_AI_OPERATION_NAME, SpanAttributes.OPERATION_CHAT)
            .setAttribute(SpanAttributes.GEN_AI_REQUEST_MODEL, "llama-3.1-70b")
            .setAttribute(SpanAttributes.GEN_AI_PROVIDER_NAME, "vllm")
            .setAttribute(SpanAttributes.GEN_AI_USAGE_INPUT_TOKENS, 1200L)
            .setAttribute(SpanAttributes.GEN_AI_USAGE_OUTPUT_TOKENS, 350L)
            .setAttribute(SpanAttributes.MODEL_QUEUE_MS, 12.5)
            .setAttribute(SpanAttributes.GEN_AI_SERVER_TIME_TO_FIRST_TOKEN, 0.25)
            .startSpan();
    model.end(t0Nanos + 900 * MS, TimeUnit.NANOSECONDS);
    gateway.end(t0Nanos + 950 * MS, TimeUnit.NANOSECONDS);
    client.end(t0Nanos + 1000 * MS, TimeUnit.NANOSECONDS);
    provider.close();
    return List.copyOf(finished);
  }

  /** {@code n} plain spans of one new trace, class deferred_batch. */
  static List<SpanData> simpleTrace(int n, long t0Nanos) {
    List<SpanData> finished = new CopyOnWriteArrayList<>();
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.create(
                    Attributes.of(AttributeKey.stringKey(SpanAttributes.SERVICE_NAME), "batch")))
            .addSpanProcessor(new Collect(finished))
            .build();
    Tracer tracer = provider.get("tierscope-it");
    io.opentelemetry.api.trace.Span root =
        tracer
            .spanBuilder("job")
            .setNoParent()
            .setSpanKind(SpanKind.SERVER)
            .setStartTimestamp(t0Nanos, TimeUnit.NANOSECONDS)
            .setAttribute(SpanAttributes.CLASS, SpanAttributes.Classes.DEFERRED_BATCH)
            .startSpan();
    for (int i = 1; i < n; i++) {
      tracer
          .spanBuilder("step " + i)
          .setParent(Context.root().with(root))
          .setStartTimestamp(t0Nanos + i * MS, TimeUnit.NANOSECONDS)
          .startSpan()
          .end(t0Nanos + (i + 1) * MS, TimeUnit.NANOSECONDS);
    }
    root.end(t0Nanos + (n + 1) * MS, TimeUnit.NANOSECONDS);
    provider.close();
    return List.copyOf(finished);
  }

  /**
   * Asserts that the spans of {@link #chatTrace(long)} arrived once each and normalised as the span
   * conventions say.
   */
  static void assertChatTraceNormalised(List<SpanEvent> events, List<SpanData> sent, long t0) {
    assertThat(events).hasSize(sent.size());
    assertThat(events)
        .extracting(e -> HexFormat.of().formatHex(e.getSpanId().toByteArray()))
        .containsExactlyInAnyOrderElementsOf(sent.stream().map(SpanData::getSpanId).toList());
    assertThat(events)
        .allSatisfy(
            e -> {
              assertThat(e.getService()).isEqualTo("chat-edge");
              assertThat(e.getTenant()).isEqualTo("acme");
            });
    SpanEvent client = byRole(events, Role.ROLE_CLIENT);
    assertThat(client.getKind()).isEqualTo(dev.tierscope.wire.v1.SpanKind.SPAN_KIND_CLIENT);
    assertThat(client.getParentSpanId()).isEmpty();
    assertThat(client.getTrafficClass()).isEqualTo(SpanAttributes.Classes.INTERACTIVE_PREMIUM);
    assertThat(client.getWorkflow()).isEqualTo("support-chat");
    assertThat(client.getStartEpochNanos()).isEqualTo(t0);
    assertThat(client.getEndEpochNanos()).isEqualTo(t0 + 1000 * MS);
    assertThat(client.getFirstTokenEpochNanos()).isEqualTo(t0 + 420 * MS);
    assertThat(client.getStreamed()).isTrue();
    assertThat(client.getStreamOutcome()).isEqualTo(StreamOutcome.STREAM_OUTCOME_COMPLETED);
    assertThat(client.getClientPath()).isEqualTo("vpn");
    assertThat(client.getProtocolVersion()).isEqualTo("3");
    assertThat(client.getConnectionType()).isEqualTo("cell");
    assertThat(client.getProtocolFallback()).isTrue();
    assertThat(client.getRetransmits()).isEqualTo(2);

    SpanEvent gateway = byRole(events, Role.ROLE_GATEWAY);
    assertThat(gateway.getParentSpanId()).isEqualTo(client.getSpanId());
    assertThat(gateway.getFirstTokenEpochNanos()).isEqualTo(t0 + 370 * MS);
    assertThat(gateway.getStreamOutcome()).isEqualTo(StreamOutcome.STREAM_OUTCOME_INTERRUPTED);
    assertThat(gateway.getTrafficClass()).isEmpty();

    SpanEvent retrieval = byRole(events, Role.ROLE_RETRIEVAL);
    assertThat(retrieval.getRetrievalHit()).isFalse();
    assertThat(retrieval.getRetrievalFallback()).isTrue();

    SpanEvent tool = byRole(events, Role.ROLE_TOOL);
    assertThat(tool.getToolName()).isEqualTo("web_search");
    assertThat(tool.getStatusError()).isTrue();

    SpanEvent model = byRole(events, Role.ROLE_MODEL);
    assertThat(model.getParentSpanId()).isEqualTo(gateway.getSpanId());
    assertThat(model.getOperation()).isEqualTo("chat");
    assertThat(model.getModel()).isEqualTo("llama-3.1-70b");
    assertThat(model.getInputTokens()).isEqualTo(1200);
    assertThat(model.getOutputTokens()).isEqualTo(350);
    assertThat(model.getModelQueueMicros()).isEqualTo(12_500);
    assertThat(model.getFirstTokenEpochNanos()).isEqualTo(t0 + 350 * MS);
  }

  static SpanEvent byRole(List<SpanEvent> events, Role role) {
    List<SpanEvent> found = events.stream().filter(e -> e.getRole() == role).toList();
    assertThat(found).as("spans with %s", role).hasSize(1);
    return found.get(0);
  }

  /** Exports with a real exporter and waits for its verdict (the exporter retries by itself). */
  static boolean export(SpanExporter exporter, List<SpanData> spans) {
    CompletableResultCode result = exporter.export(spans).join(60, TimeUnit.SECONDS);
    return result.isSuccess();
  }

  /** Collects every finished span. */
  private record Collect(List<SpanData> finished) implements SpanProcessor {
    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
      return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
      finished.add(span.toSpanData());
    }

    @Override
    public boolean isEndRequired() {
      return true;
    }
  }
}
