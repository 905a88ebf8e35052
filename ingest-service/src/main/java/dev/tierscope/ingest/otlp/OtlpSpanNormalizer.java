package dev.tierscope.ingest.otlp;

import com.google.protobuf.ByteString;
import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.conventions.SpanAttributes.Roles;
import dev.tierscope.conventions.SpanAttributes.StreamOutcomes;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.wire.v1.Role;
import dev.tierscope.wire.v1.SpanEvent;
import dev.tierscope.wire.v1.SpanKind;
import dev.tierscope.wire.v1.StreamOutcome;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Turns one OTLP trace export into {@link SpanEvent}s, the only span shape the rest of Tierscope
 * sees.
 *
 * <p>Why here: the ingest is the one place that reads OpenTelemetry attributes. It validates ids
 * and times, reads the attributes of SPAN-CONVENTIONS.md, infers what a single span can tell about
 * its role, derives the first-token time and the stream outcome, and drops everything else, so that
 * the Kafka message and the aggregator stay small. An invalid span is rejected with a reason and
 * the rest of the request is kept (OTLP partial success); it never throws on bad input.
 *
 * <p>It runs on every span: each span's attributes are read in one pass with a switch on the key,
 * without regex or streams. Instances are immutable and thread-safe.
 *
 * <pre>{@code
 * OtlpSpanNormalizer normalizer = new OtlpSpanNormalizer(TrafficClasses.defaults());
 * NormalizedBatch batch = normalizer.normalize(request);
 * batch.accepted();          // SpanEvents to produce, keyed by trace id
 * batch.rejectedSpans();     // OTLP partial success: rejected_spans
 * batch.rejectionMessage();  // OTLP partial success: error_message
 * }</pre>
 */
public final class OtlpSpanNormalizer {

  /** Attributes a span may carry before it is rejected, unless configured otherwise. */
  public static final int DEFAULT_MAX_ATTRIBUTES_PER_SPAN = 128;

  /** Rejection reason: trace id not 16 bytes, or all zero. */
  public static final String REASON_INVALID_TRACE_ID = "invalid_trace_id";

  /** Rejection reason: span id not 8 bytes, or all zero. */
  public static final String REASON_INVALID_SPAN_ID = "invalid_span_id";

  /** Rejection reason: parent span id neither empty nor 8 bytes. */
  public static final String REASON_INVALID_PARENT_SPAN_ID = "invalid_parent_span_id";

  /** Rejection reason: start time not after the epoch. */
  public static final String REASON_INVALID_START_TIME = "invalid_start_time";

  /** Rejection reason: end time before start time. */
  public static final String REASON_END_BEFORE_START = "end_before_start";

  /** Rejection reason: more attributes than the configured bound. */
  public static final String REASON_TOO_MANY_ATTRIBUTES = "too_many_attributes";

  /**
   * Rejection reason: {@code tierscope.class} names no configured class (only with {@link
   * UnknownClassPolicy#REJECT}).
   */
  public static final String REASON_UNKNOWN_CLASS = "unknown_class";

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

  static final int MAX_WORKFLOW_CHARS = 64;
  static final int MAX_TOOL_NAME_CHARS = 64;
  static final int MAX_EDGE_VALUE_CHARS = 32;
  // Not bounded by the conventions; 128 holds every provider's model ids and keeps a runaway value
  // out of the Kafka message.
  static final int MAX_MODEL_CHARS = 128;
  static final int MAX_REJECTIONS_DESCRIBED = 5;
  static final int MAX_SHOWN_CLASS_CHARS = 64;

  private static final String UNKNOWN_SPAN_ID = "<unknown>";
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private final TrafficClasses classes;
  private final int maxAttributesPerSpan;
  private final UnknownClassPolicy unknownClassPolicy;

  /** A normalizer with {@link #DEFAULT_MAX_ATTRIBUTES_PER_SPAN}, accepting unknown classes. */
  public OtlpSpanNormalizer(TrafficClasses classes) {
    this(classes, DEFAULT_MAX_ATTRIBUTES_PER_SPAN);
  }

  /** A normalizer accepting unknown classes (the span conventions' rule). */
  public OtlpSpanNormalizer(TrafficClasses classes, int maxAttributesPerSpan) {
    this(classes, maxAttributesPerSpan, UnknownClassPolicy.ACCEPT);
  }

  /**
   * @param classes the closed set that {@code tierscope.class} values are resolved against
   * @param maxAttributesPerSpan a span with more attributes than this is rejected; at least 1
   * @param unknownClassPolicy what happens to a span whose class is not configured
   */
  public OtlpSpanNormalizer(
      TrafficClasses classes, int maxAttributesPerSpan, UnknownClassPolicy unknownClassPolicy) {
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
    this.classes = classes;
    this.maxAttributesPerSpan = maxAttributesPerSpan;
    this.unknownClassPolicy = unknownClassPolicy;
  }

  /** The configured attribute bound. */
  public int maxAttributesPerSpan() {
    return maxAttributesPerSpan;
  }

  /**
   * Normalises every span of the request. Never throws on bad spans: they are counted in the
   * result.
   */
  public NormalizedBatch normalize(ExportTraceServiceRequest request) {
    List<SpanEvent> accepted = new ArrayList<>();
    Rejections rejections = null;
    int unknownClassSpans = 0;
    String firstUnknownClass = null;
    for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
      ResourceContext resource = readResource(resourceSpans.getResource());
      for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
        for (Span span : scopeSpans.getSpansList()) {
          String reason = invalidReason(span);
          if (reason != null) {
            if (rejections == null) {
              rejections = new Rejections();
            }
            rejections.add(span, reason, () -> describe(span, reason));
            continue;
          }
          SpanEvent event = normalizeSpan(span, resource);
          if (event.getClassUnknown()) {
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
              + truncate(firstUnknownClass, MAX_SHOWN_CLASS_CHARS)
              + "'); such requests count in the fallback class "
              + classes.fallback()
              + " unless another span names a configured class";
    }
    if (rejections == null) {
      return new NormalizedBatch(accepted, 0, "", Map.of(), unknownClassSpans, warning);
    }
    return new NormalizedBatch(
        accepted,
        rejections.count,
        rejections.message(),
        rejections.byReason,
        unknownClassSpans,
        warning);
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
            .append(truncate(value, MAX_SHOWN_CLASS_CHARS))
            .append("' is not a configured class (");
    List<TrafficClass> all = classes.all();
    for (int i = 0; i < all.size(); i++) {
      m.append(i == 0 ? "" : ", ").append(all.get(i).name());
    }
    return m.append(')').toString();
  }

  // ---- validation

  private String invalidReason(Span span) {
    ByteString traceId = span.getTraceId();
    if (traceId.size() != 16 || allZero(traceId)) {
      return REASON_INVALID_TRACE_ID;
    }
    ByteString spanId = span.getSpanId();
    if (spanId.size() != 8 || allZero(spanId)) {
      return REASON_INVALID_SPAN_ID;
    }
    int parentSize = span.getParentSpanId().size();
    if (parentSize != 0 && parentSize != 8) {
      return REASON_INVALID_PARENT_SPAN_ID;
    }
    // fixed64 nanos read as a signed long: a value past 2^63 (year 2262) reads negative.
    long start = span.getStartTimeUnixNano();
    if (start <= 0) {
      return REASON_INVALID_START_TIME;
    }
    if (span.getEndTimeUnixNano() < start) {
      return REASON_END_BEFORE_START;
    }
    if (span.getAttributesCount() > maxAttributesPerSpan) {
      return REASON_TOO_MANY_ATTRIBUTES;
    }
    return null;
  }

  /** The English detail for a rejection; only built for the few spans the message names. */
  private String describe(Span span, String reason) {
    switch (reason) {
      case REASON_INVALID_TRACE_ID:
        return idProblem("trace_id", span.getTraceId(), 16);
      case REASON_INVALID_SPAN_ID:
        return idProblem("span_id", span.getSpanId(), 8);
      case REASON_INVALID_PARENT_SPAN_ID:
        return "parent_span_id must be empty or 8 bytes, got " + span.getParentSpanId().size();
      case REASON_INVALID_START_TIME:
        return "start_time_unix_nano must be positive, got "
            + Long.toUnsignedString(span.getStartTimeUnixNano());
      case REASON_END_BEFORE_START:
        return "end before start";
      case REASON_TOO_MANY_ATTRIBUTES:
        return "too many attributes: " + span.getAttributesCount() + " > " + maxAttributesPerSpan;
      default:
        return reason;
    }
  }

  private static String idProblem(String field, ByteString id, int size) {
    if (id.size() != size) {
      return field + " must be " + size + " bytes, got " + id.size();
    }
    return field + " must not be all zero";
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
      String tenant,
      String trafficClass,
      boolean classUnknown,
      String workflow,
      String genAiWorkflow) {}

  private ResourceContext readResource(Resource resource) {
    String service = "";
    String tenant = null;
    String classValue = null;
    String workflow = null;
    String genAiWorkflow = null;
    for (KeyValue kv : resource.getAttributesList()) {
      switch (kv.getKey()) {
        case SpanAttributes.SERVICE_NAME -> service = orEmpty(asString(kv.getValue()));
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
        tenant == null || tenant.isEmpty() ? SpanAttributes.DEFAULT_TENANT : tenant,
        trafficClass,
        classUnknown,
        workflow,
        genAiWorkflow);
  }

  // ---- span

  private SpanEvent normalizeSpan(Span span, ResourceContext resource) {
    SpanEvent.Builder out = SpanEvent.newBuilder();
    long start = span.getStartTimeUnixNano();
    long end = span.getEndTimeUnixNano();

    Role explicitRole = null;
    String operation = "";
    String classValue = null;
    String workflow = null;
    String genAiWorkflow = null;
    String spanTenant = null;
    double timeToFirstChunkSeconds = Double.NaN;
    double serverTimeToFirstTokenSeconds = Double.NaN;
    double ttftMillis = Double.NaN;
    StreamOutcome explicitOutcome = null;

    for (KeyValue kv : span.getAttributesList()) {
      AnyValue v = kv.getValue();
      switch (kv.getKey()) {
        case SpanAttributes.ROLE -> explicitRole = role(asString(v));
        case SpanAttributes.GEN_AI_OPERATION_NAME -> operation = orEmpty(asString(v));
        case SpanAttributes.CLASS -> classValue = asString(v);
        case SpanAttributes.WORKFLOW -> workflow = asString(v);
        case SpanAttributes.GEN_AI_WORKFLOW_NAME -> genAiWorkflow = asString(v);
        // A multi-tenant service tags each request (the SDK copies it from Baggage onto its spans).
        case SpanAttributes.TENANT -> spanTenant = asString(v);
        case SpanAttributes.GEN_AI_TIME_TO_FIRST_CHUNK -> timeToFirstChunkSeconds = asDouble(v);
        case SpanAttributes.GEN_AI_SERVER_TIME_TO_FIRST_TOKEN ->
            serverTimeToFirstTokenSeconds = asDouble(v);
        case SpanAttributes.TTFT_MS -> ttftMillis = asDouble(v);
        case SpanAttributes.GEN_AI_REQUEST_STREAM -> out.setStreamed(isTrue(asBoolean(v)));
        case SpanAttributes.STREAM_OUTCOME -> explicitOutcome = streamOutcome(asString(v));
        case SpanAttributes.RETRIEVAL_HIT -> out.setRetrievalHit(isTrue(asBoolean(v)));
        case SpanAttributes.RETRIEVAL_FALLBACK -> out.setRetrievalFallback(isTrue(asBoolean(v)));
        case SpanAttributes.GEN_AI_TOOL_NAME ->
            out.setToolName(truncate(asString(v), MAX_TOOL_NAME_CHARS));
        case SpanAttributes.GEN_AI_REQUEST_MODEL ->
            out.setModel(truncate(asString(v), MAX_MODEL_CHARS));
        case SpanAttributes.GEN_AI_USAGE_INPUT_TOKENS -> out.setInputTokens(nonNegative(asLong(v)));
        case SpanAttributes.GEN_AI_USAGE_OUTPUT_TOKENS ->
            out.setOutputTokens(nonNegative(asLong(v)));
        case SpanAttributes.MODEL_QUEUE_MS -> out.setModelQueueMicros(millisToMicros(asDouble(v)));
        case SpanAttributes.CLIENT_PATH ->
            out.setClientPath(truncate(asString(v), MAX_EDGE_VALUE_CHARS));
        case SpanAttributes.NETWORK_PROTOCOL_VERSION ->
            out.setProtocolVersion(truncate(asString(v), MAX_EDGE_VALUE_CHARS));
        case SpanAttributes.NETWORK_CONNECTION_TYPE ->
            out.setConnectionType(truncate(asString(v), MAX_EDGE_VALUE_CHARS));
        case SpanAttributes.TRANSPORT_PROTOCOL_FALLBACK ->
            out.setProtocolFallback(isTrue(asBoolean(v)));
        case SpanAttributes.TRANSPORT_RETRANSMITS -> out.setRetransmits(toInt(asLong(v)));
        default -> {}
      }
    }

    ByteString parent = span.getParentSpanId();
    boolean root = parent.isEmpty() || allZero(parent);
    SpanKind kind = kind(span.getKind());
    boolean error = span.getStatus().getCode() == Status.StatusCode.STATUS_CODE_ERROR;

    out.setTraceId(span.getTraceId())
        .setSpanId(span.getSpanId())
        .setParentSpanId(root ? ByteString.EMPTY : parent)
        .setService(resource.service())
        .setTenant(spanTenant == null || spanTenant.isEmpty() ? resource.tenant() : spanTenant)
        .setKind(kind)
        .setOperation(operation)
        .setRole(explicitRole != null ? explicitRole : inferRole(kind, root, operation))
        .setStartEpochNanos(start)
        .setEndEpochNanos(end)
        .setStatusError(error);

    if (classValue != null && !classValue.isEmpty()) {
      TrafficClasses.Resolution resolution = classes.resolve(classValue);
      if (resolution.unknown()) {
        out.setClassUnknown(true);
      } else {
        out.setTrafficClass(resolution.className());
      }
    } else if (resource.classUnknown()) {
      out.setClassUnknown(true);
    } else {
      out.setTrafficClass(resource.trafficClass());
    }

    out.setWorkflow(
        truncate(
            firstNonEmpty(workflow, genAiWorkflow, resource.workflow(), resource.genAiWorkflow()),
            MAX_WORKFLOW_CHARS));

    long firstToken = firstTokenFromEvents(span, start);
    if (firstToken == 0) {
      firstToken = afterStart(start, timeToFirstChunkSeconds * 1e9);
    }
    if (firstToken == 0) {
      firstToken = afterStart(start, serverTimeToFirstTokenSeconds * 1e9);
    }
    if (firstToken == 0) {
      firstToken = afterStart(start, ttftMillis * 1e6);
    }
    out.setFirstTokenEpochNanos(firstToken);

    StreamOutcome outcome = explicitOutcome;
    if (outcome == null) {
      if (!out.getStreamed()) {
        outcome = StreamOutcome.STREAM_OUTCOME_UNSPECIFIED;
      } else if (error && firstToken != 0) {
        outcome = StreamOutcome.STREAM_OUTCOME_INTERRUPTED;
      } else {
        outcome = StreamOutcome.STREAM_OUTCOME_COMPLETED;
      }
    }
    out.setStreamOutcome(outcome);
    return out.build();
  }

  /** What one span shows about its role; the aggregator decides ROLE_UNSPECIFIED spans. */
  static Role inferRole(SpanKind kind, boolean root, String operation) {
    if (kind == SpanKind.SPAN_KIND_CLIENT && root) {
      return Role.ROLE_CLIENT;
    }
    if (kind == SpanKind.SPAN_KIND_SERVER) {
      // A SERVER span with a parent is the gateway only if its parent is the client span, which
      // one span cannot tell.
      return root ? Role.ROLE_GATEWAY : Role.ROLE_UNSPECIFIED;
    }
    return switch (operation) {
      case SpanAttributes.OPERATION_CHAT -> Role.ROLE_MODEL;
      case SpanAttributes.OPERATION_TEXT_COMPLETION -> Role.ROLE_MODEL;
      case SpanAttributes.OPERATION_GENERATE_CONTENT -> Role.ROLE_MODEL;
      case SpanAttributes.OPERATION_RETRIEVAL -> Role.ROLE_RETRIEVAL;
      case SpanAttributes.OPERATION_EXECUTE_TOOL -> Role.ROLE_TOOL;
      default -> Role.ROLE_INTERNAL;
    };
  }

  /** The first {@code first_token} event at or after start, 0 when there is none. */
  private static long firstTokenFromEvents(Span span, long start) {
    for (int i = 0, n = span.getEventsCount(); i < n; i++) {
      Span.Event event = span.getEvents(i);
      if (SpanAttributes.FIRST_TOKEN_EVENT.equals(event.getName())) {
        long time = event.getTimeUnixNano();
        if (time >= start) {
          return time;
        }
      }
    }
    return 0;
  }

  /** {@code start + offsetNanos}, or 0 when the offset is absent, negative or overflows. */
  private static long afterStart(long start, double offsetNanos) {
    // !(x >= 0) is also true for NaN, which stands for "absent".
    if (!(offsetNanos >= 0) || offsetNanos >= (double) (Long.MAX_VALUE - start)) {
      return 0;
    }
    return start + Math.round(offsetNanos);
  }

  private static SpanKind kind(Span.SpanKind kind) {
    return switch (kind) {
      case SPAN_KIND_INTERNAL -> SpanKind.SPAN_KIND_INTERNAL;
      case SPAN_KIND_SERVER -> SpanKind.SPAN_KIND_SERVER;
      case SPAN_KIND_CLIENT -> SpanKind.SPAN_KIND_CLIENT;
      case SPAN_KIND_PRODUCER -> SpanKind.SPAN_KIND_PRODUCER;
      case SPAN_KIND_CONSUMER -> SpanKind.SPAN_KIND_CONSUMER;
      default -> SpanKind.SPAN_KIND_UNSPECIFIED;
    };
  }

  /** The stated role, or null when absent or not one of the convention's values. */
  private static Role role(String value) {
    if (value == null) {
      return null;
    }
    return switch (value) {
      case Roles.CLIENT -> Role.ROLE_CLIENT;
      case Roles.GATEWAY -> Role.ROLE_GATEWAY;
      case Roles.MODEL -> Role.ROLE_MODEL;
      case Roles.RETRIEVAL -> Role.ROLE_RETRIEVAL;
      case Roles.TOOL -> Role.ROLE_TOOL;
      case Roles.POLICY -> Role.ROLE_POLICY;
      case Roles.INTERNAL -> Role.ROLE_INTERNAL;
      default -> null;
    };
  }

  /** The stated outcome, or null when absent or not one of the convention's values. */
  private static StreamOutcome streamOutcome(String value) {
    if (value == null) {
      return null;
    }
    return switch (value) {
      case StreamOutcomes.COMPLETED -> StreamOutcome.STREAM_OUTCOME_COMPLETED;
      case StreamOutcomes.INTERRUPTED -> StreamOutcome.STREAM_OUTCOME_INTERRUPTED;
      case StreamOutcomes.CANCELLED -> StreamOutcome.STREAM_OUTCOME_CANCELLED;
      default -> null;
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

  private static long nonNegative(long value) {
    return value < 0 ? 0 : value;
  }

  private static int toInt(long value) {
    if (value < 0) {
      return 0;
    }
    return value > Integer.MAX_VALUE ? Integer.MAX_VALUE : (int) value;
  }

  private static long millisToMicros(double millis) {
    if (!(millis >= 0) || millis * 1000 >= 0x1p63) {
      return 0;
    }
    return Math.round(millis * 1000);
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

  /** At most {@code max} chars, never splitting a surrogate pair; "" for null. */
  static String truncate(String s, int max) {
    if (s == null) {
      return "";
    }
    if (s.length() <= max) {
      return s;
    }
    int cut = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
    return s.substring(0, cut);
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
