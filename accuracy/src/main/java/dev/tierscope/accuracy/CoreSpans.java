package dev.tierscope.accuracy;

import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.span.TraceId;
import dev.tierscope.sdk.Outcome;
import dev.tierscope.simulator.Backend;
import dev.tierscope.simulator.SimulatedRequest;
import dev.tierscope.simulator.SimulatedRequest.ModelCall;
import dev.tierscope.simulator.SimulatedRequest.Retrieval;
import dev.tierscope.simulator.SimulatedRequest.ToolCall;
import java.util.ArrayList;
import java.util.List;

/**
 * The core spans the ingest produces for one simulated request, built in process: the same spans,
 * roles, first-token times and attributes that the simulator's {@code TierscopeSink} reports
 * through the SDK and the ingest normalises (client span as root, gateway under it, policy,
 * retrieval, tools and the model span under the gateway).
 *
 * <p>Why not through the SDK: the sweep runs millions of requests; the SDK, OTLP and Kafka add
 * nothing to what attribution sees but time. {@code AttributionAccuracyIT} in the server module
 * runs one seed through the full pipeline and checks that the API gives the verdicts this path
 * gives, so the two cannot drift apart unnoticed.
 */
final class CoreSpans {

  static final String TENANT = "default";

  /** The services of the simulator's client app and gateway ({@code TierscopeSink}). */
  static final String CLIENT_SERVICE = "sim-chat-app";

  static final String GATEWAY_SERVICE = "sim-gateway";

  private CoreSpans() {}

  /** The spans of {@code r}, root first. */
  static List<Span> of(SimulatedRequest r) {
    TraceId trace = TraceId.fromHex(r.traceId());
    String cls = r.trafficClass().value();
    String workflow = r.workflow().value();
    StreamOutcome outcome = outcome(r.outcome());
    boolean error = r.outcome().error();
    List<Span> spans = new ArrayList<>(5 + r.tools().size());
    long client = 1;
    long gateway = 2;
    spans.add(
        span(trace, client, 0, SpanRole.CLIENT, SpanKind.CLIENT)
            .service(CLIENT_SERVICE)
            .trafficClass(cls)
            .workflow(workflow)
            .startEpochNanos(nanos(r.clientStartMicros()))
            .endEpochNanos(nanos(r.clientEndMicros()))
            .firstTokenEpochNanos(nanos(r.clientFirstTokenMicros()))
            .error(error)
            .streamed(true)
            .streamOutcome(outcome)
            .clientPath(r.client().path().value())
            .protocolVersion(r.protocolVersion())
            .protocolFallback(r.protocolFallback())
            .retransmits(r.retransmits())
            .build());
    spans.add(
        span(trace, gateway, client, SpanRole.GATEWAY, SpanKind.SERVER)
            .service(GATEWAY_SERVICE)
            .region(Backend.PRIMARY_REGION)
            .trafficClass(cls)
            .workflow(workflow)
            .startEpochNanos(nanos(r.gatewayStartMicros()))
            .endEpochNanos(nanos(r.gatewayEndMicros()))
            .firstTokenEpochNanos(nanos(r.gatewayFirstTokenMicros()))
            .error(error)
            .streamed(true)
            .streamOutcome(outcome)
            .build());
    long id = 3;
    spans.add(
        child(
            trace,
            id++,
            gateway,
            SpanRole.POLICY,
            r.policy().startMicros(),
            r.policy().endMicros(),
            false,
            false,
            false,
            GATEWAY_SERVICE));
    Retrieval retrieval = r.retrieval();
    if (retrieval != null) {
      spans.add(
          child(
              trace,
              id++,
              gateway,
              SpanRole.RETRIEVAL,
              retrieval.startMicros(),
              retrieval.endMicros(),
              false,
              retrieval.hit(),
              retrieval.fallback(),
              retrieval.backend().service()));
    }
    for (ToolCall t : r.tools()) {
      spans.add(
          child(
              trace,
              id++,
              gateway,
              SpanRole.TOOL,
              t.startMicros(),
              t.endMicros(),
              t.failed(),
              false,
              false,
              GATEWAY_SERVICE));
    }
    ModelCall m = r.model();
    Span.Builder model =
        span(trace, id, gateway, SpanRole.MODEL, SpanKind.CLIENT)
            .service(m.backend().service())
            .region(m.backend().region())
            .operation("chat")
            .startEpochNanos(nanos(m.startMicros()))
            .endEpochNanos(nanos(m.endMicros()))
            .firstTokenEpochNanos(nanos(m.firstTokenMicros()))
            .error(m.outcome().error())
            .streamed(true)
            .streamOutcome(outcome(m.outcome()))
            .inputTokens(m.inputTokens())
            .outputTokens(m.outputTokens());
    if (m.queueMicros() >= 0) {
      model.modelQueueMicros(m.queueMicros());
    }
    spans.add(model.build());
    return spans;
  }

  private static Span child(
      TraceId trace,
      long id,
      long parent,
      SpanRole role,
      long start,
      long end,
      boolean error,
      boolean hit,
      boolean fallback,
      String service) {
    return span(trace, id, parent, role, SpanKind.INTERNAL)
        .service(service)
        .startEpochNanos(nanos(start))
        .endEpochNanos(nanos(end))
        .error(error)
        .streamOutcome(StreamOutcome.NONE)
        .retrievalHit(hit)
        .retrievalFallback(fallback)
        .build();
  }

  private static Span.Builder span(
      TraceId trace, long id, long parent, SpanRole role, SpanKind kind) {
    return Span.builder()
        .traceId(trace)
        .spanId(id)
        .parentSpanId(parent)
        .tenant(TENANT)
        .role(role)
        .kind(kind);
  }

  /** Core spans keep the reported nanoseconds; the simulator's times are microseconds. */
  private static long nanos(long micros) {
    return micros < 0 ? Span.ABSENT : micros * 1_000;
  }

  private static StreamOutcome outcome(Outcome o) {
    return switch (o) {
      case COMPLETED -> StreamOutcome.COMPLETED;
      case INTERRUPTED -> StreamOutcome.INTERRUPTED;
      case CANCELLED -> StreamOutcome.CANCELLED;
      case FAILED -> StreamOutcome.NONE;
    };
  }
}
