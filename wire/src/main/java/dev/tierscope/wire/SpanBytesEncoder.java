package dev.tierscope.wire;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import dev.tierscope.core.span.Span;
import dev.tierscope.wire.v1.SpanEvent;

/**
 * Writes core {@link Span}s as the bytes of a Kafka record value; the only way spans become bytes
 * in Tierscope (the ingest publishes with it, tests and benchmarks produce with it).
 *
 * <p>Why an enum of formats (as Zipkin's {@code SpanBytesEncoder}): the format is versioned with
 * the topic. A breaking change adds a constant (and a topic, {@code tierscope.spans.v2}); readers
 * of the old topic keep the old constant.
 *
 * <pre>{@code
 * byte[] value = SpanBytesEncoder.SPAN_EVENT_V1.encode(span);
 * producer.send(new ProducerRecord<>(topic, span.traceId().toBytes(), value));
 * }</pre>
 *
 * <p>The translation: {@link Span#ABSENT} first token is 0 on the wire, an absent queue time (and
 * an absent largest gap or stall count) is an unset optional field, roles, kinds and outcomes map
 * through one table. Nothing is decided here.
 */
public enum SpanBytesEncoder {
  /** {@code tierscope.v1.SpanEvent}, the value of topic {@code tierscope.spans.v1}. */
  SPAN_EVENT_V1 {
    @Override
    public byte[] encode(Span span) {
      return toMessage(span).toByteArray();
    }
  };

  /** The serialized span. */
  public abstract byte[] encode(Span span);

  static SpanEvent toMessage(Span span) {
    SpanEvent.Builder e =
        SpanEvent.newBuilder()
            .setTraceId(UnsafeByteOperations.unsafeWrap(span.traceId().toBytes()))
            .setSpanId(id(span.spanId()))
            .setService(span.service())
            .setTenant(span.tenant())
            .setRole(WireEnums.toWire(span.role()))
            .setKind(WireEnums.toWire(span.kind()))
            .setTrafficClass(span.trafficClass())
            .setWorkflow(span.workflow())
            .setStartEpochNanos(span.startEpochNanos())
            .setEndEpochNanos(span.endEpochNanos())
            .setStatusError(span.error())
            .setStreamed(span.streamed())
            .setStreamOutcome(WireEnums.toWire(span.streamOutcome()))
            .setRetrievalHit(span.retrievalHit())
            .setRetrievalFallback(span.retrievalFallback())
            .setToolName(span.toolName())
            .setInputTokens(span.inputTokens())
            .setOutputTokens(span.outputTokens())
            .setModel(span.model())
            .setClientPath(span.clientPath())
            .setProtocolVersion(span.protocolVersion())
            .setProtocolFallback(span.protocolFallback())
            .setRetransmits(span.retransmits())
            .setConnectionType(span.connectionType())
            .setRegion(span.region())
            .setClassUnknown(span.classUnknown())
            .setOperation(span.operation());
    if (!span.isRoot()) {
      e.setParentSpanId(id(span.parentSpanId()));
    }
    if (span.hasFirstToken()) {
      e.setFirstTokenEpochNanos(span.firstTokenEpochNanos());
    }
    if (span.hasModelQueue()) {
      e.setModelQueueMicros(span.modelQueueMicros());
    }
    if (span.tenantAuthenticated()) {
      e.setTenantAuthenticated(true);
    }
    if (span.admission() != dev.tierscope.core.span.Admission.NONE) {
      e.setAdmission(WireEnums.toWire(span.admission()));
    }
    if (span.degradationLevel() != Span.ABSENT) {
      e.setDegradationLevel(span.degradationLevel());
    }
    if (!span.ruleAttributes().isEmpty()) {
      e.putAllRuleAttributes(span.ruleAttributes());
    }
    if (span.hasStreamMaxGap()) {
      e.setStreamMaxGapMicros(span.streamMaxGapMicros());
    }
    if (span.streamStalls() >= 0) {
      e.setStreamStalls(span.streamStalls());
    }
    // Unknown is what an interrupted span without a cause reads as: not written.
    if (span.interruptionCause().ordinal()
        > dev.tierscope.core.span.InterruptionCause.UNKNOWN.ordinal()) {
      e.setInterruptionCause(WireEnums.toWire(span.interruptionCause()));
    }
    return e.build();
  }

  private static ByteString id(long id) {
    byte[] b = new byte[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) id;
      id >>>= 8;
    }
    return UnsafeByteOperations.unsafeWrap(b);
  }
}
