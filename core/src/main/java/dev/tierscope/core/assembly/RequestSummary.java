package dev.tierscope.core.assembly;

import dev.tierscope.core.span.Admission;
import dev.tierscope.core.span.InterruptionCause;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.span.TraceId;

/**
 * One assembled request: everything the windows record about it, with its time to first token split
 * into edge, mesh and model for attribution (core/README.md, "Attribution").
 *
 * <p>Durations are microseconds; a component that could not be measured (no client span, so no
 * edge; no model span, so no model component) is -1, never guessed.
 *
 * @param traceId the request's trace
 * @param tenant tenant
 * @param trafficClass class of the closed set (the fallback when none or an unknown one came)
 * @param classUnknown some span reported a class outside the closed set
 * @param workflow workflow name, empty when none
 * @param eventTimeEpochMicros request start (earliest span start), epoch microseconds; decides the
 *     event-time window
 * @param e2eMicros earliest start to latest end, microseconds
 * @param ttftMicros time to first token as seen from {@code ttftVantage}, -1 when none
 * @param ttftVantage which span measured TTFT
 * @param edgeMicros client-observed minus gateway-observed TTFT, -1 when unknown
 * @param meshMicros gateway-observed TTFT minus the model component, -1 when unknown
 * @param modelMicros model span start to its first token (queue + prefill), -1 when unknown
 * @param modelQueueMicros model queue time, -1 when not reported
 * @param streamed the response was streamed
 * @param streamOutcome how the stream ended ({@link StreamOutcome#NONE} when not streamed)
 * @param toolCalls number of tool spans
 * @param toolchainMicros first tool start to last tool end, -1 without tools
 * @param toolchainFailed some tool span had status ERROR
 * @param retrievals number of retrieval spans
 * @param retrievalMisses retrievals without a hit
 * @param retrievalFallbacks misses served by a fallback path
 * @param inputTokens input tokens over all model spans
 * @param outputTokens output tokens over all model spans
 * @param clientPath client path of the client span, empty when unknown
 * @param protocolVersion transport protocol version of the client span, empty when unknown
 * @param protocolFallback the client's transport fell back to an older protocol
 * @param retransmits transport retransmissions seen by the client
 * @param dominantMeshRole the mesh role with the largest total span time
 * @param partial emitted without its root span (maximum age reached, or in-flight cap overflow)
 * @param classRule name of the class rule that decided the class, empty when a span named it or the
 *     fallback applied
 * @param classFallback no span named a class and no rule matched: the fallback class applied
 * @param tenantAuthenticated the tenant is an authenticated caller's identity: caps never fold it
 * @param admission what the gateway did with the request ({@code tierscope.admission}), {@link
 *     Admission#NONE} when no span reported it
 * @param degradationLevel the degradation level it was served with, 0 to 3; -1 when not reported
 * @param connectionType {@code network.connection.type} of the client span, empty when unknown
 * @param region {@code cloud.region} of the gateway span (where the request entered), empty when
 *     unknown
 * @param model {@code gen_ai.request.model} of the model span (else of the gateway or client span),
 *     empty when unknown
 * @param service {@code service.name} of the model span (the backend that served the model call),
 *     empty when unknown
 * @param retrievalService {@code service.name} of the request's slowest retrieval span (the
 *     retriever that served it), empty without a retrieval or when unknown
 * @param streamMaxGapMicros the largest gap between consecutive chunks of the stream, -1 when no
 *     span reported one (or not streamed)
 * @param streamStalls gaps longer than the stall threshold, -1 when no span reported them
 * @param interruptionCause why the stream broke; {@link InterruptionCause#NONE} unless {@code
 *     streamOutcome} is {@link StreamOutcome#INTERRUPTED}
 * @param streamCutAfterMicros for an interrupted or cancelled stream, the time into the stream at
 *     which it broke: the reporting span's start to its end; -1 otherwise
 */
public record RequestSummary(
    TraceId traceId,
    String tenant,
    String trafficClass,
    boolean classUnknown,
    String workflow,
    long eventTimeEpochMicros,
    long e2eMicros,
    long ttftMicros,
    Vantage ttftVantage,
    long edgeMicros,
    long meshMicros,
    long modelMicros,
    long modelQueueMicros,
    boolean streamed,
    StreamOutcome streamOutcome,
    int toolCalls,
    long toolchainMicros,
    boolean toolchainFailed,
    int retrievals,
    int retrievalMisses,
    int retrievalFallbacks,
    long inputTokens,
    long outputTokens,
    String clientPath,
    String protocolVersion,
    boolean protocolFallback,
    int retransmits,
    MeshRole dominantMeshRole,
    boolean partial,
    String classRule,
    boolean classFallback,
    boolean tenantAuthenticated,
    Admission admission,
    int degradationLevel,
    String connectionType,
    String region,
    String model,
    String service,
    String retrievalService,
    long streamMaxGapMicros,
    int streamStalls,
    InterruptionCause interruptionCause,
    long streamCutAfterMicros) {

  public RequestSummary {
    classRule = classRule == null ? "" : classRule;
    admission = admission == null ? Admission.NONE : admission;
    connectionType = connectionType == null ? "" : connectionType;
    region = region == null ? "" : region;
    model = model == null ? "" : model;
    service = service == null ? "" : service;
    retrievalService = retrievalService == null ? "" : retrievalService;
    // A cause belongs to an interruption only, and an interruption always has one (the windows
    // file it by cause).
    if (streamOutcome != StreamOutcome.INTERRUPTED) {
      interruptionCause = InterruptionCause.NONE;
    } else if (interruptionCause == null || interruptionCause == InterruptionCause.NONE) {
      interruptionCause = InterruptionCause.UNKNOWN;
    }
  }

  /** A summary without the retrieval's backend (unknown) and without stream continuity. */
  public RequestSummary(
      TraceId traceId,
      String tenant,
      String trafficClass,
      boolean classUnknown,
      String workflow,
      long eventTimeEpochMicros,
      long e2eMicros,
      long ttftMicros,
      Vantage ttftVantage,
      long edgeMicros,
      long meshMicros,
      long modelMicros,
      long modelQueueMicros,
      boolean streamed,
      StreamOutcome streamOutcome,
      int toolCalls,
      long toolchainMicros,
      boolean toolchainFailed,
      int retrievals,
      int retrievalMisses,
      int retrievalFallbacks,
      long inputTokens,
      long outputTokens,
      String clientPath,
      String protocolVersion,
      boolean protocolFallback,
      int retransmits,
      MeshRole dominantMeshRole,
      boolean partial,
      String classRule,
      boolean classFallback,
      boolean tenantAuthenticated,
      Admission admission,
      int degradationLevel,
      String connectionType,
      String region,
      String model,
      String service) {
    this(
        traceId,
        tenant,
        trafficClass,
        classUnknown,
        workflow,
        eventTimeEpochMicros,
        e2eMicros,
        ttftMicros,
        ttftVantage,
        edgeMicros,
        meshMicros,
        modelMicros,
        modelQueueMicros,
        streamed,
        streamOutcome,
        toolCalls,
        toolchainMicros,
        toolchainFailed,
        retrievals,
        retrievalMisses,
        retrievalFallbacks,
        inputTokens,
        outputTokens,
        clientPath,
        protocolVersion,
        protocolFallback,
        retransmits,
        dominantMeshRole,
        partial,
        classRule,
        classFallback,
        tenantAuthenticated,
        admission,
        degradationLevel,
        connectionType,
        region,
        model,
        service,
        "",
        -1,
        -1,
        streamOutcome == StreamOutcome.INTERRUPTED
            ? InterruptionCause.UNKNOWN
            : InterruptionCause.NONE,
        -1);
  }

  /**
   * A summary without the breakdown dimensions beyond client path and protocol version (connection
   * type, region, model, service unknown) and without stream continuity.
   */
  public RequestSummary(
      TraceId traceId,
      String tenant,
      String trafficClass,
      boolean classUnknown,
      String workflow,
      long eventTimeEpochMicros,
      long e2eMicros,
      long ttftMicros,
      Vantage ttftVantage,
      long edgeMicros,
      long meshMicros,
      long modelMicros,
      long modelQueueMicros,
      boolean streamed,
      StreamOutcome streamOutcome,
      int toolCalls,
      long toolchainMicros,
      boolean toolchainFailed,
      int retrievals,
      int retrievalMisses,
      int retrievalFallbacks,
      long inputTokens,
      long outputTokens,
      String clientPath,
      String protocolVersion,
      boolean protocolFallback,
      int retransmits,
      MeshRole dominantMeshRole,
      boolean partial,
      String classRule,
      boolean classFallback,
      boolean tenantAuthenticated,
      Admission admission,
      int degradationLevel) {
    this(
        traceId,
        tenant,
        trafficClass,
        classUnknown,
        workflow,
        eventTimeEpochMicros,
        e2eMicros,
        ttftMicros,
        ttftVantage,
        edgeMicros,
        meshMicros,
        modelMicros,
        modelQueueMicros,
        streamed,
        streamOutcome,
        toolCalls,
        toolchainMicros,
        toolchainFailed,
        retrievals,
        retrievalMisses,
        retrievalFallbacks,
        inputTokens,
        outputTokens,
        clientPath,
        protocolVersion,
        protocolFallback,
        retransmits,
        dominantMeshRole,
        partial,
        classRule,
        classFallback,
        tenantAuthenticated,
        admission,
        degradationLevel,
        "",
        "",
        "",
        "");
  }

  /** A summary whose tenant no authenticated caller vouches for, without admission control. */
  public RequestSummary(
      TraceId traceId,
      String tenant,
      String trafficClass,
      boolean classUnknown,
      String workflow,
      long eventTimeEpochMicros,
      long e2eMicros,
      long ttftMicros,
      Vantage ttftVantage,
      long edgeMicros,
      long meshMicros,
      long modelMicros,
      long modelQueueMicros,
      boolean streamed,
      StreamOutcome streamOutcome,
      int toolCalls,
      long toolchainMicros,
      boolean toolchainFailed,
      int retrievals,
      int retrievalMisses,
      int retrievalFallbacks,
      long inputTokens,
      long outputTokens,
      String clientPath,
      String protocolVersion,
      boolean protocolFallback,
      int retransmits,
      MeshRole dominantMeshRole,
      boolean partial,
      String classRule,
      boolean classFallback) {
    this(
        traceId,
        tenant,
        trafficClass,
        classUnknown,
        workflow,
        eventTimeEpochMicros,
        e2eMicros,
        ttftMicros,
        ttftVantage,
        edgeMicros,
        meshMicros,
        modelMicros,
        modelQueueMicros,
        streamed,
        streamOutcome,
        toolCalls,
        toolchainMicros,
        toolchainFailed,
        retrievals,
        retrievalMisses,
        retrievalFallbacks,
        inputTokens,
        outputTokens,
        clientPath,
        protocolVersion,
        protocolFallback,
        retransmits,
        dominantMeshRole,
        partial,
        classRule,
        classFallback,
        false,
        Admission.NONE,
        -1);
  }

  /** A summary whose class a span named (no rule, no fallback). */
  public RequestSummary(
      TraceId traceId,
      String tenant,
      String trafficClass,
      boolean classUnknown,
      String workflow,
      long eventTimeEpochMicros,
      long e2eMicros,
      long ttftMicros,
      Vantage ttftVantage,
      long edgeMicros,
      long meshMicros,
      long modelMicros,
      long modelQueueMicros,
      boolean streamed,
      StreamOutcome streamOutcome,
      int toolCalls,
      long toolchainMicros,
      boolean toolchainFailed,
      int retrievals,
      int retrievalMisses,
      int retrievalFallbacks,
      long inputTokens,
      long outputTokens,
      String clientPath,
      String protocolVersion,
      boolean protocolFallback,
      int retransmits,
      MeshRole dominantMeshRole,
      boolean partial) {
    this(
        traceId,
        tenant,
        trafficClass,
        classUnknown,
        workflow,
        eventTimeEpochMicros,
        e2eMicros,
        ttftMicros,
        ttftVantage,
        edgeMicros,
        meshMicros,
        modelMicros,
        modelQueueMicros,
        streamed,
        streamOutcome,
        toolCalls,
        toolchainMicros,
        toolchainFailed,
        retrievals,
        retrievalMisses,
        retrievalFallbacks,
        inputTokens,
        outputTokens,
        clientPath,
        protocolVersion,
        protocolFallback,
        retransmits,
        dominantMeshRole,
        partial,
        "",
        false);
  }
}
