package dev.tierscope.core.span;

/**
 * One normalised span as the aggregator sees it: only what assembly needs.
 *
 * <p>Times are epoch microseconds; ids are the OTLP ids ({@code parentSpanId == 0} for a root
 * span). Strings are empty, never null, when absent.
 *
 * @param traceId the request this span belongs to
 * @param spanId 8-byte span id
 * @param parentSpanId 8-byte parent span id, 0 for a root span
 * @param tenant tenant, {@code default} when not reported
 * @param role the role stated or inferred at the ingest; {@link SpanRole#UNSPECIFIED} for a SERVER
 *     span with a parent, decided at assembly
 * @param kind OpenTelemetry span kind
 * @param operation {@code gen_ai.operation.name}, empty when absent
 * @param trafficClass class of the closed set, empty when the span carried none
 * @param classUnknown the span carried a class value outside the set
 * @param workflow workflow name, empty when absent
 * @param startEpochMicros span start, epoch microseconds
 * @param endEpochMicros span end, epoch microseconds
 * @param firstTokenEpochMicros first token time, epoch microseconds, -1 when not reported
 * @param error status ERROR
 * @param streamed the response was streamed
 * @param streamOutcome how the stream ended, as reported or derived at the ingest
 * @param retrievalHit retrieval found usable context
 * @param retrievalFallback a miss was served by a fallback path
 * @param modelQueueMicros model queue time in microseconds, -1 when not reported
 * @param inputTokens input tokens, 0 when not reported
 * @param outputTokens output tokens, 0 when not reported
 * @param clientPath {@code direct}, {@code vpn}, {@code sase}, {@code mobile} or empty
 * @param protocolVersion {@code 1.1}, {@code 2}, {@code 3} or empty
 * @param protocolFallback the transport fell back to an older protocol
 * @param retransmits transport retransmissions seen by the client
 */
public record Span(
    TraceId traceId,
    long spanId,
    long parentSpanId,
    String tenant,
    SpanRole role,
    SpanKind kind,
    String operation,
    String trafficClass,
    boolean classUnknown,
    String workflow,
    long startEpochMicros,
    long endEpochMicros,
    long firstTokenEpochMicros,
    boolean error,
    boolean streamed,
    StreamOutcome streamOutcome,
    boolean retrievalHit,
    boolean retrievalFallback,
    long modelQueueMicros,
    long inputTokens,
    long outputTokens,
    String clientPath,
    String protocolVersion,
    boolean protocolFallback,
    int retransmits) {

  /** True for the root span of the trace. */
  public boolean isRoot() {
    return parentSpanId == 0;
  }
}
