package dev.tierscope.ingest.otlp;

import com.google.protobuf.ByteString;
import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.Admission;
import dev.tierscope.core.span.GenAiDialects;
import dev.tierscope.core.span.InterruptionCause;
import dev.tierscope.core.span.SpanDefect;
import dev.tierscope.core.span.SpanField;
import dev.tierscope.core.span.SpanKind;
import dev.tierscope.core.span.SpanLimits;
import dev.tierscope.core.span.SpanRole;
import dev.tierscope.core.span.SpanTimeBounds;
import dev.tierscope.core.span.StreamOutcome;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Turns one OTLP trace export into core {@link dev.tierscope.core.span.Span}s, the only span shape
 * the rest of Tierscope sees.
 *
 * <p>Why here: the ingest is the one place that reads OpenTelemetry attributes. It reads the ids,
 * times and the attributes of SPAN-CONVENTIONS.md (leniently: services send what their SDK makes of
 * a value), resolves the class against the configured set, and hands them to core's {@link
 * dev.tierscope.core.span.Span.Builder}, which decides what the span means (role, first token,
 * stream outcome), whether it is valid ({@link SpanDefect}, e.g. a tenant the API could not read)
 * and what its free text may hold ({@link SpanLimits}). It also holds each span's times to {@link
 * SpanTimeBounds} against its clock. Everything else is dropped, so that the Kafka message and the
 * aggregator stay small. An invalid span is rejected with a reason and the rest of the request is
 * kept (OTLP partial success); a span whose values had to be changed is kept and the client told
 * (partial success with {@code rejected_spans = 0}); it never throws on bad input.
 *
 * <p>It runs on every span: each span's attributes are read in one pass with a switch on the key,
 * without regex or streams. Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * OtlpSpanNormalizer normalizer = new OtlpSpanNormalizer(TrafficClasses.defaults());
 * NormalizedBatch batch = normalizer.normalize(request);
 * batch.accepted();          // Spans to produce, keyed by trace id
 * batch.rejectedSpans();     // OTLP partial success: rejected_spans
 * batch.rejectionMessage();  // OTLP partial success: error_message
 * }</pre>
 */
public final class OtlpSpanNormalizer {

  /** Attributes a span may carry before it is rejected, unless configured otherwise. */
  static final int DEFAULT_MAX_ATTRIBUTES_PER_SPAN = 128;

  /** Rejection reason: trace id not 16 bytes, or all zero. */
  public static final String REASON_INVALID_TRACE_ID = SpanDefect.INVALID_TRACE_ID.reason();

  /** Rejection reason: span id not 8 bytes, or all zero. */
  public static final String REASON_INVALID_SPAN_ID = SpanDefect.INVALID_SPAN_ID.reason();

  /** Rejection reason: parent span id neither empty nor 8 bytes. */
  public static final String REASON_INVALID_PARENT_SPAN_ID =
      SpanDefect.INVALID_PARENT_SPAN_ID.reason();

  /** Rejection reason: start time not after the epoch. */
  public static final String REASON_INVALID_START_TIME = SpanDefect.INVALID_START_TIME.reason();

  /** Rejection reason: end time before start time. */
  public static final String REASON_END_BEFORE_START = SpanDefect.END_BEFORE_START.reason();

  /** Rejection reason: a tenant the API could not read ({@link SpanLimits#TENANT_PATTERN}). */
  public static final String REASON_INVALID_TENANT = SpanDefect.INVALID_TENANT.reason();

  /** Rejection reason: ends further ahead of the receiver's clock than the allowed skew. */
  public static final String REASON_TOO_FAR_IN_FUTURE = SpanDefect.TOO_FAR_IN_FUTURE.reason();

  /** Rejection reason: starts further back than the maximum age. */
  public static final String REASON_TOO_OLD = SpanDefect.TOO_OLD.reason();

  /** Rejection reason: more attributes than the configured bound. */
  public static final String REASON_TOO_MANY_ATTRIBUTES = "too_many_attributes";

  /**
   * Rejection reason: {@code tierscope.class} names no configured class (only with {@link
   * UnknownClassPolicy#REJECT}).
   */
  public static final String REASON_UNKNOWN_CLASS = "unknown_class";

  /**
   * Rejection reason: the span's (or its resource's) {@code tierscope.tenant} names another tenant
   * than the one the request was authenticated for.
   */
  public static final String REASON_TENANT_MISMATCH = "tenant_mismatch";

  /** What to do with a span whose {@code tierscope.class} is not a configured class or alias. */
  public enum UnknownClassPolicy {
    /**
     * Keep the span, flag it {@code class_unknown} (the aggregator counts it and applies the
     * fallback class, SPAN-CONVENTIONS.md) and warn the client in {@code partial_success} with
     * {@code rejected_spans = 0}.
     */
    ACCEPT,
    /** Reject the span like any invalid span (OTLP partial success, {@code rejected_spans}). */
    REJECT
  }

  static final int MAX_REJECTIONS_DESCRIBED = 5;

  private static final String UNKNOWN_SPAN_ID = "<unknown>";
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final TrafficClasses classes;
  // The attributes the class rules read: carried on root spans for the assembly to apply them.
  private final Set<String> ruleKeys;
  private final int maxAttributesPerSpan;
  private final UnknownClassPolicy unknownClassPolicy;
  private final SpanTimeBounds timeBounds;
  private final Clock clock;
  private final long stallThresholdMicros;

  /**
   * A normalizer with {@link #DEFAULT_MAX_ATTRIBUTES_PER_SPAN}, accepting unknown classes, with the
   * default time bounds on the system clock.
   */
  public OtlpSpanNormalizer(TrafficClasses classes) {
    this(classes, DEFAULT_MAX_ATTRIBUTES_PER_SPAN);
  }

  /** A normalizer accepting unknown classes, with the default time bounds on the system clock. */
  public OtlpSpanNormalizer(TrafficClasses classes, int maxAttributesPerSpan) {
    this(
        classes,
        maxAttributesPerSpan,
        UnknownClassPolicy.ACCEPT,
        SpanTimeBounds.DEFAULTS,
        Clock.systemUTC());
  }

  /**
   * @param classes the closed set that {@code tierscope.class} values are resolved against
   * @param maxAttributesPerSpan a span with more attributes than this is rejected; at least 1
   * @param unknownClassPolicy what happens to a span whose class is not configured
   * @param timeBounds how far from {@code clock} a span's times may lie
   * @param clock the receiver's clock that spans are judged against
   */
  public OtlpSpanNormalizer(
      TrafficClasses classes,
      int maxAttributesPerSpan,
      UnknownClassPolicy unknownClassPolicy,
      SpanTimeBounds timeBounds,
      Clock clock) {
    this(
        classes,
        maxAttributesPerSpan,
        unknownClassPolicy,
        timeBounds,
        clock,
        Duration.ofNanos(dev.tierscope.core.span.Span.DEFAULT_STALL_THRESHOLD_MICROS * 1_000));
  }

  /**
   * @param classes the closed set that {@code tierscope.class} values are resolved against
   * @param maxAttributesPerSpan a span with more attributes than this is rejected; at least 1
   * @param unknownClassPolicy what happens to a span whose class is not configured
   * @param timeBounds how far from {@code clock} a span's times may lie
   * @param clock the receiver's clock that spans are judged against
   * @param stallThreshold a gap between chunk events longer than this is a stall (for spans that
   *     send chunk events instead of {@code tierscope.stream.stalls}); at least 1 ms
   */
  public OtlpSpanNormalizer(
      TrafficClasses classes,
      int maxAttributesPerSpan,
      UnknownClassPolicy unknownClassPolicy,
      SpanTimeBounds timeBounds,
      Clock clock,
      Duration stallThreshold) {
    if (stallThreshold == null || stallThreshold.toMillis() < 1) {
      throw new IllegalArgumentException(
          "stallThreshold must be at least 1ms, got " + stallThreshold);
    }
    this.stallThresholdMicros = stallThreshold.toNanos() / 1_000;
    if (classes == null) {
      throw new IllegalArgumentException("traffic classes must be configured");
    }
    if (maxAttributesPerSpan < 1) {
      throw new IllegalArgumentException(
          "maxAttributesPerSpan must be at least 1, got " + maxAttributesPerSpan);
    }
    if (unknownClassPolicy == null) {
      throw new IllegalArgumentException("unknownClassPolicy must be set");
    }
    if (timeBounds == null || clock == null) {
      throw new IllegalArgumentException("timeBounds and clock must be set");
    }
    this.classes = classes;
    this.ruleKeys = classes.rules().attributes();
    this.maxAttributesPerSpan = maxAttributesPerSpan;
    this.unknownClassPolicy = unknownClassPolicy;
    this.timeBounds = timeBounds;
    this.clock = clock;
  }

  /** The configured attribute bound. */
  int maxAttributesPerSpan() {
    return maxAttributesPerSpan;
  }

  /**
   * Normalises every span of the request, each under the tenant it names ({@code tierscope.tenant}
   * of the span, else of its resource, else the default tenant): for requests nobody authenticated.
   * Never throws on bad spans: they are counted in the result.
   */
  public NormalizedBatch normalize(ExportTraceServiceRequest request) {
    return normalize(request, null, false);
  }

  /**
   * Normalises every span of the request under {@code callerTenant}, the tenant the request is
   * bound to: a span whose {@code tierscope.tenant} (or its resource's) names another tenant is
   * rejected ({@link #REASON_TENANT_MISMATCH}), one that names it or none is stored under it. With
   * a null {@code callerTenant}, as {@link #normalize(ExportTraceServiceRequest)}.
   *
   * @param authenticated the caller was identified (a token, a trusted proxy) and {@code
   *     callerTenant} is its identity: the spans are marked {@link
   *     dev.tierscope.core.span.Span#tenantAuthenticated()}, so the aggregator's caps never fold
   *     the tenant into {@code __overflow__}; false for a tenant an anonymous caller merely named
   *     (the {@code none} mode), which folds like any other
   */
  public NormalizedBatch normalize(
      ExportTraceServiceRequest request, String callerTenant, boolean authenticated) {
    List<dev.tierscope.core.span.Span> accepted = new ArrayList<>();
    Rejections rejections = null;
    int unknownClassSpans = 0;
    String firstUnknownClass = null;
    Map<String, Integer> normalized = null;
    long now = clock.millis();
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      ResourceContext resource = readResource(resourceSpans.getResource());
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        for (Span span : scopeSpans.getSpansList()) {
          var builder = idsAndTimes(span);
          SpanDefect defect = builder.defect();
          if (defect != null) {
            if (rejections == null) {
              rejections = new Rejections();
            }
            rejections.add(span, defect.reason(), builder::defectMessage);
            continue;
          }
          long start = span.getStartTimeUnixNano();
          long end = span.getEndTimeUnixNano();
          SpanDefect untimely = timeBounds.check(start, end, now);
          if (untimely != null) {
            if (rejections == null) {
              rejections = new Rejections();
            }
            rejections.add(
                span,
                untimely.reason(),
                () -> {
                  // "... (at most 5m0s allowed)" names the setting inside the parentheses.
                  String problem = timeBounds.problem(start, end, now);
                  return problem.substring(0, problem.length() - 1)
                      + (untimely == SpanDefect.TOO_OLD
                          ? ", tierscope.ingest.max-age)"
                          : ", tierscope.ingest.max-future-skew)");
                });
            continue;
          }
          if (span.getAttributesCount() > maxAttributesPerSpan) {
            if (rejections == null) {
              rejections = new Rejections();
            }
            rejections.add(
                span,
                REASON_TOO_MANY_ATTRIBUTES,
                () ->
                    "too many attributes: "
                        + span.getAttributesCount()
                        + " > "
                        + maxAttributesPerSpan);
            continue;
          }
          if (callerTenant != null) {
            String named = namedTenant(span, resource);
            if (named != null && !named.equals(callerTenant)) {
              if (rejections == null) {
                rejections = new Rejections();
              }
              rejections.add(
                  span,
                  REASON_TENANT_MISMATCH,
                  () ->
                      "tierscope.tenant '"
                          + SpanLimits.shown(named)
                          + "' is not the tenant this request is authenticated for ('"
                          + callerTenant
                          + "')");
              continue;
            }
          }
          readAttributes(span, resource, builder, callerTenant, authenticated);
          SpanDefect invalid = builder.defect();
          if (invalid != null) {
            if (rejections == null) {
              rejections = new Rejections();
            }
            rejections.add(span, invalid.reason(), builder::defectMessage);
            continue;
          }
          var event = builder.build();
          for (SpanField field : builder.normalizedFields()) {
            if (normalized == null) {
              normalized = new LinkedHashMap<>();
            }
            normalized.merge(field.key(), 1, Integer::sum);
          }
          if (event.classUnknown()) {
            String value = reportedClass(span, resourceSpans.getResource());
            if (unknownClassPolicy == UnknownClassPolicy.REJECT) {
              if (rejections == null) {
                rejections = new Rejections();
              }
              rejections.add(span, REASON_UNKNOWN_CLASS, () -> unknownClassProblem(value));
              continue;
            }
            unknownClassSpans++;
            if (firstUnknownClass == null) {
              firstUnknownClass = value;
            }
          }
          accepted.add(event);
        }
      }
    }
    String warning = "";
    if (unknownClassSpans > 0) {
      warning =
          "accepted "
              + unknownClassSpans
              + (unknownClassSpans == 1 ? " span" : " spans")
              + " with a tierscope.class that is not configured (first: '"
              + SpanLimits.shown(firstUnknownClass)
              + "'); such requests count in the fallback class "
              + classes.fallback()
              + " unless another span names a configured class";
    }
    Map<String, Integer> normalizedByField = normalized == null ? Map.of() : normalized;
    if (!normalizedByField.isEmpty()) {
      String changed = normalizedWarning(normalizedByField);
      warning = warning.isEmpty() ? changed : warning + "; " + changed;
    }
    if (rejections == null) {
      return new NormalizedBatch(
          accepted, 0, "", Map.of(), unknownClassSpans, normalizedByField, warning);
    }
    return new NormalizedBatch(
        accepted,
        rejections.count,
        rejections.message(),
        rejections.byReason,
        unknownClassSpans,
        normalizedByField,
        warning);
  }

  /** What the client is told about values that were changed to fit the limits. */
  private static String normalizedWarning(Map<String, Integer> byField) {
    StringBuilder m = new StringBuilder("accepted with changed values (");
    boolean first = true;
    for (SpanField f : SpanField.values()) {
      Integer n = byField.get(f.key());
      if (n != null) {
        m.append(first ? "" : ", ").append(f.attribute()).append(": ").append(n);
        first = false;
      }
    }
    return m.append(
            " spans): control characters and unpaired surrogates become U+FFFD, text is cut to"
                + " its limit, numbers beyond belief count as absent")
        .toString();
  }

  /**
   * The tenant a span names: its own non-empty {@code tierscope.tenant}, else its resource's; null
   * when neither names one.
   */
  private static String namedTenant(Span span, ResourceContext resource) {
    for (KeyValue kv : span.getAttributesList()) {
      if (SpanAttributes.TENANT.equals(kv.getKey())) {
        String value = asString(kv.getValue());
        if (value != null && !value.isEmpty()) {
          return value;
        }
      }
    }
    return resource.namedTenant();
  }

  /** The raw {@code tierscope.class} value that made a span's class unknown (span first). */
  private static String reportedClass(Span span, Resource resource) {
    for (KeyValue kv : span.getAttributesList()) {
      if (SpanAttributes.CLASS.equals(kv.getKey())) {
        String value = asString(kv.getValue());
        if (value != null && !value.isEmpty()) {
          return value;
        }
      }
    }
    for (KeyValue kv : resource.getAttributesList()) {
      if (SpanAttributes.CLASS.equals(kv.getKey())) {
        return orEmpty(asString(kv.getValue()));
      }
    }
    return "";
  }

  private String unknownClassProblem(String value) {
    StringBuilder m =
        new StringBuilder("tierscope.class '")
            .append(SpanLimits.shown(value))
            .append("' is not a configured class (");
    List<TrafficClass> all = classes.all();
    for (int i = 0; i < all.size(); i++) {
      m.append(i == 0 ? "" : ", ").append(all.get(i).name());
    }
    return m.append(')').toString();
  }

  // ---- ids and times

  /** A builder holding the span's ids and times, which is all that its validity depends on. */
  private static dev.tierscope.core.span.Span.Builder idsAndTimes(Span span) {
    return dev.tierscope.core.span.Span.builder()
        .traceId(span.getTraceId().asReadOnlyByteBuffer())
        .spanId(span.getSpanId().asReadOnlyByteBuffer())
        .parentSpanId(span.getParentSpanId().asReadOnlyByteBuffer())
        .startEpochNanos(span.getStartTimeUnixNano())
        .endEpochNanos(span.getEndTimeUnixNano());
  }

  private static boolean allZero(ByteString bytes) {
    for (int i = 0, n = bytes.size(); i < n; i++) {
      if (bytes.byteAt(i) != 0) {
        return false;
      }
    }
    return true;
  }

  static String spanLabel(ByteString spanId) {
    if (spanId.size() != 8 || allZero(spanId)) {
      return UNKNOWN_SPAN_ID;
    }
    char[] out = new char[16];
    for (int i = 0; i < 8; i++) {
      int b = spanId.byteAt(i) & 0xff;
      out[2 * i] = HEX[b >>> 4];
      out[2 * i + 1] = HEX[b & 0xf];
    }
    return new String(out);
  }

  // ---- resource

  /** What the spans of one resource share, read once per resource. */
  private record ResourceContext(
      String service,
      String region,
      String tenant,
      String namedTenant,
      String trafficClass,
      boolean classUnknown,
      String workflow,
      String genAiWorkflow,
      Map<String, String> ruleAttributes) {}

  private ResourceContext readResource(Resource resource) {
    String service = "";
    String region = "";
    String tenant = null;
    String classValue = null;
    String workflow = null;
    String genAiWorkflow = null;
    Map<String, String> ruleAttributes = Map.of();
    for (KeyValue kv : resource.getAttributesList()) {
      if (!ruleKeys.isEmpty() && ruleKeys.contains(kv.getKey())) {
        String v = asString(kv.getValue());
        if (v != null) {
          if (ruleAttributes.isEmpty()) {
            ruleAttributes = new HashMap<>();
          }
          ruleAttributes.put(kv.getKey(), v);
        }
      }
      switch (kv.getKey()) {
        case SpanAttributes.SERVICE_NAME -> service = orEmpty(asString(kv.getValue()));
        case SpanAttributes.CLOUD_REGION -> region = orEmpty(asString(kv.getValue()));
        case SpanAttributes.TENANT -> tenant = asString(kv.getValue());
        case SpanAttributes.CLASS -> classValue = asString(kv.getValue());
        case SpanAttributes.WORKFLOW -> workflow = asString(kv.getValue());
        case SpanAttributes.GEN_AI_WORKFLOW_NAME -> genAiWorkflow = asString(kv.getValue());
        default -> {}
      }
    }
    String trafficClass = "";
    boolean classUnknown = false;
    if (classValue != null && !classValue.isEmpty()) {
      TrafficClasses.Resolution resolution = classes.resolve(classValue);
      if (resolution.unknown()) {
        classUnknown = true;
      } else {
        trafficClass = resolution.className();
      }
    }
    return new ResourceContext(
        service,
        region,
        tenant == null || tenant.isEmpty() ? SpanAttributes.DEFAULT_TENANT : tenant,
        tenant == null || tenant.isEmpty() ? null : tenant,
        trafficClass,
        classUnknown,
        workflow,
        genAiWorkflow,
        ruleAttributes);
  }

  // ---- span

  /** Reads the attributes into the builder that already holds the (valid) ids and times. */
  private void readAttributes(
      Span span,
      ResourceContext resource,
      dev.tierscope.core.span.Span.Builder out,
      String callerTenant,
      boolean authenticated) {
    String classValue = null;
    String workflow = null;
    String genAiWorkflow = null;
    String spanTenant = null;
    String spanRegion = null;
    out.stallThresholdMicros(stallThresholdMicros);

    for (KeyValue kv : span.getAttributesList()) {
      AnyValue v = kv.getValue();
      switch (kv.getKey()) {
        case SpanAttributes.ROLE -> out.role(SpanRole.fromAttribute(asString(v)));
        case SpanAttributes.GEN_AI_OPERATION_NAME -> out.operation(asString(v));
        case SpanAttributes.CLASS -> classValue = asString(v);
        case SpanAttributes.WORKFLOW -> workflow = asString(v);
        case SpanAttributes.GEN_AI_WORKFLOW_NAME -> genAiWorkflow = asString(v);
        // A multi-tenant service tags each request (the SDK copies it from Baggage onto its spans).
        case SpanAttributes.TENANT -> spanTenant = asString(v);
        case SpanAttributes.GEN_AI_TIME_TO_FIRST_CHUNK -> out.timeToFirstChunkSeconds(asDouble(v));
        case SpanAttributes.GEN_AI_SERVER_TIME_TO_FIRST_TOKEN ->
            out.serverTimeToFirstTokenSeconds(asDouble(v));
        case SpanAttributes.TTFT_MS -> out.ttftMillis(asDouble(v));
        case SpanAttributes.GEN_AI_REQUEST_STREAM -> out.streamed(isTrue(asBoolean(v)));
        case SpanAttributes.STREAM_OUTCOME ->
            out.streamOutcome(StreamOutcome.fromAttribute(asString(v)));
        case SpanAttributes.STREAM_MAX_GAP_MS -> out.streamMaxGapMillis(asDouble(v));
        case SpanAttributes.STREAM_STALLS -> out.streamStalls(asLong(v));
        case SpanAttributes.STREAM_INTERRUPTION_CAUSE ->
            out.interruptionCause(InterruptionCause.fromAttribute(asString(v)));
        case SpanAttributes.RETRIEVAL_HIT -> out.retrievalHit(isTrue(asBoolean(v)));
        case SpanAttributes.RETRIEVAL_FALLBACK -> out.retrievalFallback(isTrue(asBoolean(v)));
        case SpanAttributes.GEN_AI_TOOL_NAME -> out.toolName(asString(v));
        case SpanAttributes.GEN_AI_REQUEST_MODEL -> out.model(asString(v));
        case SpanAttributes.GEN_AI_USAGE_INPUT_TOKENS -> out.inputTokens(asLong(v));
        case SpanAttributes.GEN_AI_USAGE_OUTPUT_TOKENS -> out.outputTokens(asLong(v));
        case SpanAttributes.MODEL_QUEUE_MS -> out.modelQueueMillis(asDouble(v));
        case SpanAttributes.CLIENT_PATH -> out.clientPath(asString(v));
        case SpanAttributes.NETWORK_PROTOCOL_VERSION -> out.protocolVersion(asString(v));
        case SpanAttributes.NETWORK_CONNECTION_TYPE -> out.connectionType(asString(v));
        case SpanAttributes.CLOUD_REGION -> spanRegion = asString(v);
        case SpanAttributes.TRANSPORT_PROTOCOL_FALLBACK ->
            out.protocolFallback(isTrue(asBoolean(v)));
        case SpanAttributes.TRANSPORT_RETRANSMITS -> out.retransmits(asLong(v));
        case SpanAttributes.ADMISSION -> out.admission(Admission.fromAttribute(asString(v)));
        case SpanAttributes.DEGRADATION ->
            out.degradationLevel(
                SpanAttributes.DEGRADATION_NONE.equals(asString(v)) ? 0 : asLong(v));
        default -> {
          // Another instrumentation's name for a fact (core's GenAiDialects decides what it says).
          GenAiDialects.Mapping dialect = GenAiDialects.attribute(kv.getKey());
          if (dialect != null) {
            readDialect(dialect, v, out);
          }
        }
      }
    }

    out.service(resource.service())
        .region(spanRegion == null || spanRegion.isEmpty() ? resource.region() : spanRegion)
        .tenant(
            callerTenant != null
                ? callerTenant
                : spanTenant == null || spanTenant.isEmpty() ? resource.tenant() : spanTenant)
        .tenantAuthenticated(authenticated && callerTenant != null)
        .kind(kind(span.getKind()))
        .error(span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR);

    if (!ruleKeys.isEmpty() && out.isRoot()) {
      // Only a root span keeps them (core decides which span is a root); reading them for the
      // others would be wasted. Span attributes win over the resource's of the same name (the
      // builder keeps the last value of a key).
      resource.ruleAttributes().forEach(out::ruleAttribute);
      for (KeyValue kv : span.getAttributesList()) {
        if (ruleKeys.contains(kv.getKey())) {
          String v = asString(kv.getValue());
          if (v != null) {
            out.ruleAttribute(kv.getKey(), v);
          }
        }
      }
    }

    if (classValue != null && !classValue.isEmpty()) {
      TrafficClasses.Resolution resolution = classes.resolve(classValue);
      if (resolution.unknown()) {
        out.classUnknown(true);
      } else {
        out.trafficClass(resolution.className());
      }
    } else if (resource.classUnknown()) {
      out.classUnknown(true);
    } else {
      out.trafficClass(resource.trafficClass());
    }

    out.workflow(
        firstNonEmpty(workflow, genAiWorkflow, resource.workflow(), resource.genAiWorkflow()));

    for (int i = 0, n = span.getEventsCount(); i < n; i++) {
      Span.Event event = span.getEvents(i);
      if (SpanAttributes.FIRST_TOKEN_EVENT.equals(event.getName())) {
        out.firstTokenEvent(event.getTimeUnixNano());
      } else if (SpanAttributes.STREAM_CHUNK_EVENT.equals(event.getName())) {
        out.chunkEvent(event.getTimeUnixNano());
      } else {
        GenAiDialects.Mapping dialect = GenAiDialects.event(event.getName());
        if (dialect != null) {
          out.dialectEvent(dialect, event.getTimeUnixNano());
        }
      }
    }
  }

  /** Reads a dialect attribute the way its row says and hands it to the builder. */
  private static void readDialect(
      GenAiDialects.Mapping dialect, AnyValue v, dev.tierscope.core.span.Span.Builder out) {
    switch (dialect.valueType()) {
      case NUMBER -> out.dialectNumber(dialect, asDouble(v));
      case BOOL -> out.dialectBool(dialect, asBoolean(v));
      case TEXT -> out.dialectText(dialect, asString(v));
      case EVENT -> {}
    }
  }

  /** The one mapping from OTLP's span kinds to core's. */
  private static SpanKind kind(Span.SpanKind kind) {
    return switch (kind) {
      case SPAN_KIND_INTERNAL -> SpanKind.INTERNAL;
      case SPAN_KIND_SERVER -> SpanKind.SERVER;
      case SPAN_KIND_CLIENT -> SpanKind.CLIENT;
      case SPAN_KIND_PRODUCER -> SpanKind.PRODUCER;
      case SPAN_KIND_CONSUMER -> SpanKind.CONSUMER;
      default -> SpanKind.UNSPECIFIED;
    };
  }

  // ---- lenient value reading: services send what their SDK makes of a value

  /** A string, or the text of a scalar; null for absent, arrays, maps and bytes. */
  static String asString(AnyValue v) {
    return switch (v.getValueCase()) {
      case STRING_VALUE -> v.getStringValue();
      case INT_VALUE -> Long.toString(v.getIntValue());
      case DOUBLE_VALUE -> doubleText(v.getDoubleValue());
      case BOOL_VALUE -> v.getBoolValue() ? "true" : "false";
      default -> null;
    };
  }

  /** A bool, also from "true"/"false" in any case and from the ints 0/1; null otherwise. */
  static Boolean asBoolean(AnyValue v) {
    switch (v.getValueCase()) {
      case BOOL_VALUE:
        return v.getBoolValue();
      case STRING_VALUE:
        String s = v.getStringValue().trim();
        if ("true".equalsIgnoreCase(s)) {
          return Boolean.TRUE;
        }
        return "false".equalsIgnoreCase(s) ? Boolean.FALSE : null;
      case INT_VALUE:
        long i = v.getIntValue();
        return i == 1 ? Boolean.TRUE : i == 0 ? Boolean.FALSE : null;
      default:
        return null;
    }
  }

  /** A number as double, also from an int or a numeric string; NaN when absent or not finite. */
  static double asDouble(AnyValue v) {
    double d =
        switch (v.getValueCase()) {
          case DOUBLE_VALUE -> v.getDoubleValue();
          case INT_VALUE -> (double) v.getIntValue();
          case STRING_VALUE -> parseDouble(v.getStringValue());
          default -> Double.NaN;
        };
    return Double.isFinite(d) ? d : Double.NaN;
  }

  /**
   * A number as long, also from a double (rounded) or a numeric string; {@link Long#MIN_VALUE} when
   * absent.
   */
  static long asLong(AnyValue v) {
    switch (v.getValueCase()) {
      case INT_VALUE:
        return v.getIntValue();
      case DOUBLE_VALUE:
      case STRING_VALUE:
        double d = asDouble(v);
        if (Double.isNaN(d) || d >= 0x1p63 || d < -0x1p63) {
          return Long.MIN_VALUE;
        }
        return Math.round(d);
      default:
        return Long.MIN_VALUE;
    }
  }

  /** Parses a plain decimal number; NaN for anything else, without throwing on the common path. */
  private static double parseDouble(String s) {
    String t = s.trim();
    if (t.isEmpty()) {
      return Double.NaN;
    }
    // Only digits, sign, point and exponent: rules out words, "NaN", "Infinity" and hex floats
    // before parseDouble can throw.
    for (int i = 0, n = t.length(); i < n; i++) {
      char c = t.charAt(i);
      if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E')) {
        return Double.NaN;
      }
    }
    try {
      return Double.parseDouble(t);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  private static String doubleText(double d) {
    // 2.0 -> "2": a protocol version or a count sent as double reads as it was meant.
    if (d == Math.rint(d) && Math.abs(d) < 1e15) {
      return Long.toString((long) d);
    }
    return Double.toString(d);
  }

  private static boolean isTrue(Boolean b) {
    return b != null && b;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static String firstNonEmpty(String a, String b, String c, String d) {
    if (a != null && !a.isEmpty()) {
      return a;
    }
    if (b != null && !b.isEmpty()) {
      return b;
    }
    if (c != null && !c.isEmpty()) {
      return c;
    }
    return d == null ? "" : d;
  }

  // ---- rejections

  /** Counts rejected spans per reason and describes the first few; created on the first one. */
  private static final class Rejections {
    int count;
    final Map<String, Integer> byReason = new LinkedHashMap<>();
    final StringBuilder details = new StringBuilder();

    void add(Span span, String reason, Supplier<String> detail) {
      count++;
      byReason.merge(reason, 1, Integer::sum);
      if (count <= MAX_REJECTIONS_DESCRIBED) {
        if (count > 1) {
          details.append("; ");
        }
        details
            .append("span ")
            .append(spanLabel(span.getSpanId()))
            .append(": ")
            .append(detail.get());
      }
    }

    String message() {
      StringBuilder m = new StringBuilder();
      m.append("rejected ").append(count).append(count == 1 ? " span: " : " spans: ");
      m.append(details);
      if (count > MAX_REJECTIONS_DESCRIBED) {
        m.append("; and ").append(count - MAX_REJECTIONS_DESCRIBED).append(" more");
      }
      return m.toString();
    }
  }
}
