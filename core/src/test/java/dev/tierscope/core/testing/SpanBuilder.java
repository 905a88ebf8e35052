package dev.tierscope.core.testing;

import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.span.TraceId;

/** Builds {@link Span} records for tests; every field starts at its "not reported" value. */
public final class SpanBuilder {

  /** A fixed event time (2023-11-14T22:13:20Z) in epoch microseconds, the base of test times. */
  public static final long T0 = 1_700_000_000_000_000L;

  private TraceId traceId = new TraceId(0x1111L, 0x2222L);
  private long spanId = 1;
  private long parentSpanId;
  private String tenant = "acme";
  private boolean tenantAuthenticated;
  private SpanRole role = SpanRole.INTERNAL;
  private SpanKind kind = SpanKind.INTERNAL;
  private String operation = "";
  private String trafficClass = "";
  private boolean classUnknown;
  private final java.util.Map<String, String> attributes = new java.util.LinkedHashMap<>();
  private String workflow = "";
  private long startEpochMicros = T0;
  private long endEpochMicros = T0 + 1_000;
  private long firstTokenEpochMicros = -1;
  private boolean error;
  private boolean streamed;
  private StreamOutcome streamOutcome = StreamOutcome.NONE;
  private boolean retrievalHit;
  private boolean retrievalFallback;
  private long modelQueueMicros = -1;
  private long inputTokens;
  private long outputTokens;
  private String clientPath = "";
  private String protocolVersion = "";
  private boolean protocolFallback;
  private int retransmits;
  private dev.tierscope.core.span.Admission admission = dev.tierscope.core.span.Admission.NONE;
  private long degradationLevel = -1;
  private String connectionType = "";
  private String service = "";
  private String model = "";
  private String region = "";
  private long maxGapMicros = -1;
  private long stalls = -1;
  private dev.tierscope.core.span.InterruptionCause cause;

  private SpanBuilder() {}

  public static SpanBuilder span(long spanId) {
    return new SpanBuilder().id(spanId);
  }

  /** A root CLIENT span with role client. */
  public static SpanBuilder client(long spanId) {
    return span(spanId).role(SpanRole.CLIENT).kind(SpanKind.CLIENT);
  }

  /** A SERVER span whose role is left to assembly. */
  public static SpanBuilder server(long spanId, long parentSpanId) {
    return span(spanId).parent(parentSpanId).role(SpanRole.UNSPECIFIED).kind(SpanKind.SERVER);
  }

  public SpanBuilder trace(TraceId traceId) {
    this.traceId = traceId;
    return this;
  }

  public SpanBuilder trace(long low) {
    return trace(new TraceId(0x1111L, low));
  }

  public SpanBuilder id(long spanId) {
    this.spanId = spanId;
    return this;
  }

  public SpanBuilder parent(long parentSpanId) {
    this.parentSpanId = parentSpanId;
    return this;
  }

  public SpanBuilder tenant(String tenant) {
    this.tenant = tenant;
    return this;
  }

  public SpanBuilder role(SpanRole role) {
    this.role = role;
    return this;
  }

  public SpanBuilder kind(SpanKind kind) {
    this.kind = kind;
    return this;
  }

  public SpanBuilder operation(String operation) {
    this.operation = operation;
    return this;
  }

  public SpanBuilder trafficClass(String trafficClass) {
    this.trafficClass = trafficClass;
    return this;
  }

  public SpanBuilder classUnknown() {
    this.classUnknown = true;
    return this;
  }

  public SpanBuilder workflow(String workflow) {
    this.workflow = workflow;
    return this;
  }

  /** Start and end in microseconds after {@link #T0}. */
  public SpanBuilder at(long startOffsetMicros, long endOffsetMicros) {
    this.startEpochMicros = T0 + startOffsetMicros;
    this.endEpochMicros = T0 + endOffsetMicros;
    return this;
  }

  /** First token in microseconds after {@link #T0}. */
  public SpanBuilder firstTokenAt(long offsetMicros) {
    this.firstTokenEpochMicros = T0 + offsetMicros;
    return this;
  }

  public SpanBuilder startEpochMicros(long startEpochMicros) {
    this.startEpochMicros = startEpochMicros;
    return this;
  }

  public SpanBuilder endEpochMicros(long endEpochMicros) {
    this.endEpochMicros = endEpochMicros;
    return this;
  }

  public SpanBuilder error() {
    this.error = true;
    return this;
  }

  public SpanBuilder streamed() {
    this.streamed = true;
    return this;
  }

  public SpanBuilder outcome(StreamOutcome streamOutcome) {
    this.streamOutcome = streamOutcome;
    return this;
  }

  public SpanBuilder retrieval(boolean hit, boolean fallback) {
    this.retrievalHit = hit;
    this.retrievalFallback = fallback;
    return this;
  }

  public SpanBuilder queueMicros(long modelQueueMicros) {
    this.modelQueueMicros = modelQueueMicros;
    return this;
  }

  public SpanBuilder tokens(long input, long output) {
    this.inputTokens = input;
    this.outputTokens = output;
    return this;
  }

  public SpanBuilder transport(
      String clientPath, String protocolVersion, boolean protocolFallback, int retransmits) {
    this.clientPath = clientPath;
    this.protocolVersion = protocolVersion;
    this.protocolFallback = protocolFallback;
    this.retransmits = retransmits;
    return this;
  }

  /** {@code tierscope.admission} and {@code tierscope.degradation} as a gateway reports them. */
  public SpanBuilder admission(dev.tierscope.core.span.Admission admission, long level) {
    this.admission = admission;
    this.degradationLevel = level;
    return this;
  }

  /**
   * {@code network.connection.type}, {@code service.name}, {@code gen_ai.request.model}, {@code
   * cloud.region}.
   */
  public SpanBuilder dimensions(
      String connectionType, String service, String model, String region) {
    this.connectionType = connectionType;
    this.service = service;
    this.model = model;
    this.region = region;
    return this;
  }

  /** The largest gap between chunks and the stalls, as an SDK states them (-1: not reported). */
  public SpanBuilder continuity(long maxGapMicros, long stalls) {
    this.maxGapMicros = maxGapMicros;
    this.stalls = stalls;
    return this;
  }

  /** {@code tierscope.stream.interruption_cause}. */
  public SpanBuilder cause(dev.tierscope.core.span.InterruptionCause cause) {
    this.cause = cause;
    return this;
  }

  public Span build() {
    Span.Builder b =
        Span.builder()
            .traceId(traceId)
            .spanId(spanId)
            .parentSpanId(parentSpanId)
            .tenant(tenant)
            .role(role)
            .kind(kind)
            .operation(operation)
            .trafficClass(trafficClass)
            .classUnknown(classUnknown)
            .workflow(workflow)
            .startEpochNanos(startEpochMicros * 1_000)
            .endEpochNanos(endEpochMicros * 1_000)
            .firstTokenEpochNanos(firstTokenEpochMicros < 0 ? -1 : firstTokenEpochMicros * 1_000)
            .error(error)
            .streamed(streamed)
            .streamOutcome(streamOutcome)
            .retrievalHit(retrievalHit)
            .retrievalFallback(retrievalFallback)
            .admission(admission)
            .degradationLevel(degradationLevel)
            .inputTokens(inputTokens)
            .outputTokens(outputTokens)
            .clientPath(clientPath)
            .protocolVersion(protocolVersion)
            .protocolFallback(protocolFallback)
            .retransmits(retransmits)
            .connectionType(connectionType)
            .service(service)
            .model(model)
            .region(region);
    if (modelQueueMicros >= 0) {
      b.modelQueueMicros(modelQueueMicros);
    }
    attributes.forEach(b::ruleAttribute);
    b.tenantAuthenticated(tenantAuthenticated);
    b.streamMaxGapMicros(maxGapMicros).streamStalls(stalls).interruptionCause(cause);
    return b.build();
  }

  /** The tenant is an authenticated caller's identity. */
  public SpanBuilder authenticated() {
    this.tenantAuthenticated = true;
    return this;
  }

  /** A span or resource attribute that class rules read (root spans carry them). */
  public SpanBuilder attribute(String key, String value) {
    attributes.put(key, value);
    return this;
  }
}
