package dev.tierscope.accuracy;

import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.span.TraceId;
import dev.tierscope.sdk.Outcome;
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
        new Span(
            trace,
            client,
            0,
            TENANT,
            SpanRole.CLIENT,
            SpanKind.CLIENT,
            "",
            cls,
            false,
            workflow,
            r.clientStartMicros(),
            r.clientEndMicros(),
            r.clientFirstTokenMicros(),
            error,
            true,
            outcome,
            false,
            false,
            -1,
            0,
            0,
            r.client().path().value(),
            r.protocolVersion(),
            r.protocolFallback(),
            r.retransmits()));
    spans.add(
        new Span(
            trace,
            gateway,
            client,
            TENANT,
            SpanRole.GATEWAY,
            SpanKind.SERVER,
            "",
            cls,
            false,
            workflow,
            r.gatewayStartMicros(),
            r.gatewayEndMicros(),
            r.gatewayFirstTokenMicros(),
            error,
            true,
            outcome,
            false,
            false,
            -1,
            0,
            0,
            "",
            "",
            false,
            0));
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
            false));
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
              retrieval.fallback()));
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
              false));
    }
    ModelCall m = r.model();
    spans.add(
        new Span(
            trace,
            id,
            gateway,
            TENANT,
            SpanRole.MODEL,
            SpanKind.CLIENT,
            "chat",
            "",
            false,
            "",
            m.startMicros(),
            m.endMicros(),
            m.firstTokenMicros(),
            m.outcome().error(),
            true,
            outcome(m.outcome()),
            false,
            false,
            m.queueMicros(),
            m.inputTokens(),
            m.outputTokens(),
            "",
            "",
            false,
            0));
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
      boolean fallback) {
    return new Span(
        trace,
        id,
        parent,
        TENANT,
        role,
        SpanKind.INTERNAL,
        "",
        "",
        false,
        "",
        start,
        end,
        -1,
        error,
        false,
        StreamOutcome.NONE,
        hit,
        fallback,
        -1,
        0,
        0,
        "",
        "",
        false,
        0);
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
