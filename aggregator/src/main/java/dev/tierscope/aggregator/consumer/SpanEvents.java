package dev.tierscope.aggregator.consumer;

import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.span.TraceId;
import dev.tierscope.wire.v1.SpanEvent;
import java.nio.ByteBuffer;

/** Maps the wire {@link SpanEvent} onto the core {@link Span}; rejects what cannot be assembled. */
final class SpanEvents {

  private SpanEvents() {}

  /**
   * @throws IllegalArgumentException naming the problem when ids are missing or malformed
   */
  static Span toSpan(SpanEvent e) {
    if (e.getTraceId().size() != 16) {
      throw new IllegalArgumentException("trace_id must be 16 bytes, got " + e.getTraceId().size());
    }
    if (e.getSpanId().size() != 8) {
      throw new IllegalArgumentException("span_id must be 8 bytes, got " + e.getSpanId().size());
    }
    int parentSize = e.getParentSpanId().size();
    if (parentSize != 0 && parentSize != 8) {
      throw new IllegalArgumentException(
          "parent_span_id must be empty or 8 bytes, got " + parentSize);
    }
    ByteBuffer trace = e.getTraceId().asReadOnlyByteBuffer();
    long start = e.getStartEpochNanos() / 1_000;
    long end = e.getEndEpochNanos() / 1_000;
    if (end < start) {
      throw new IllegalArgumentException("span ends before it starts");
    }
    return new Span(
        new TraceId(trace.getLong(0), trace.getLong(8)),
        e.getSpanId().asReadOnlyByteBuffer().getLong(0),
        parentSize == 0 ? 0 : e.getParentSpanId().asReadOnlyByteBuffer().getLong(0),
        e.getTenant().isEmpty() ? "default" : e.getTenant(),
        role(e),
        kind(e),
        e.getOperation(),
        e.getTrafficClass(),
        e.getClassUnknown(),
        e.getWorkflow(),
        start,
        end,
        e.getFirstTokenEpochNanos() == 0 ? -1 : e.getFirstTokenEpochNanos() / 1_000,
        e.getStatusError(),
        e.getStreamed(),
        outcome(e),
        e.getRetrievalHit(),
        e.getRetrievalFallback(),
        e.hasModelQueueMicros() ? Math.max(0, e.getModelQueueMicros()) : -1,
        e.getInputTokens(),
        e.getOutputTokens(),
        e.getClientPath(),
        e.getProtocolVersion(),
        e.getProtocolFallback(),
        e.getRetransmits());
  }

  private static SpanRole role(SpanEvent e) {
    return switch (e.getRole()) {
      case ROLE_CLIENT -> SpanRole.CLIENT;
      case ROLE_GATEWAY -> SpanRole.GATEWAY;
      case ROLE_MODEL -> SpanRole.MODEL;
      case ROLE_RETRIEVAL -> SpanRole.RETRIEVAL;
      case ROLE_TOOL -> SpanRole.TOOL;
      case ROLE_POLICY -> SpanRole.POLICY;
      case ROLE_INTERNAL -> SpanRole.INTERNAL;
      default -> SpanRole.UNSPECIFIED;
    };
  }

  private static SpanKind kind(SpanEvent e) {
    return switch (e.getKind()) {
      case SPAN_KIND_INTERNAL -> SpanKind.INTERNAL;
      case SPAN_KIND_SERVER -> SpanKind.SERVER;
      case SPAN_KIND_CLIENT -> SpanKind.CLIENT;
      case SPAN_KIND_PRODUCER -> SpanKind.PRODUCER;
      case SPAN_KIND_CONSUMER -> SpanKind.CONSUMER;
      default -> SpanKind.UNSPECIFIED;
    };
  }

  private static StreamOutcome outcome(SpanEvent e) {
    return switch (e.getStreamOutcome()) {
      case STREAM_OUTCOME_COMPLETED -> StreamOutcome.COMPLETED;
      case STREAM_OUTCOME_INTERRUPTED -> StreamOutcome.INTERRUPTED;
      case STREAM_OUTCOME_CANCELLED -> StreamOutcome.CANCELLED;
      default -> StreamOutcome.NONE;
    };
  }
}
