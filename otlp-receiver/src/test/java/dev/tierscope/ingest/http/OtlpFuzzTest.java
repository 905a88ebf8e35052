package dev.tierscope.ingest.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.protobuf.ByteString;
import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanLimits;
import dev.tierscope.core.span.SpanTimeBounds;
import dev.tierscope.ingest.otlp.OtlpSpanNormalizer;
import dev.tierscope.ingest.publish.InMemorySpanPublisher;
import dev.tierscope.ingest.publish.SpanPublisher;
import dev.tierscope.ingest.receiver.IngestMetrics;
import dev.tierscope.ingest.receiver.TraceReceiver;
import dev.tierscope.wire.SpanBytesDecoder;
import dev.tierscope.wire.SpanBytesEncoder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.json.JsonFactory;

/**
 * Seeded fuzzing of everything the ingest does with a body before Kafka: the OTLP/HTTP handler, the
 * protobuf and OTLP/JSON decoders and the normaliser, on mutations of valid export requests (random
 * bytes, cut tails, huge and unicode and control-character strings, unpaired surrogates, extreme
 * integers and timestamps, deep nesting, gzip). Whatever comes in: the answer is never a 5xx,
 * nothing escapes the handler, the answer body is a well-formed OTLP response, and every span that
 * was accepted survives the round trip to a {@code SpanEvent} unchanged and within core's limits.
 *
 * <p>Bounded by time ({@code -Dtierscope.fuzz.seconds}, default 20 per encoding) and iterations
 * ({@code -Dtierscope.fuzz.iterations}, default 20 000 per encoding), whichever ends first, but
 * never below {@link #MIN_ITERATIONS} bodies per encoding however long they take (on a loaded
 * machine the time bound alone once stopped a run at 854, short of the floor asserted); {@code
 * -Dtierscope.fuzz.seed} replays a run. A longer run: {@code mvn -pl otlp-receiver -am test
 * -Dtest=OtlpFuzzTest -Dsurefire.failIfNoSpecifiedTests=false -Dtierscope.fuzz.seconds=600}.
 */
class OtlpFuzzTest {

  static final long NOW = 1_767_225_600_000_000_000L;
  static final int MAX_BODY = 1 << 20;

  static final long SECONDS = Long.getLong("tierscope.fuzz.seconds", 20);
  static final long ITERATIONS = Long.getLong("tierscope.fuzz.iterations", 20_000);
  static final long SEED = Long.getLong("tierscope.fuzz.seed", 20_261_130);
  static final long MIN_ITERATIONS = 1_000;

  final List<Span> handedToKafka = new ArrayList<>();
  final InMemorySpanPublisher kafka = new InMemorySpanPublisher(2_000);
  final OtlpHttpHandler handler =
      new OtlpHttpHandler(
          new TraceReceiver(
              new OtlpSpanNormalizer(
                  TrafficClasses.defaults(),
                  128,
                  OtlpSpanNormalizer.UnknownClassPolicy.ACCEPT,
                  SpanTimeBounds.DEFAULTS,
                  Clock.fixed(Instant.ofEpochSecond(0, NOW), ZoneOffset.UTC)),
              recording(),
              IngestMetrics.NOOP,
              Duration.ofSeconds(5)),
          IngestMetrics.NOOP,
          MAX_BODY,
          Duration.ofSeconds(1));

  private SpanPublisher recording() {
    return spans -> {
      handedToKafka.addAll(spans);
      return kafka.publish(spans);
    };
  }

  @Test
  void protobufBodiesNeverBreakTheIngest() {
    Tally tally = run("http/protobuf", true);

    assertThat(tally.iterations).isGreaterThanOrEqualTo(Math.min(ITERATIONS, MIN_ITERATIONS));
    // Every kind of answer was reached, not only one.
    assertThat(tally.byStatus).containsKeys(200, 400);
    assertThat(tally.spansAccepted).isPositive();
    assertThat(tally.partial).isPositive();
  }

  @Test
  void jsonBodiesNeverBreakTheIngest() {
    Tally tally = run("http/json", false);

    assertThat(tally.iterations).isGreaterThanOrEqualTo(Math.min(ITERATIONS, MIN_ITERATIONS));
    assertThat(tally.byStatus).containsKeys(200, 400);
    assertThat(tally.spansAccepted).isPositive();
    assertThat(tally.partial).isPositive();
  }

  /** Counts of what a run saw. */
  static final class Tally {
    long iterations;
    long spansAccepted;
    long partial;
    final Map<Integer, Long> byStatus = new TreeMap<>();
  }

  private Tally run(String name, boolean protobuf) {
    SplittableRandom random = new SplittableRandom(SEED + (protobuf ? 0 : 1));
    Tally tally = new Tally();
    long started = System.nanoTime();
    long deadline = started + Duration.ofSeconds(SECONDS).toNanos();
    long minIterations = Math.min(ITERATIONS, MIN_ITERATIONS);
    while (tally.iterations < ITERATIONS
        && (tally.iterations < minIterations || System.nanoTime() < deadline)) {
      long seed = random.nextLong();
      byte[] body;
      boolean gzip;
      try {
        SplittableRandom r = new SplittableRandom(seed);
        ExportTraceServiceRequest request = Requests.mutated(r, Requests.valid(r));
        body = protobuf ? bytes(r, request.toByteArray()) : json(r, request);
        gzip = r.nextInt(10) == 0;
        if (gzip) {
          body = gzip(r, body);
        }
      } catch (RuntimeException e) {
        throw new AssertionError("the generator failed at seed " + seed, e);
      }
      handedToKafka.clear();
      int before = kafka.records().size();
      OtlpHttpHandler.Answer answer;
      try {
        answer =
            handler.handle(
                protobuf ? "application/x-protobuf" : "application/json",
                null,
                gzip ? "gzip" : null,
                random.nextBoolean() ? body.length : -1,
                new ByteArrayInputStream(body));
      } catch (IOException | RuntimeException e) {
        throw new AssertionError("the handler threw at seed " + seed, e);
      }
      check(seed, protobuf, answer, before, tally);
      tally.iterations++;
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "OtlpFuzzTest %s: %,d requests in %.1f s (seed %d), answers by status %s, %,d spans"
            + " accepted, %,d answers with partial success%n",
        name,
        tally.iterations,
        seconds,
        SEED,
        tally.byStatus,
        tally.spansAccepted,
        tally.partial);
    return tally;
  }

  private void check(
      long seed, boolean protobuf, OtlpHttpHandler.Answer answer, int before, Tally tally) {
    String at = "seed " + seed;
    tally.byStatus.merge(answer.status(), 1L, Long::sum);
    assertThat(answer.status()).as(at).isLessThan(500).isNotEqualTo(429);
    if (answer.status() != 200) {
      assertThat(handedToKafka).as(at).isEmpty();
      return;
    }
    // The answer is a well-formed OTLP response in the request's encoding.
    if (protobuf) {
      try {
        ExportTraceServiceResponse response = ExportTraceServiceResponse.parseFrom(answer.body());
        if (response.hasPartialSuccess()) {
          tally.partial++;
          assertThat(SpanLimits.isUnsafe(response.getPartialSuccess().getErrorMessage()))
              .as(at)
              .isFalse();
        }
      } catch (IOException e) {
        fail(at + ": the answer is not an ExportTraceServiceResponse", e);
      }
    } else {
      String text = new String(answer.body(), UTF_8);
      assertThat(answer.body()).as(at).isEqualTo(text.getBytes(UTF_8));
      assertWellFormedJson(at, answer.body());
      if (text.contains("partialSuccess")) {
        tally.partial++;
      }
    }
    // Every accepted span is within core's limits and survives the round trip to a SpanEvent.
    List<InMemorySpanPublisher.Record> records = kafka.records();
    assertThat(records.size() - before).as(at).isLessThanOrEqualTo(handedToKafka.size());
    for (Span span : handedToKafka) {
      assertThat(SpanLimits.isValidTenant(span.tenant())).as(at).isTrue();
      for (String text :
          List.of(
              span.service(),
              span.operation(),
              span.workflow(),
              span.toolName(),
              span.model(),
              span.clientPath(),
              span.protocolVersion(),
              span.connectionType())) {
        assertThat(SpanLimits.isUnsafe(text)).as(at).isFalse();
        assertThat(text.length()).as(at).isLessThanOrEqualTo(SpanLimits.MAX_MODEL_CHARS);
      }
      assertThat(span.endEpochNanos() - NOW).as(at).isLessThanOrEqualTo(300_000_000_000L);
      byte[] encoded = SpanBytesEncoder.SPAN_EVENT_V1.encode(span);
      assertThat(SpanBytesDecoder.SPAN_EVENT_V1.decode(encoded)).as(at).isEqualTo(span);
    }
    for (int i = before; i < records.size(); i++) {
      Span read = records.get(i).span();
      assertThat(handedToKafka).as(at).contains(read);
      tally.spansAccepted++;
    }
  }

  private static void assertWellFormedJson(String at, byte[] body) {
    try (JsonParser p =
        new JsonFactory().createParser(ObjectReadContext.empty(), body, 0, body.length)) {
      while (p.nextToken() != null) {
        // reading is the check
      }
    } catch (RuntimeException e) {
      fail(at + ": the answer is not JSON: " + new String(body, UTF_8), e);
    }
  }

  // ---- byte-level mutations

  private static byte[] bytes(SplittableRandom r, byte[] valid) {
    switch (r.nextInt(8)) {
      case 0:
        {
          byte[] b = valid.clone();
          for (int n = 1 + r.nextInt(4); n > 0 && b.length > 0; n--) {
            b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
          }
          return b;
        }
      case 1:
        return java.util.Arrays.copyOf(valid, valid.length == 0 ? 0 : r.nextInt(valid.length));
      case 2:
        {
          byte[] b = new byte[r.nextInt(200)];
          for (int i = 0; i < b.length; i++) {
            b[i] = (byte) r.nextInt(256);
          }
          return b;
        }
      case 3:
        {
          // A valid message followed by garbage, or two messages (protobuf merges them).
          ByteArrayOutputStream out = new ByteArrayOutputStream();
          out.writeBytes(valid);
          out.writeBytes(r.nextBoolean() ? valid : new byte[] {(byte) 0xff, 0x7f, 0x0a});
          return out.toByteArray();
        }
      default:
        return valid;
    }
  }

  private static byte[] gzip(SplittableRandom r, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    byte[] zipped = out.toByteArray();
    return r.nextInt(4) == 0 ? java.util.Arrays.copyOf(zipped, zipped.length / 2) : zipped;
  }

  // ---- OTLP/JSON, as the specification writes it, then mutated as text

  private static byte[] json(SplittableRandom r, ExportTraceServiceRequest request) {
    String text = Json.write(request, r);
    switch (r.nextInt(10)) {
      case 0:
        return text.substring(0, r.nextInt(text.length() + 1)).getBytes(UTF_8);
      case 1:
        {
          StringBuilder b = new StringBuilder(text);
          for (int n = 1 + r.nextInt(3); n > 0; n--) {
            int at = r.nextInt(b.length() + 1);
            String noise = "{}[]:,\"\\0ex-9";
            b.insert(at, noise.charAt(r.nextInt(noise.length())));
          }
          return b.toString().getBytes(UTF_8);
        }
      case 2:
        {
          // Deep nesting where a value is expected.
          int depth = 10 + r.nextInt(3_000);
          String open = r.nextBoolean() ? "[" : "{\"values\":[";
          String close = open.equals("[") ? "]" : "]}";
          return text.replaceFirst(
                  "\"resourceSpans\":",
                  "\"deep\":" + open.repeat(depth) + close.repeat(depth) + ",\"resourceSpans\":")
              .getBytes(UTF_8);
        }
      case 3:
        {
          // Invalid UTF-8 bytes inside a string.
          byte[] b = text.getBytes(UTF_8);
          int quote = text.indexOf("\"", r.nextInt(Math.max(1, text.length())));
          if (quote > 0) {
            b[quote + 1 < b.length ? quote + 1 : quote] = (byte) 0xc3;
          }
          return b;
        }
      default:
        return text.getBytes(UTF_8);
    }
  }

  /** Writes OTLP/JSON: hex ids, int64 as strings (sometimes numbers), camelCase keys. */
  static final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();

    static String write(ExportTraceServiceRequest request, SplittableRandom r) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (JsonGenerator g = FACTORY.createGenerator(ObjectWriteContext.empty(), out)) {
        g.writeStartObject();
        g.writeName("resourceSpans");
        g.writeStartArray();
        for (ResourceSpans rs : request.getResourceSpansList()) {
          g.writeStartObject();
          g.writeName("resource");
          g.writeStartObject();
          attributes(g, rs.getResource().getAttributesList(), r);
          g.writeEndObject();
          g.writeName("scopeSpans");
          g.writeStartArray();
          for (ScopeSpans ss : rs.getScopeSpansList()) {
            g.writeStartObject();
            g.writeName("spans");
            g.writeStartArray();
            for (var s : ss.getSpansList()) {
              g.writeStartObject();
              g.writeStringProperty(
                  "traceId", HexFormat.of().formatHex(s.getTraceId().toByteArray()));
              g.writeStringProperty(
                  "spanId", HexFormat.of().formatHex(s.getSpanId().toByteArray()));
              if (!s.getParentSpanId().isEmpty()) {
                g.writeStringProperty(
                    "parentSpanId", HexFormat.of().formatHex(s.getParentSpanId().toByteArray()));
              }
              g.writeStringProperty("name", s.getName());
              g.writeNumberProperty("kind", s.getKindValue());
              uint64(g, "startTimeUnixNano", s.getStartTimeUnixNano(), r);
              uint64(g, "endTimeUnixNano", s.getEndTimeUnixNano(), r);
              attributes(g, s.getAttributesList(), r);
              g.writeName("events");
              g.writeStartArray();
              for (var e : s.getEventsList()) {
                g.writeStartObject();
                uint64(g, "timeUnixNano", e.getTimeUnixNano(), r);
                g.writeStringProperty("name", e.getName());
                g.writeEndObject();
              }
              g.writeEndArray();
              g.writeName("status");
              g.writeStartObject();
              g.writeNumberProperty("code", s.getStatus().getCodeValue());
              g.writeEndObject();
              g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      // Jackson escapes nothing it need not: put back what a hostile writer sends, an unpaired
      // surrogate as an escape (JSON allows it, UTF-8 cannot carry it).
      String text = out.toString(UTF_8);
      return r.nextInt(5) == 0 ? text.replace("\uFFFD", "\\ud800") : text;
    }

    /**
     * The string with unpaired surrogates as U+FFFD, which a generator can write; {@link #write}
     * turns some of them back into {@code \\ud800} escapes afterwards.
     */
    private static String safe(String s) {
      return SpanLimits.clean(s, Integer.MAX_VALUE).equals(s) ? s : surrogatesReplaced(s);
    }

    private static String surrogatesReplaced(String s) {
      StringBuilder b = new StringBuilder(s.length());
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)
            && i + 1 < s.length()
            && Character.isLowSurrogate(s.charAt(i + 1))) {
          b.append(c).append(s.charAt(++i));
        } else {
          b.append(Character.isSurrogate(c) ? '\uFFFD' : c);
        }
      }
      return b.toString();
    }

    private static void uint64(JsonGenerator g, String name, long v, SplittableRandom r) {
      if (r.nextBoolean() || v < 0) {
        g.writeStringProperty(name, Long.toUnsignedString(v));
      } else {
        g.writeNumberProperty(name, v);
      }
    }

    private static void attributes(JsonGenerator g, List<KeyValue> kvs, SplittableRandom r) {
      g.writeName("attributes");
      g.writeStartArray();
      for (KeyValue kv : kvs) {
        g.writeStartObject();
        g.writeStringProperty("key", safe(kv.getKey()));
        g.writeName("value");
        value(g, kv.getValue(), r, 0);
        g.writeEndObject();
      }
      g.writeEndArray();
    }

    private static void value(JsonGenerator g, AnyValue v, SplittableRandom r, int depth) {
      g.writeStartObject();
      switch (v.getValueCase()) {
        case STRING_VALUE -> g.writeStringProperty("stringValue", safe(v.getStringValue()));
        case BOOL_VALUE -> g.writeBooleanProperty("boolValue", v.getBoolValue());
        case INT_VALUE -> {
          if (r.nextBoolean()) {
            g.writeStringProperty("intValue", Long.toString(v.getIntValue()));
          } else {
            g.writeNumberProperty("intValue", v.getIntValue());
          }
        }
        case DOUBLE_VALUE -> {
          double d = v.getDoubleValue();
          if (Double.isFinite(d)) {
            g.writeNumberProperty("doubleValue", d);
          } else {
            g.writeStringProperty(
                "doubleValue", Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
          }
        }
        case ARRAY_VALUE -> {
          g.writeName("arrayValue");
          g.writeStartObject();
          g.writeName("values");
          g.writeStartArray();
          for (AnyValue e : v.getArrayValue().getValuesList()) {
            value(g, e, r, depth + 1);
          }
          g.writeEndArray();
          g.writeEndObject();
        }
        case KVLIST_VALUE -> {
          g.writeName("kvlistValue");
          g.writeStartObject();
          g.writeName("values");
          g.writeStartArray();
          for (KeyValue e : v.getKvlistValue().getValuesList()) {
            g.writeStartObject();
            g.writeStringProperty("key", safe(e.getKey()));
            g.writeName("value");
            value(g, e.getValue(), r, depth + 1);
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeEndObject();
        }
        case BYTES_VALUE ->
            g.writeStringProperty(
                "bytesValue",
                java.util.Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray()));
        default -> {}
      }
      g.writeEndObject();
    }
  }

  // ---- valid requests and their semantic mutations

  /** Realistic export requests, then made hostile field by field. */
  static final class Requests {

    static final String[] KEYS = {
      SpanAttributes.TENANT,
      SpanAttributes.CLASS,
      SpanAttributes.WORKFLOW,
      SpanAttributes.GEN_AI_WORKFLOW_NAME,
      SpanAttributes.ROLE,
      SpanAttributes.GEN_AI_OPERATION_NAME,
      SpanAttributes.GEN_AI_TIME_TO_FIRST_CHUNK,
      SpanAttributes.GEN_AI_SERVER_TIME_TO_FIRST_TOKEN,
      SpanAttributes.TTFT_MS,
      SpanAttributes.GEN_AI_REQUEST_STREAM,
      SpanAttributes.STREAM_OUTCOME,
      SpanAttributes.RETRIEVAL_HIT,
      SpanAttributes.RETRIEVAL_FALLBACK,
      SpanAttributes.GEN_AI_TOOL_NAME,
      SpanAttributes.GEN_AI_REQUEST_MODEL,
      SpanAttributes.GEN_AI_USAGE_INPUT_TOKENS,
      SpanAttributes.GEN_AI_USAGE_OUTPUT_TOKENS,
      SpanAttributes.MODEL_QUEUE_MS,
      SpanAttributes.CLIENT_PATH,
      SpanAttributes.NETWORK_PROTOCOL_VERSION,
      SpanAttributes.NETWORK_CONNECTION_TYPE,
      SpanAttributes.TRANSPORT_PROTOCOL_FALLBACK,
      SpanAttributes.TRANSPORT_RETRANSMITS,
      SpanAttributes.SERVICE_NAME,
      "http.route",
      "unrelated.attribute"
    };

    static final String[] VALUES = {
      "acme",
      "default",
      "interactive_premium",
      "deferred_batch",
      "premium",
      "chat",
      "execute_tool",
      "retrieval",
      "client",
      "gateway",
      "interrupted",
      "true",
      "1",
      "0.42",
      "vpn",
      "2",
      "wifi",
      "gpt-4o",
      "rag"
    };

    static ExportTraceServiceRequest valid(SplittableRandom r) {
      ExportTraceServiceRequest.Builder request = ExportTraceServiceRequest.newBuilder();
      for (int rs = 1 + r.nextInt(2); rs > 0; rs--) {
        Resource.Builder resource =
            Resource.newBuilder().addAttributes(string(SpanAttributes.SERVICE_NAME, "svc-" + rs));
        if (r.nextBoolean()) {
          resource.addAttributes(string(SpanAttributes.TENANT, r.nextBoolean() ? "acme" : "t-2"));
        }
        ScopeSpans.Builder scope = ScopeSpans.newBuilder();
        byte[] trace = new byte[16];
        for (int i = 0; i < 16; i++) {
          trace[i] = (byte) r.nextInt(256);
        }
        trace[15] |= 1;
        long start = NOW - r.nextLong(3_600_000_000_000L);
        for (int n = 1 + r.nextInt(6); n > 0; n--) {
          var span =
              io.opentelemetry.proto.trace.v1.Span.newBuilder()
                  .setTraceId(ByteString.copyFrom(trace))
                  .setSpanId(id(r))
                  .setName("op")
                  .setKindValue(r.nextInt(6))
                  .setStartTimeUnixNano(start)
                  .setEndTimeUnixNano(start + r.nextLong(5_000_000_000L));
          if (r.nextBoolean()) {
            span.setParentSpanId(id(r));
          }
          for (int a = r.nextInt(8); a > 0; a--) {
            String key = KEYS[r.nextInt(KEYS.length)];
            span.addAttributes(
                r.nextInt(4) == 0
                    ? KeyValue.newBuilder()
                        .setKey(key)
                        .setValue(AnyValue.newBuilder().setIntValue(r.nextLong(10_000)))
                        .build()
                    : string(key, VALUES[r.nextInt(VALUES.length)]));
          }
          if (r.nextBoolean()) {
            span.addEvents(
                io.opentelemetry.proto.trace.v1.Span.Event.newBuilder()
                    .setName(SpanAttributes.FIRST_TOKEN_EVENT)
                    .setTimeUnixNano(start + r.nextLong(1_000_000_000L)));
          }
          if (r.nextInt(4) == 0) {
            span.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
          }
          scope.addSpans(span);
        }
        request.addResourceSpans(
            ResourceSpans.newBuilder().setResource(resource).addScopeSpans(scope));
      }
      return request.build();
    }

    /** The request with a few of its values replaced by hostile ones. */
    static ExportTraceServiceRequest mutated(SplittableRandom r, ExportTraceServiceRequest valid) {
      if (r.nextInt(6) == 0) {
        return valid;
      }
      ExportTraceServiceRequest.Builder b = valid.toBuilder();
      for (int n = 1 + r.nextInt(4); n > 0; n--) {
        int rsIndex = r.nextInt(b.getResourceSpansCount());
        ResourceSpans.Builder rs = b.getResourceSpansBuilder(rsIndex);
        var scope = rs.getScopeSpansBuilder(0);
        var span = scope.getSpansBuilder(r.nextInt(scope.getSpansCount()));
        switch (r.nextInt(9)) {
          case 0 -> rs.getResourceBuilder().addAttributes(string(key(r), hostileString(r)));
          case 1 -> span.addAttributes(string(key(r), hostileString(r)));
          case 2 ->
              span.addAttributes(
                  KeyValue.newBuilder()
                      .setKey(key(r))
                      .setValue(AnyValue.newBuilder().setIntValue(extremeLong(r))));
          case 3 ->
              span.addAttributes(
                  KeyValue.newBuilder()
                      .setKey(key(r))
                      .setValue(AnyValue.newBuilder().setDoubleValue(extremeDouble(r))));
          case 4 -> {
            span.setStartTimeUnixNano(extremeTime(r));
            if (r.nextBoolean()) {
              span.setEndTimeUnixNano(extremeTime(r));
            }
          }
          case 5 ->
              span.addEvents(
                  io.opentelemetry.proto.trace.v1.Span.Event.newBuilder()
                      .setName(SpanAttributes.FIRST_TOKEN_EVENT)
                      .setTimeUnixNano(extremeTime(r)));
          case 6 -> span.addAttributes(KeyValue.newBuilder().setKey(key(r)).setValue(nested(r)));
          case 7 -> {
            for (int a = 100 + r.nextInt(100); a > 0; a--) {
              span.addAttributes(string("a" + a, "v"));
            }
          }
          default -> {
            byte[] id = new byte[r.nextInt(3) * 8];
            span.setSpanId(ByteString.copyFrom(id));
          }
        }
      }
      return b.build();
    }

    private static String key(SplittableRandom r) {
      return KEYS[r.nextInt(KEYS.length)];
    }

    static String hostileString(SplittableRandom r) {
      return switch (r.nextInt(8)) {
        case 0 -> "t".repeat(1 + r.nextInt(100_000));
        case 1 -> "a\u0000b";
        case 2 -> "\u001b[2J\r\n\u0007" + "\u0085\u009f";
        case 3 -> "\uD800" + (r.nextBoolean() ? "x" : "") + "\uDFFF";
        case 4 -> "mandant-größe-😀日本語";
        case 5 -> "";
        case 6 -> "\uFFFD" + "\u202e" + "rtl";
        default -> {
          StringBuilder s = new StringBuilder();
          for (int i = r.nextInt(50); i > 0; i--) {
            s.append((char) r.nextInt(0x10000));
          }
          yield s.toString();
        }
      };
    }

    private static long extremeLong(SplittableRandom r) {
      long[] values = {
        Long.MIN_VALUE,
        Long.MAX_VALUE,
        -1,
        0,
        1L << 53,
        SpanLimits.MAX_TOKENS + 1,
        Integer.MAX_VALUE
      };
      return values[r.nextInt(values.length)];
    }

    private static double extremeDouble(SplittableRandom r) {
      double[] values = {
        Double.NaN,
        Double.POSITIVE_INFINITY,
        Double.NEGATIVE_INFINITY,
        Double.MAX_VALUE,
        -Double.MAX_VALUE,
        Double.MIN_VALUE,
        1e19,
        -0.0
      };
      return values[r.nextInt(values.length)];
    }

    private static long extremeTime(SplittableRandom r) {
      long[] values = {
        0,
        1,
        -1,
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        NOW + 2 * 86_400_000_000_000L,
        NOW - 3 * 86_400_000_000_000L,
        NOW + 299_000_000_000L,
        NOW - 20 * 3_600_000_000_000L
      };
      return values[r.nextInt(values.length)];
    }

    private static AnyValue nested(SplittableRandom r) {
      AnyValue v = AnyValue.newBuilder().setStringValue("leaf").build();
      for (int d = 1 + r.nextInt(120); d > 0; d--) {
        v =
            r.nextBoolean()
                ? AnyValue.newBuilder().setArrayValue(ArrayValue.newBuilder().addValues(v)).build()
                : AnyValue.newBuilder()
                    .setKvlistValue(
                        KeyValueList.newBuilder()
                            .addValues(KeyValue.newBuilder().setKey("k").setValue(v)))
                    .build();
      }
      return v;
    }

    private static ByteString id(SplittableRandom r) {
      byte[] b = new byte[8];
      for (int i = 0; i < 8; i++) {
        b[i] = (byte) r.nextInt(256);
      }
      b[7] |= 1;
      return ByteString.copyFrom(b);
    }

    private static KeyValue string(String key, String value) {
      return KeyValue.newBuilder()
          .setKey(key)
          .setValue(AnyValue.newBuilder().setStringValue(value))
          .build();
    }
  }

  @Test
  void theGeneratorsProduceValidRequestsTheIngestAccepts() {
    SplittableRandom r = new SplittableRandom(SEED);
    ExportTraceServiceRequest valid = Requests.valid(r);
    handedToKafka.clear();
    try {
      OtlpHttpHandler.Answer answer =
          handler.handle(
              "application/json",
              null,
              null,
              -1,
              new ByteArrayInputStream(Json.write(valid, new SplittableRandom(1)).getBytes(UTF_8)));
      assertThat(answer.status()).isEqualTo(200);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
    int spans =
        valid.getResourceSpansList().stream()
            .mapToInt(rs -> rs.getScopeSpans(0).getSpansCount())
            .sum();
    assertThat(handedToKafka).hasSize(spans);
  }
}
