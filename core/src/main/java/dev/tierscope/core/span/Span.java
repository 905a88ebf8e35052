package dev.tierscope.core.span;

import dev.tierscope.conventions.SpanAttributes;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;

/**
 * One span as Tierscope understands it: what the ingest makes of an OTLP span, what goes to Kafka
 * (through the {@code wire} codec) and what request assembly reads. Only what Tierscope uses is
 * kept.
 *
 * <p>Times are epoch nanoseconds, as reported; {@link #startEpochMicros()} and its siblings give
 * the microseconds that assembly works in. Ids are the OTLP ids ({@code parentSpanId == 0} for a
 * root span). Strings are empty, never null, when absent. A number that may be absent is {@link
 * #ABSENT} then, whatever the transport used to say so.
 *
 * <p>Build one with {@link #builder()}: the builder is where a span's meaning is decided (the role
 * when none is stated, the first-token precedence, the stream outcome when none is stated, the
 * string bounds) and checked ({@link SpanDefect}); the constructor only checks.
 *
 * <pre>{@code
 * Span span = Span.builder()
 *     .traceId(TraceId.fromHex("4bf92f3577b34da6a3ce929d0e0e4736"))
 *     .spanId(0x00f067aa0ba902b7L)
 *     .kind(SpanKind.CLIENT)
 *     .startEpochNanos(start)
 *     .endEpochNanos(end)
 *     .firstTokenEvent(firstTokenAt)
 *     .build(); // role CLIENT (a root CLIENT span), first token from the event
 * }</pre>
 *
 * @param traceId the request this span belongs to; never all zero
 * @param spanId 8-byte span id, never 0
 * @param parentSpanId 8-byte parent span id, 0 for a root span
 * @param service {@code service.name} of the reporting service, empty when absent
 * @param tenant tenant, matching {@link SpanLimits#TENANT_PATTERN}; {@value #DEFAULT_TENANT} when
 *     not reported (also for an empty one)
 * @param role the role stated or inferred from this span alone; {@link SpanRole#UNSPECIFIED} for a
 *     SERVER span with a parent, decided at assembly
 * @param kind OpenTelemetry span kind
 * @param operation {@code gen_ai.operation.name}, empty when absent
 * @param trafficClass class of the closed set, empty when the span carried none
 * @param classUnknown the span carried a class value outside the set
 * @param workflow workflow name, empty when absent
 * @param startEpochNanos span start, epoch nanoseconds, positive
 * @param endEpochNanos span end, epoch nanoseconds, not before the start
 * @param firstTokenEpochNanos first token time, epoch nanoseconds; {@link #ABSENT} (any negative
 *     value becomes it) when not reported
 * @param error status ERROR
 * @param streamed the response was streamed
 * @param streamOutcome how the stream ended, as stated or derived
 * @param retrievalHit retrieval found usable context
 * @param retrievalFallback a miss was served by a fallback path
 * @param toolName {@code gen_ai.tool.name}, empty when absent
 * @param modelQueueMicros model queue time in microseconds; {@link #ABSENT} (any negative value
 *     becomes it) when not reported
 * @param inputTokens input tokens, 0 when not reported
 * @param outputTokens output tokens, 0 when not reported
 * @param model {@code gen_ai.request.model}, empty when absent
 * @param clientPath {@code direct}, {@code vpn}, {@code sase}, {@code mobile} or empty
 * @param protocolVersion {@code 1.1}, {@code 2}, {@code 3} or empty
 * @param protocolFallback the transport fell back to an older protocol
 * @param retransmits transport retransmissions seen by the client, 0 when not reported
 * @param connectionType {@code wifi}, {@code cell}, {@code wired} or empty
 * @param admission what a gateway did with the request ({@code tierscope.admission}), {@link
 *     Admission#NONE} when the span reports nothing
 * @param degradationLevel the degradation level the request was served with ({@code
 *     tierscope.degradation}), 0 to 3 (0: none); {@link #ABSENT} when not reported
 * @param region {@code cloud.region} of the reporting service (span attribute, else resource), the
 *     region or point of presence it runs in; empty when absent
 * @param tenantAuthenticated the tenant is the caller's identity (a receiver with authentication
 *     set it from the token or a trusted proxy), not a free attribute: caps never fold it
 * @param streamMaxGapMicros the largest gap between two consecutive chunks of the stream,
 *     microseconds; {@link #ABSENT} (any negative value becomes it) when not reported
 * @param streamStalls gaps between consecutive chunks longer than the stall threshold; -1 (any
 *     negative value becomes it) when not reported
 * @param interruptionCause why the stream broke: {@link InterruptionCause#NONE} unless the outcome
 *     is {@link StreamOutcome#INTERRUPTED}, then never NONE ({@link InterruptionCause#UNKNOWN} when
 *     not reported)
 * @param ruleAttributes root spans only: the values (as text) of the span and resource attributes
 *     that the configured class rules read, span value first; empty otherwise (at most {@link
 *     #MAX_RULE_ATTRIBUTES}, each value at most {@link #MAX_RULE_VALUE_CHARS} characters)
 */
public record Span(
    TraceId traceId,
    long spanId,
    long parentSpanId,
    String service,
    String tenant,
    SpanRole role,
    SpanKind kind,
    String operation,
    String trafficClass,
    boolean classUnknown,
    String workflow,
    long startEpochNanos,
    long endEpochNanos,
    long firstTokenEpochNanos,
    boolean error,
    boolean streamed,
    StreamOutcome streamOutcome,
    boolean retrievalHit,
    boolean retrievalFallback,
    String toolName,
    long modelQueueMicros,
    long inputTokens,
    long outputTokens,
    String model,
    String clientPath,
    String protocolVersion,
    boolean protocolFallback,
    int retransmits,
    String connectionType,
    Admission admission,
    int degradationLevel,
    String region,
    Map<String, String> ruleAttributes,
    boolean tenantAuthenticated,
    long streamMaxGapMicros,
    int streamStalls,
    InterruptionCause interruptionCause) {

  /** Rule attributes a span keeps at most; the rest are dropped (a writer other than ours). */
  public static final int MAX_RULE_ATTRIBUTES = 64;

  /** A rule attribute's value is cut to this many characters. */
  public static final int MAX_RULE_VALUE_CHARS = 256;

  /** The value of a number that was not reported (first token, model queue time). */
  public static final long ABSENT = -1;

  /**
   * The stall threshold when none is configured: a gap between chunks longer than this is a stall
   * (1 second, microseconds).
   */
  public static final long DEFAULT_STALL_THRESHOLD_MICROS = 1_000_000;

  /** Highest degradation level ({@code tierscope.degradation}); higher values are not reported. */
  public static final int MAX_DEGRADATION = 3;

  /** The tenant of a span that names none. */
  public static final String DEFAULT_TENANT = SpanAttributes.DEFAULT_TENANT;

  private static final TraceId ZERO_TRACE = new TraceId(0, 0);

  /**
   * @throws InvalidSpanException when an id is zero, the times are not a valid interval or the
   *     tenant is not valid
   * @throws NullPointerException when an object component is null
   */
  public Span {
    if (traceId == null
        || service == null
        || tenant == null
        || role == null
        || kind == null
        || operation == null
        || trafficClass == null
        || workflow == null
        || streamOutcome == null
        || toolName == null
        || model == null
        || clientPath == null
        || protocolVersion == null
        || connectionType == null
        || admission == null
        || region == null
        || interruptionCause == null) {
      throw new NullPointerException("span components must not be null; use \"\" for absent");
    }
    if (tenant.isEmpty()) {
      tenant = DEFAULT_TENANT;
    }
    SpanDefect defect = defect(traceId, spanId, startEpochNanos, endEpochNanos, tenant);
    if (defect != null) {
      throw new InvalidSpanException(defect, message(defect, startEpochNanos, 16, 8, 0, tenant));
    }
    ruleAttributes =
        ruleAttributes == null || ruleAttributes.isEmpty() ? Map.of() : Map.copyOf(ruleAttributes);
    if (firstTokenEpochNanos < 0) {
      firstTokenEpochNanos = ABSENT;
    }
    if (modelQueueMicros < 0) {
      modelQueueMicros = ABSENT;
    }
    if (degradationLevel < 0 || degradationLevel > MAX_DEGRADATION) {
      degradationLevel = (int) ABSENT;
    }
    if (streamMaxGapMicros < 0) {
      streamMaxGapMicros = ABSENT;
    }
    if (streamStalls < 0) {
      streamStalls = (int) ABSENT;
    }
    // A cause belongs to an interruption only, and an interruption always has one.
    if (streamOutcome != StreamOutcome.INTERRUPTED) {
      interruptionCause = InterruptionCause.NONE;
    } else if (interruptionCause == InterruptionCause.NONE) {
      interruptionCause = InterruptionCause.UNKNOWN;
    }
  }

  /** A builder with every field at its "not reported" value. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * This span as if its class were one the reader does not know: no class, flagged unknown (the
   * aggregator reads a record whose class is not configured the way the ingest accepts a span
   * naming an unknown class).
   */
  public Span withUnknownClass() {
    return new Span(
        traceId,
        spanId,
        parentSpanId,
        service,
        tenant,
        role,
        kind,
        operation,
        "",
        true,
        workflow,
        startEpochNanos,
        endEpochNanos,
        firstTokenEpochNanos,
        error,
        streamed,
        streamOutcome,
        retrievalHit,
        retrievalFallback,
        toolName,
        modelQueueMicros,
        inputTokens,
        outputTokens,
        model,
        clientPath,
        protocolVersion,
        protocolFallback,
        retransmits,
        connectionType,
        admission,
        degradationLevel,
        region,
        ruleAttributes,
        tenantAuthenticated,
        streamMaxGapMicros,
        streamStalls,
        interruptionCause);
  }

  /** True for the root span of the trace. */
  public boolean isRoot() {
    return parentSpanId == 0;
  }

  /** Span start, epoch microseconds. */
  public long startEpochMicros() {
    return startEpochNanos / 1_000;
  }

  /** Span end, epoch microseconds. */
  public long endEpochMicros() {
    return endEpochNanos / 1_000;
  }

  /** First token time, epoch microseconds; {@link #ABSENT} when not reported. */
  public long firstTokenEpochMicros() {
    return firstTokenEpochNanos == ABSENT ? ABSENT : firstTokenEpochNanos / 1_000;
  }

  /** True when the span reported its first token. */
  public boolean hasFirstToken() {
    return firstTokenEpochNanos != ABSENT;
  }

  /** True when the span reported the largest gap between its chunks. */
  public boolean hasStreamMaxGap() {
    return streamMaxGapMicros != ABSENT;
  }

  /** True when the span reported a model queue time. */
  public boolean hasModelQueue() {
    return modelQueueMicros != ABSENT;
  }

  private static SpanDefect defect(
      TraceId traceId, long spanId, long start, long end, String tenant) {
    if (traceId.isZero()) {
      return SpanDefect.INVALID_TRACE_ID;
    }
    if (spanId == 0) {
      return SpanDefect.INVALID_SPAN_ID;
    }
    // Epoch nanos are unsigned on the wire: a value past 2^63 (year 2262) reads negative.
    if (start <= 0) {
      return SpanDefect.INVALID_START_TIME;
    }
    if (end < start) {
      return SpanDefect.END_BEFORE_START;
    }
    if (!SpanLimits.isValidTenant(tenant)) {
      return SpanDefect.INVALID_TENANT;
    }
    return null;
  }

  /** The English detail of a defect, given the id sizes read from bytes. */
  private static String message(
      SpanDefect defect,
      long start,
      int traceIdBytes,
      int spanIdBytes,
      int parentSpanIdBytes,
      String tenant) {
    return switch (defect) {
      case INVALID_TRACE_ID ->
          traceIdBytes != 16
              ? "trace_id must be 16 bytes, got " + traceIdBytes
              : "trace_id must not be all zero";
      case INVALID_SPAN_ID ->
          spanIdBytes != 8
              ? "span_id must be 8 bytes, got " + spanIdBytes
              : "span_id must not be all zero";
      case INVALID_PARENT_SPAN_ID ->
          "parent_span_id must be empty or 8 bytes, got " + parentSpanIdBytes;
      case INVALID_START_TIME ->
          "start_time_unix_nano must be positive, got " + Long.toUnsignedString(start);
      case END_BEFORE_START -> "end before start";
      case INVALID_TENANT -> SpanLimits.tenantProblem(tenant);
      // Decided against a clock by SpanTimeBounds, never by the span alone.
      case TOO_FAR_IN_FUTURE, TOO_OLD -> defect.reason();
    };
  }

  /**
   * Builds a {@link Span} from what a transport read, and decides what the span conventions leave
   * open. Not thread-safe; one builder per span.
   *
   * <ul>
   *   <li><b>Role:</b> {@link #role} states it; left unstated (or null), it is {@link
   *       SpanRole#inferred} from the kind, whether the span is a root, and the operation.
   *   <li><b>First token:</b> {@link #firstTokenEpochNanos} states it; otherwise the first present
   *       of a {@code first_token} event at or after the start ({@link #firstTokenEvent}), {@code
   *       gen_ai.response.time_to_first_chunk} ({@link #timeToFirstChunkSeconds}), {@code
   *       gen_ai.server.time_to_first_token} ({@link #serverTimeToFirstTokenSeconds}), {@code
   *       tierscope.ttft_ms} ({@link #ttftMillis}). A negative, non-finite or overflowing offset
   *       counts as absent.
   *   <li><b>Stream outcome:</b> {@link #streamOutcome} states it; left unstated (or null), it is
   *       {@link StreamOutcome#derived}.
   *   <li><b>Stream continuity:</b> {@link #streamMaxGapMillis} and {@link #streamStalls} state the
   *       largest gap between chunks and the stalls (the instrumentation measured them); each one
   *       left unstated is computed from the chunk instants ({@link #chunkEvent}, a {@code
   *       first_token} event, a dialect's chunk events) when there are at least two: the gaps
   *       between consecutive instants in time order, a stall being a gap longer than {@link
   *       #stallThresholdMicros} ({@link #DEFAULT_STALL_THRESHOLD_MICROS} unless set). The
   *       interruption cause is kept for an interrupted stream only ({@link
   *       InterruptionCause#UNKNOWN} when not stated).
   *   <li><b>Absent values:</b> a tenant that is empty becomes {@value #DEFAULT_TENANT}; null
   *       strings become empty; negative token counts and retransmits become 0; a negative queue
   *       time becomes 0 (reported, but meaningless).
   *   <li><b>Bounds:</b> free-text strings are cleaned and cut to the {@link SpanLimits}; token
   *       counts over {@link SpanLimits#MAX_TOKENS}, and a queue time or first token more than
   *       {@link SpanLimits#MAX_DURATION_MICROS} after the start, count as absent. {@link
   *       #normalizedFields()} names what was changed.
   *   <li><b>Checks:</b> {@link #defect()} says whether {@link #build()} would throw, without
   *       throwing: ids of the wrong size or all zero, a start not after the epoch, an end before
   *       the start, a tenant that breaks {@link SpanLimits#TENANT_PATTERN}.
   * </ul>
   */
  public static final class Builder {
    // Unset ids read as empty, as an unset bytes field does on the wire.
    private TraceId traceId = ZERO_TRACE;
    private int traceIdBytes;
    private long spanId;
    private int spanIdBytes;
    private long parentSpanId;
    private int parentSpanIdBytes;
    private String service = "";
    private String tenant = DEFAULT_TENANT;
    private SpanRole role;
    private SpanKind kind = SpanKind.UNSPECIFIED;
    private String operation = "";
    private String trafficClass = "";
    private boolean classUnknown;
    private String workflow = "";
    private long startEpochNanos;
    private boolean startSet;
    private long endEpochNanos;
    private long statedFirstToken = ABSENT;
    private long eventFirstToken = ABSENT;
    private long chunkOffsetNanos = ABSENT;
    private long serverOffsetNanos = ABSENT;
    private long ttftOffsetNanos = ABSENT;
    private boolean error;
    private boolean streamed;
    private StreamOutcome streamOutcome;
    private boolean retrievalHit;
    private boolean retrievalFallback;
    private String toolName = "";
    private long modelQueueMicros = ABSENT;
    private long inputTokens;
    private long outputTokens;
    private String model = "";
    private String clientPath = "";
    private String protocolVersion = "";
    private boolean protocolFallback;
    private int retransmits;
    private String connectionType = "";
    private Admission admission = Admission.NONE;
    private int degradationLevel = (int) ABSENT;
    private String region = "";
    private Map<String, String> ruleAttributes = Map.of();
    private boolean tenantAuthenticated;
    private long statedMaxGapMicros = ABSENT;
    private int statedStalls = (int) ABSENT;
    private InterruptionCause interruptionCause = InterruptionCause.NONE;
    private long stallThresholdMicros = DEFAULT_STALL_THRESHOLD_MICROS;
    // Chunk instants (epoch nanos) in arrival order; sorted once at build().
    private long[] chunks;
    private int chunkCount;
    private int normalized;
    // GenAI dialects (GenAiDialects): used only where the conventions left the fact unreported.
    private boolean streamedStated;
    private boolean modelQueueStated;
    private boolean inputTokensStated;
    private boolean outputTokensStated;
    private boolean runtimeModel;
    private SpanRole dialectRole;
    private int dialectRoleRank = Integer.MAX_VALUE;
    private boolean dialectStreamed;
    private long dialectFirstToken = ABSENT;
    private boolean dialectFirstTokenIsOffset;
    private int dialectFirstTokenRank = Integer.MAX_VALUE;
    private long dialectQueueMicros = ABSENT;
    private int dialectQueueRank = Integer.MAX_VALUE;
    private long dialectInputTokens = -1;
    private int dialectInputRank = Integer.MAX_VALUE;
    private long dialectOutputTokens = -1;
    private int dialectOutputRank = Integer.MAX_VALUE;
    private boolean openLit;

    private Builder() {}

    public Builder traceId(TraceId traceId) {
      this.traceId = traceId;
      this.traceIdBytes = 16;
      return this;
    }

    /** The trace id from its bytes (16, big-endian), read without consuming the buffer. */
    public Builder traceId(ByteBuffer bytes) {
      traceIdBytes = bytes.remaining();
      int p = bytes.position();
      traceId =
          traceIdBytes == 16 ? new TraceId(bytes.getLong(p), bytes.getLong(p + 8)) : ZERO_TRACE;
      return this;
    }

    public Builder spanId(long spanId) {
      this.spanId = spanId;
      this.spanIdBytes = 8;
      return this;
    }

    /** The span id from its bytes (8, big-endian), read without consuming the buffer. */
    public Builder spanId(ByteBuffer bytes) {
      spanIdBytes = bytes.remaining();
      spanId = spanIdBytes == 8 ? bytes.getLong(bytes.position()) : 0;
      return this;
    }

    /** The parent span id; 0 for a root span. */
    public Builder parentSpanId(long parentSpanId) {
      this.parentSpanId = parentSpanId;
      this.parentSpanIdBytes = 8;
      return this;
    }

    /**
     * The parent span id from its bytes (8, big-endian), read without consuming the buffer; empty,
     * or eight zero bytes, for a root span.
     */
    public Builder parentSpanId(ByteBuffer bytes) {
      parentSpanIdBytes = bytes.remaining();
      parentSpanId = parentSpanIdBytes == 8 ? bytes.getLong(bytes.position()) : 0;
      return this;
    }

    public Builder service(String service) {
      this.service = clean(service, SpanLimits.MAX_SERVICE_CHARS, SpanField.SERVICE);
      return this;
    }

    /**
     * The tenant is the caller's identity, set by a receiver whose authentication bound it (never
     * from an attribute): capped dimensions never fold it into {@code __overflow__}.
     */
    public Builder tenantAuthenticated(boolean tenantAuthenticated) {
      this.tenantAuthenticated = tenantAuthenticated;
      return this;
    }

    /**
     * The tenant; null or empty means {@value #DEFAULT_TENANT}. Never changed: one that breaks
     * {@link SpanLimits#TENANT_PATTERN} makes the span invalid ({@link SpanDefect#INVALID_TENANT}).
     */
    public Builder tenant(String tenant) {
      this.tenant = tenant == null || tenant.isEmpty() ? DEFAULT_TENANT : tenant;
      return this;
    }

    /** States the role; null leaves it to inference. */
    public Builder role(SpanRole role) {
      this.role = role;
      return this;
    }

    public Builder kind(SpanKind kind) {
      this.kind = kind == null ? SpanKind.UNSPECIFIED : kind;
      return this;
    }

    public Builder operation(String operation) {
      this.operation = clean(operation, SpanLimits.MAX_OPERATION_CHARS, SpanField.OPERATION);
      return this;
    }

    public Builder trafficClass(String trafficClass) {
      this.trafficClass = orEmpty(trafficClass);
      return this;
    }

    public Builder classUnknown(boolean classUnknown) {
      this.classUnknown = classUnknown;
      return this;
    }

    public Builder workflow(String workflow) {
      this.workflow = clean(workflow, SpanLimits.MAX_WORKFLOW_CHARS, SpanField.WORKFLOW);
      return this;
    }

    /** Span start, epoch nanoseconds. Set it before any {@link #firstTokenEvent}. */
    public Builder startEpochNanos(long startEpochNanos) {
      this.startEpochNanos = startEpochNanos;
      this.startSet = true;
      return this;
    }

    public Builder endEpochNanos(long endEpochNanos) {
      this.endEpochNanos = endEpochNanos;
      return this;
    }

    /**
     * States the first token time, epoch nanoseconds, as already decided (e.g. read back from
     * Kafka); a negative value means none was reported. Overrides every other source.
     */
    public Builder firstTokenEpochNanos(long epochNanos) {
      this.statedFirstToken = epochNanos < 0 ? ABSENT : epochNanos;
      return this;
    }

    /**
     * A {@code first_token} span event, epoch nanoseconds: the first one at or after the start
     * counts, others are ignored.
     *
     * @throws IllegalStateException when the start was not set before
     */
    public Builder firstTokenEvent(long epochNanos) {
      if (!startSet) {
        throw new IllegalStateException("set the start before first-token events");
      }
      if (eventFirstToken == ABSENT && epochNanos >= startEpochNanos) {
        eventFirstToken = epochNanos;
      }
      addChunk(epochNanos);
      return this;
    }

    /**
     * A {@code tierscope.stream.chunk} span event, epoch nanoseconds: one received chunk. The gaps
     * between consecutive chunks give the largest gap and the stalls when the span does not state
     * them.
     */
    public Builder chunkEvent(long epochNanos) {
      addChunk(epochNanos);
      return this;
    }

    private void addChunk(long epochNanos) {
      if (chunks == null) {
        chunks = new long[16];
      } else if (chunkCount == chunks.length) {
        chunks = java.util.Arrays.copyOf(chunks, chunkCount * 2);
      }
      chunks[chunkCount++] = epochNanos;
    }

    /**
     * The gap between chunks above which a gap is a stall, microseconds (the ingest's {@code
     * tierscope.ingest.stall-threshold}); used only for stalls computed from chunk events.
     *
     * @throws IllegalArgumentException when not positive
     */
    public Builder stallThresholdMicros(long micros) {
      if (micros <= 0) {
        throw new IllegalArgumentException("stall threshold must be positive, was " + micros);
      }
      this.stallThresholdMicros = micros;
      return this;
    }

    /**
     * States the largest gap between chunks, microseconds, as already decided (e.g. read back from
     * Kafka); negative means not reported, over {@link SpanLimits#MAX_DURATION_MICROS} counts as
     * not reported.
     */
    public Builder streamMaxGapMicros(long micros) {
      this.statedMaxGapMicros = gap(micros);
      return this;
    }

    /**
     * {@code tierscope.stream.max_gap_ms}: the largest gap between chunks in milliseconds, rounded
     * to microseconds; negative or unreadable (NaN) counts as not reported.
     */
    public Builder streamMaxGapMillis(double millis) {
      this.statedMaxGapMicros =
          !(millis >= 0)
              ? ABSENT
              : gap(millis * 1000 >= 0x1p63 ? Long.MAX_VALUE : Math.round(millis * 1000));
      return this;
    }

    private long gap(long micros) {
      if (micros < 0) {
        return ABSENT;
      }
      if (micros > SpanLimits.MAX_DURATION_MICROS) {
        normalized |= SpanField.STREAM_GAP.bit();
        return ABSENT;
      }
      return micros;
    }

    /**
     * {@code tierscope.stream.stalls}: gaps longer than the instrumentation's stall threshold;
     * negative counts as not reported, beyond {@code int} as its maximum.
     */
    public Builder streamStalls(long stalls) {
      this.statedStalls = stalls < 0 ? (int) ABSENT : (int) Math.min(Integer.MAX_VALUE, stalls);
      return this;
    }

    /** {@code tierscope.stream.interruption_cause}; null is not reported. */
    public Builder interruptionCause(InterruptionCause cause) {
      this.interruptionCause = cause == null ? InterruptionCause.NONE : cause;
      return this;
    }

    /** {@code gen_ai.response.time_to_first_chunk}: seconds after the start; NaN for unreadable. */
    public Builder timeToFirstChunkSeconds(double seconds) {
      this.chunkOffsetNanos = offsetNanos(seconds * 1e9);
      return this;
    }

    /** {@code gen_ai.server.time_to_first_token}: seconds after the start; NaN for unreadable. */
    public Builder serverTimeToFirstTokenSeconds(double seconds) {
      this.serverOffsetNanos = offsetNanos(seconds * 1e9);
      return this;
    }

    /** {@code tierscope.ttft_ms}: milliseconds after the start; NaN for unreadable. */
    public Builder ttftMillis(double millis) {
      this.ttftOffsetNanos = offsetNanos(millis * 1e6);
      return this;
    }

    public Builder error(boolean error) {
      this.error = error;
      return this;
    }

    /** {@code gen_ai.request.stream}; once called, no dialect's streaming flag is read. */
    public Builder streamed(boolean streamed) {
      this.streamed = streamed;
      this.streamedStated = true;
      return this;
    }

    /** States the stream outcome; null leaves it to be derived. */
    public Builder streamOutcome(StreamOutcome streamOutcome) {
      this.streamOutcome = streamOutcome;
      return this;
    }

    public Builder retrievalHit(boolean retrievalHit) {
      this.retrievalHit = retrievalHit;
      return this;
    }

    public Builder retrievalFallback(boolean retrievalFallback) {
      this.retrievalFallback = retrievalFallback;
      return this;
    }

    public Builder toolName(String toolName) {
      this.toolName = clean(toolName, SpanLimits.MAX_TOOL_NAME_CHARS, SpanField.TOOL_NAME);
      return this;
    }

    /**
     * A reported model queue time, microseconds; negative counts as 0, over {@link
     * SpanLimits#MAX_DURATION_MICROS} as not reported.
     */
    public Builder modelQueueMicros(long micros) {
      this.modelQueueMicros = queue(Math.max(0, micros));
      this.modelQueueStated = true;
      return this;
    }

    /**
     * {@code tierscope.model.queue_ms}: a reported queue time in milliseconds, rounded to
     * microseconds; negative, unreadable (NaN) or overflowing counts as 0, over {@link
     * SpanLimits#MAX_DURATION_MICROS} as not reported.
     */
    public Builder modelQueueMillis(double millis) {
      this.modelQueueMicros =
          queue(!(millis >= 0) || millis * 1000 >= 0x1p63 ? 0 : Math.round(millis * 1000));
      this.modelQueueStated = true;
      return this;
    }

    private long queue(long micros) {
      if (micros > SpanLimits.MAX_DURATION_MICROS) {
        normalized |= SpanField.MODEL_QUEUE.bit();
        return ABSENT;
      }
      return micros;
    }

    /** Input tokens; negative, or over {@link SpanLimits#MAX_TOKENS}, counts as 0. */
    public Builder inputTokens(long inputTokens) {
      this.inputTokens = tokens(inputTokens);
      this.inputTokensStated = true;
      return this;
    }

    /** Output tokens; negative, or over {@link SpanLimits#MAX_TOKENS}, counts as 0. */
    public Builder outputTokens(long outputTokens) {
      this.outputTokens = tokens(outputTokens);
      this.outputTokensStated = true;
      return this;
    }

    private long tokens(long n) {
      if (n > SpanLimits.MAX_TOKENS) {
        normalized |= SpanField.TOKENS.bit();
        return 0;
      }
      return Math.max(0, n);
    }

    public Builder model(String model) {
      this.model = clean(model, SpanLimits.MAX_MODEL_CHARS, SpanField.MODEL);
      return this;
    }

    public Builder clientPath(String clientPath) {
      this.clientPath = clean(clientPath, SpanLimits.MAX_EDGE_VALUE_CHARS, SpanField.CLIENT_PATH);
      return this;
    }

    public Builder protocolVersion(String protocolVersion) {
      this.protocolVersion =
          clean(protocolVersion, SpanLimits.MAX_EDGE_VALUE_CHARS, SpanField.PROTOCOL_VERSION);
      return this;
    }

    public Builder protocolFallback(boolean protocolFallback) {
      this.protocolFallback = protocolFallback;
      return this;
    }

    /** Retransmissions; negative counts as 0, beyond {@code int} as its maximum. */
    public Builder retransmits(long retransmits) {
      this.retransmits = (int) Math.min(Integer.MAX_VALUE, Math.max(0, retransmits));
      return this;
    }

    /**
     * One attribute a class rule reads, with its value as text; kept for root spans only, at most
     * {@link #MAX_RULE_ATTRIBUTES}, keys and values cleaned and cut to {@link
     * #MAX_RULE_VALUE_CHARS} as free text ({@link SpanLimits#clean}). A later value of the same key
     * replaces an earlier one.
     */
    public Builder ruleAttribute(String key, String value) {
      if (key == null || value == null) {
        return this;
      }
      if (ruleAttributes.isEmpty()) {
        ruleAttributes = new HashMap<>();
      }
      // Keys too: a record another producer wrote may carry any.
      String k = clean(key, MAX_RULE_VALUE_CHARS, SpanField.RULE_ATTRIBUTE);
      if (ruleAttributes.size() < MAX_RULE_ATTRIBUTES || ruleAttributes.containsKey(k)) {
        ruleAttributes.put(k, clean(value, MAX_RULE_VALUE_CHARS, SpanField.RULE_ATTRIBUTE));
      }
      return this;
    }

    /**
     * A numeric attribute of a GenAI dialect ({@link GenAiDialects.ValueType#NUMBER}): seconds or a
     * count as its row says; NaN for unreadable. Applied by the precedence rules of {@link
     * GenAiDialects} at {@link #build()}.
     *
     * @throws IllegalArgumentException when the row is not a number
     */
    public Builder dialectNumber(GenAiDialects.Mapping m, double value) {
      require(m, GenAiDialects.ValueType.NUMBER);
      if (m.library() == GenAiDialects.Library.VLLM) {
        runtimeModel = true;
      }
      int rank = m.ordinal();
      switch (m.signal()) {
        case FIRST_TOKEN_SECONDS -> {
          long offset = offsetNanos(value * 1e9);
          if (offset != ABSENT && rank < dialectFirstTokenRank) {
            dialectFirstToken = offset;
            dialectFirstTokenIsOffset = true;
            dialectFirstTokenRank = rank;
          }
        }
        case QUEUE_SECONDS -> {
          if (value >= 0 && value * 1e6 < 0x1p63 && rank < dialectQueueRank) {
            dialectQueueMicros = Math.round(value * 1e6);
            dialectQueueRank = rank;
          }
        }
        case INPUT_TOKENS -> {
          if (value >= 0 && value < 0x1p63 && rank < dialectInputRank) {
            dialectInputTokens = Math.round(value);
            dialectInputRank = rank;
          }
        }
        case OUTPUT_TOKENS -> {
          if (value >= 0 && value < 0x1p63 && rank < dialectOutputRank) {
            dialectOutputTokens = Math.round(value);
            dialectOutputRank = rank;
          }
        }
        default -> {}
      }
      return this;
    }

    /**
     * A bool attribute of a GenAI dialect ({@link GenAiDialects.ValueType#BOOL}); null for
     * unreadable.
     *
     * @throws IllegalArgumentException when the row is not a bool
     */
    public Builder dialectBool(GenAiDialects.Mapping m, Boolean value) {
      require(m, GenAiDialects.ValueType.BOOL);
      if (m.signal() == GenAiDialects.Signal.STREAMED && value != null && value) {
        dialectStreamed = true;
      }
      return this;
    }

    /**
     * A text attribute of a GenAI dialect ({@link GenAiDialects.ValueType#TEXT}): a span kind, a
     * timestamp or a JSON object, as its row says; null for unreadable.
     *
     * @throws IllegalArgumentException when the row is not text
     */
    public Builder dialectText(GenAiDialects.Mapping m, String value) {
      require(m, GenAiDialects.ValueType.TEXT);
      if (value == null) {
        return this;
      }
      int rank = m.ordinal();
      switch (m.signal()) {
        case ROLE -> {
          SpanRole r = m.role(value);
          if (r != null && rank < dialectRoleRank) {
            dialectRole = r;
            dialectRoleRank = rank;
          }
        }
        case STREAMED_IN_JSON -> {
          if (GenAiDialects.jsonTrue(value, "stream")) {
            dialectStreamed = true;
          }
        }
        case FIRST_TOKEN_TIMESTAMP -> {
          long at = GenAiDialects.epochNanos(value);
          if (at != ABSENT && rank < dialectFirstTokenRank) {
            dialectFirstToken = at;
            dialectFirstTokenIsOffset = false;
            dialectFirstTokenRank = rank;
          }
        }
        case TOKENS_IN_JSON -> {
          long in = GenAiDialects.jsonCount(value, "input");
          long out = GenAiDialects.jsonCount(value, "output");
          if (in >= 0 && rank < dialectInputRank) {
            dialectInputTokens = in;
            dialectInputRank = rank;
          }
          if (out >= 0 && rank < dialectOutputRank) {
            dialectOutputTokens = out;
            dialectOutputRank = rank;
          }
        }
        case SDK_NAME -> openLit = GenAiDialects.OPENLIT_SDK.equals(value);
        default -> {}
      }
      return this;
    }

    /**
     * A span event of a GenAI dialect ({@link GenAiDialects.ValueType#EVENT}) at {@code
     * epochNanos}: the earliest one at or after the start is the first token (OpenLLMetry adds one
     * per chunk).
     *
     * @throws IllegalStateException when the start was not set before
     * @throws IllegalArgumentException when the row is not an event
     */
    public Builder dialectEvent(GenAiDialects.Mapping m, long epochNanos) {
      require(m, GenAiDialects.ValueType.EVENT);
      if (!startSet) {
        throw new IllegalStateException("set the start before first-token events");
      }
      int rank = m.ordinal();
      if (epochNanos >= startEpochNanos
          && (rank < dialectFirstTokenRank
              || (rank == dialectFirstTokenRank && epochNanos < dialectFirstToken))) {
        dialectFirstToken = epochNanos;
        dialectFirstTokenIsOffset = false;
        dialectFirstTokenRank = rank;
      }
      // The dialects' events are one per chunk (OpenLLMetry): they give the gaps too.
      addChunk(epochNanos);
      return this;
    }

    private static void require(GenAiDialects.Mapping m, GenAiDialects.ValueType type) {
      if (m.valueType() != type) {
        throw new IllegalArgumentException(m + " is read as " + m.valueType() + ", not " + type);
      }
    }

    /** {@code tierscope.admission}; null is none. */
    public Builder admission(Admission admission) {
      this.admission = admission == null ? Admission.NONE : admission;
      return this;
    }

    /** {@code tierscope.degradation}: 0 to 3; any other value is not reported. */
    public Builder degradationLevel(long level) {
      this.degradationLevel = level < 0 || level > MAX_DEGRADATION ? (int) ABSENT : (int) level;
      return this;
    }

    public Builder connectionType(String connectionType) {
      this.connectionType =
          clean(connectionType, SpanLimits.MAX_EDGE_VALUE_CHARS, SpanField.CONNECTION_TYPE);
      return this;
    }

    /** {@code cloud.region}: the region or point of presence the reporting service runs in. */
    public Builder region(String region) {
      this.region = clean(region, SpanLimits.MAX_EDGE_VALUE_CHARS, SpanField.REGION);
      return this;
    }

    /**
     * Whether the span being built is a root span (no parent id, or eight zero bytes), as {@link
     * #build()} decides it: only a root span keeps its {@link #ruleAttribute rule attributes}.
     */
    public boolean isRoot() {
      return parentSpanId == 0;
    }

    /** The rule {@link #build()} would find broken, or null when the span is valid. */
    public SpanDefect defect() {
      if (traceIdBytes != 16) {
        return SpanDefect.INVALID_TRACE_ID;
      }
      if (traceId.isZero()) {
        return SpanDefect.INVALID_TRACE_ID;
      }
      if (spanIdBytes != 8) {
        return SpanDefect.INVALID_SPAN_ID;
      }
      if (spanId == 0) {
        return SpanDefect.INVALID_SPAN_ID;
      }
      if (parentSpanIdBytes != 0 && parentSpanIdBytes != 8) {
        return SpanDefect.INVALID_PARENT_SPAN_ID;
      }
      return Span.defect(traceId, spanId, startEpochNanos, endEpochNanos, tenant);
    }

    /**
     * The free-text and numeric values this builder changed so far (cleaned or cut strings, numbers
     * that count as absent); empty for a span that needed nothing. The first token is only judged
     * by {@link #build()}, so call this after it.
     */
    public java.util.Set<SpanField> normalizedFields() {
      if (normalized == 0) {
        return java.util.Set.of();
      }
      java.util.EnumSet<SpanField> out = java.util.EnumSet.noneOf(SpanField.class);
      for (SpanField f : SpanField.values()) {
        if ((normalized & f.bit()) != 0) {
          out.add(f);
        }
      }
      return out;
    }

    /** The English detail of {@link #defect()}, e.g. {@code span_id must be 8 bytes, got 4}. */
    public String defectMessage() {
      SpanDefect defect = defect();
      return defect == null
          ? ""
          : message(defect, startEpochNanos, traceIdBytes, spanIdBytes, parentSpanIdBytes, tenant);
    }

    /**
     * The span, with its role, first token and stream outcome decided.
     *
     * @throws InvalidSpanException when {@link #defect()} is not null
     */
    public Span build() {
      SpanDefect defect = defect();
      if (defect != null) {
        throw new InvalidSpanException(defect, defectMessage());
      }
      boolean root = parentSpanId == 0;
      long firstToken = firstToken();
      boolean streamedNow = streamedStated ? streamed : dialectStreamed;
      long queueNow = modelQueueMicros;
      if (!modelQueueStated && dialectQueueMicros != ABSENT) {
        queueNow = queue(dialectQueueMicros);
      }
      long inputNow =
          inputTokensStated || dialectInputTokens < 0 ? inputTokens : tokens(dialectInputTokens);
      long outputNow =
          outputTokensStated || dialectOutputTokens < 0
              ? outputTokens
              : tokens(dialectOutputTokens);
      long maxGapNow = statedMaxGapMicros;
      int stallsNow = statedStalls;
      if (chunkCount >= 2 && (maxGapNow == ABSENT || stallsNow < 0)) {
        java.util.Arrays.sort(chunks, 0, chunkCount);
        long largest = 0;
        int stalled = 0;
        for (int i = 1; i < chunkCount; i++) {
          long d = chunks[i] - chunks[i - 1];
          // Sorted, so only an overflow (instants a lifetime apart) is negative: beyond belief.
          long g = d < 0 ? Long.MAX_VALUE : d / 1_000;
          largest = Math.max(largest, g);
          if (g > stallThresholdMicros) {
            stalled++;
          }
        }
        if (maxGapNow == ABSENT) {
          maxGapNow = gap(largest);
        }
        if (stallsNow < 0) {
          stallsNow = stalled;
        }
      }
      SpanRole roleNow =
          role != null
              ? role
              : runtimeModel
                  ? SpanRole.MODEL
                  : SpanRole.inferred(kind, root, operation, dialectRole);
      return new Span(
          traceId,
          spanId,
          parentSpanId,
          service,
          tenant,
          roleNow,
          kind,
          operation,
          trafficClass,
          classUnknown,
          workflow,
          startEpochNanos,
          endEpochNanos,
          firstToken,
          error,
          streamedNow,
          streamOutcome != null
              ? streamOutcome
              : StreamOutcome.derived(streamedNow, error, firstToken != ABSENT),
          retrievalHit,
          retrievalFallback,
          toolName,
          queueNow,
          inputNow,
          outputNow,
          model,
          clientPath,
          protocolVersion,
          protocolFallback,
          retransmits,
          connectionType,
          admission,
          degradationLevel,
          region,
          root ? ruleAttributes : Map.of(),
          tenantAuthenticated,
          maxGapNow,
          stallsNow,
          interruptionCause);
    }

    private long firstToken() {
      long chosen = chosenFirstToken();
      // Beyond belief (SpanLimits.MAX_DURATION_MICROS after the start): counts as absent, or the
      // TTFT sums of its window could overflow.
      if (chosen != ABSENT && chosen - startEpochNanos > SpanLimits.MAX_DURATION_MICROS * 1_000) {
        normalized |= SpanField.FIRST_TOKEN.bit();
        return ABSENT;
      }
      return chosen;
    }

    private long chosenFirstToken() {
      if (statedFirstToken != ABSENT) {
        return statedFirstToken;
      }
      if (eventFirstToken != ABSENT) {
        return eventFirstToken;
      }
      long fromChunk = afterStart(chunkOffsetNanos);
      if (fromChunk != ABSENT) {
        return fromChunk;
      }
      // OpenLIT writes 0 when it saw no chunk: from OpenLIT a 0 is no signal, not an instant token.
      long fromServer = openLit && serverOffsetNanos == 0 ? ABSENT : afterStart(serverOffsetNanos);
      if (fromServer != ABSENT) {
        return fromServer;
      }
      long fromTtftMs = afterStart(ttftOffsetNanos);
      if (fromTtftMs != ABSENT || dialectFirstToken == ABSENT) {
        return fromTtftMs;
      }
      if (dialectFirstTokenIsOffset) {
        return afterStart(dialectFirstToken);
      }
      // A timestamp before the start (a clock of another process) says nothing.
      return dialectFirstToken >= startEpochNanos ? dialectFirstToken : ABSENT;
    }

    /** The start plus an offset; ABSENT when the offset is absent or the sum overflows. */
    private long afterStart(long offsetNanos) {
      return offsetNanos == ABSENT || offsetNanos >= Long.MAX_VALUE - startEpochNanos
          ? ABSENT
          : startEpochNanos + offsetNanos;
    }

    /** A non-negative offset, or ABSENT for a negative, NaN or unrepresentable one. */
    private static long offsetNanos(double nanos) {
      return !(nanos >= 0) || nanos >= 0x1p63 ? ABSENT : Math.round(nanos);
    }

    private static String orEmpty(String s) {
      return s == null ? "" : s;
    }

    /** {@link SpanLimits#clean}, remembering that {@code field} changed when it did. */
    private String clean(String value, int max, SpanField field) {
      String cleaned = SpanLimits.clean(value, max);
      if (value != null && cleaned != value) {
        normalized |= field.bit();
      }
      return cleaned;
    }
  }
}
