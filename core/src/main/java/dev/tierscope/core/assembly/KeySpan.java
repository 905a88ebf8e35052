package dev.tierscope.core.assembly;

import dev.tierscope.core.span.InterruptionCause;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.span.StreamOutcome;

/**
 * The compact state kept for a span whose role matters for the TTFT decomposition (client, gateway,
 * model) or is not decided yet (a SERVER span with a parent). Other spans are folded into counters
 * as they arrive.
 */
final class KeySpan {
  long spanId;
  long parentSpanId;
  SpanRole role;
  SpanKind kind;

  /** The role by operation name alone, used when an unspecified span is not the gateway. */
  SpanRole operationRole;

  long startMicros;
  long endMicros;
  long firstTokenMicros;
  boolean error;
  boolean streamed;
  StreamOutcome outcome;
  boolean retrievalHit;
  boolean retrievalFallback;
  long queueMicros;
  String clientPath;
  String protocolVersion;
  boolean protocolFallback;
  int retransmits;
  String connectionType = "";
  String service = "";
  String model = "";
  String region = "";

  /** Largest gap between chunks, microseconds; -1 when not reported. */
  long maxGapMicros = -1;

  /** Stalls; -1 when not reported. */
  int stalls = -1;

  InterruptionCause cause = InterruptionCause.NONE;

  static KeySpan of(Span s, SpanRole operationRole) {
    KeySpan k = new KeySpan();
    k.spanId = s.spanId();
    k.parentSpanId = s.parentSpanId();
    k.role = s.role();
    k.kind = s.kind();
    k.operationRole = operationRole;
    k.startMicros = s.startEpochMicros();
    k.endMicros = s.endEpochMicros();
    k.firstTokenMicros = s.firstTokenEpochMicros();
    k.error = s.error();
    k.streamed = s.streamed();
    k.outcome = s.streamOutcome();
    k.retrievalHit = s.retrievalHit();
    k.retrievalFallback = s.retrievalFallback();
    k.queueMicros = s.modelQueueMicros();
    k.clientPath = s.clientPath();
    k.protocolVersion = s.protocolVersion();
    k.protocolFallback = s.protocolFallback();
    k.retransmits = s.retransmits();
    k.connectionType = s.connectionType();
    k.service = s.service();
    k.model = s.model();
    k.region = s.region();
    k.maxGapMicros = s.streamMaxGapMicros();
    k.stalls = s.streamStalls();
    k.cause = s.interruptionCause();
    return k;
  }

  /** Time to first token as this span saw it, -1 when it reported none. */
  long ttftMicros() {
    return firstTokenMicros < 0 ? -1 : Math.max(0, firstTokenMicros - startMicros);
  }
}
