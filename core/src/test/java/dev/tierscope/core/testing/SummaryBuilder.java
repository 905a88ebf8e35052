package dev.tierscope.core.testing;

import dev.tierscope.core.assembly.MeshRole;
import dev.tierscope.core.assembly.RequestSummary;
import dev.tierscope.core.assembly.Vantage;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.span.TraceId;

/**
 * Builds {@link RequestSummary} records for window and SLO tests: a complete, non-streamed request
 * without tools, retrievals or tokens, whose latencies are all unknown (-1) unless set.
 */
public final class SummaryBuilder {

  private TraceId traceId = new TraceId(1, 2);
  private String tenant = "acme";
  private String trafficClass = "interactive_premium";
  private boolean classUnknown;
  private String workflow = "";
  private long eventTimeEpochMicros = SpanBuilder.T0;
  private long e2eMicros = -1;
  private long ttftMicros = -1;
  private Vantage ttftVantage = Vantage.NONE;
  private long edgeMicros = -1;
  private long meshMicros = -1;
  private long modelMicros = -1;
  private long modelQueueMicros = -1;
  private boolean streamed;
  private StreamOutcome streamOutcome = StreamOutcome.NONE;
  private int toolCalls;
  private long toolchainMicros = -1;
  private boolean toolchainFailed;
  private int retrievals;
  private int retrievalMisses;
  private int retrievalFallbacks;
  private long inputTokens;
  private long outputTokens;
  private String clientPath = "";
  private String protocolVersion = "";
  private String connectionType = "";
  private String region = "";
  private String model = "";
  private String service = "";
  private String retrievalService = "";
  private boolean protocolFallback;
  private int retransmits;
  private MeshRole dominantMeshRole = MeshRole.NONE;
  private boolean partial;
  private boolean tenantAuthenticated;
  private long streamMaxGapMicros = -1;
  private int streamStalls = -1;
  private dev.tierscope.core.span.InterruptionCause interruptionCause;
  private long streamCutAfterMicros = -1;

  private SummaryBuilder() {}

  public static SummaryBuilder request() {
    return new SummaryBuilder();
  }

  public SummaryBuilder traceId(long low) {
    this.traceId = new TraceId(1, low);
    return this;
  }

  public SummaryBuilder tenant(String tenant) {
    this.tenant = tenant;
    return this;
  }

  public SummaryBuilder trafficClass(String trafficClass) {
    this.trafficClass = trafficClass;
    return this;
  }

  public SummaryBuilder classUnknown() {
    this.classUnknown = true;
    return this;
  }

  public SummaryBuilder workflow(String workflow) {
    this.workflow = workflow;
    return this;
  }

  public SummaryBuilder eventTime(long epochMicros) {
    this.eventTimeEpochMicros = epochMicros;
    return this;
  }

  public SummaryBuilder e2e(long micros) {
    this.e2eMicros = micros;
    return this;
  }

  /** TTFT seen from the client, with its decomposition. */
  public SummaryBuilder clientTtft(long edge, long mesh, long model) {
    this.ttftMicros = edge + mesh + model;
    this.ttftVantage = Vantage.CLIENT;
    this.edgeMicros = edge;
    this.meshMicros = mesh;
    this.modelMicros = model;
    return this;
  }

  /** TTFT seen from the gateway: the edge is unknown. */
  public SummaryBuilder gatewayTtft(long ttft) {
    this.ttftMicros = ttft;
    this.ttftVantage = Vantage.GATEWAY;
    return this;
  }

  public SummaryBuilder modelQueue(long micros) {
    this.modelQueueMicros = micros;
    return this;
  }

  public SummaryBuilder stream(StreamOutcome outcome) {
    this.streamed = true;
    this.streamOutcome = outcome;
    return this;
  }

  public SummaryBuilder toolchain(int calls, long micros, boolean failed) {
    this.toolCalls = calls;
    this.toolchainMicros = micros;
    this.toolchainFailed = failed;
    return this;
  }

  public SummaryBuilder retrievals(int retrievals, int misses, int fallbacks) {
    this.retrievals = retrievals;
    this.retrievalMisses = misses;
    this.retrievalFallbacks = fallbacks;
    return this;
  }

  public SummaryBuilder tokens(long input, long output) {
    this.inputTokens = input;
    this.outputTokens = output;
    return this;
  }

  /** The breakdown dimensions beyond the client path (empty strings: not reported). */
  public SummaryBuilder dimensions(
      String protocolVersion, String connectionType, String region, String model, String service) {
    this.protocolVersion = protocolVersion;
    this.connectionType = connectionType;
    this.region = region;
    this.model = model;
    this.service = service;
    return this;
  }

  /** {@code service.name} of the request's (slowest) retrieval span. */
  public SummaryBuilder retrievalService(String service) {
    this.retrievalService = service;
    return this;
  }

  public SummaryBuilder transport(String clientPath, boolean protocolFallback, int retransmits) {
    this.clientPath = clientPath;
    this.protocolFallback = protocolFallback;
    this.retransmits = retransmits;
    return this;
  }

  public SummaryBuilder dominantMeshRole(MeshRole role) {
    this.dominantMeshRole = role;
    return this;
  }

  /** The largest gap between chunks and the stalls (-1: not reported). */
  public SummaryBuilder continuity(long maxGapMicros, int stalls) {
    this.streamMaxGapMicros = maxGapMicros;
    this.streamStalls = stalls;
    return this;
  }

  /** An interrupted stream, broken {@code cutAfterMicros} into it for {@code cause}. */
  public SummaryBuilder interrupted(
      dev.tierscope.core.span.InterruptionCause cause, long cutAfterMicros) {
    this.streamed = true;
    this.streamOutcome = StreamOutcome.INTERRUPTED;
    this.interruptionCause = cause;
    this.streamCutAfterMicros = cutAfterMicros;
    return this;
  }

  /** A stream the user cancelled {@code cutAfterMicros} into it. */
  public SummaryBuilder cancelled(long cutAfterMicros) {
    this.streamed = true;
    this.streamOutcome = StreamOutcome.CANCELLED;
    this.streamCutAfterMicros = cutAfterMicros;
    return this;
  }

  public SummaryBuilder partial() {
    this.partial = true;
    return this;
  }

  /** The tenant is an authenticated caller's identity. */
  public SummaryBuilder authenticated() {
    this.tenantAuthenticated = true;
    return this;
  }

  public RequestSummary build() {
    return new RequestSummary(
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
        false,
        tenantAuthenticated,
        dev.tierscope.core.span.Admission.NONE,
        -1,
        connectionType,
        region,
        model,
        service,
        retrievalService,
        streamMaxGapMicros,
        streamStalls,
        interruptionCause != null
            ? interruptionCause
            : streamOutcome == StreamOutcome.INTERRUPTED
                ? dev.tierscope.core.span.InterruptionCause.UNKNOWN
                : dev.tierscope.core.span.InterruptionCause.NONE,
        streamCutAfterMicros);
  }
}
