package dev.tierscope.server.faults;

import com.google.protobuf.ByteString;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Seeded requests as OTLP/HTTP protobuf bodies, each trace a client span (root, with the class), a
 * gateway span and a model span, each with a first_token event; the client's TTFT of every trace is
 * kept per class as the ground truth. The same traces can be made as OTLP/HTTP bodies for a plain
 * HTTP client or by the OpenTelemetry SDK's tracer for its exporters.
 */
final class Traffic {

  static final String[] CLASSES = {"interactive_premium", "standard_interactive", "deferred_batch"};

  private final SplittableRandom random;
  private final long baseMicros;
  private int next;
  final Map<String, List<Long>> ttftMicrosByClass = new HashMap<>();

  /** Spans the SDK tracer ended, taken by {@link #batch}. */
  private final List<SpanData> ended = new ArrayList<>();

  private final Tracer tracer;

  Traffic(long seed, long baseMicros) {
    this.random = new SplittableRandom(seed);
    this.baseMicros = baseMicros;
    this.tracer =
        SdkTracerProvider.builder()
            .setResource(
                io.opentelemetry.sdk.resources.Resource.create(
                    Attributes.of(AttributeKey.stringKey("service.name"), "faults-it")))
            .addSpanProcessor(new Collect(ended))
            .build()
            .get("faults-it");
    for (String c : CLASSES) {
      ttftMicrosByClass.put(c, new ArrayList<>());
    }
  }

  /** One export request of {@code traces} new traces; the truth is recorded at once. */
  synchronized byte[] request(int traces) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < traces; i++) {
      Trace t = nextTrace();
      ByteString traceId = id(16);
      ByteString client = id(8);
      ByteString gateway = id(8);
      scope.addSpans(
          span(
                  traceId,
                  client,
                  ByteString.EMPTY,
                  Span.SpanKind.SPAN_KIND_CLIENT,
                  t.start(),
                  t.clientFirst(),
                  t.end())
              .setName("chat request")
              .addAttributes(attr("tierscope.class", t.cls())));
      scope.addSpans(
          span(
                  traceId,
                  gateway,
                  client,
                  Span.SpanKind.SPAN_KIND_SERVER,
                  t.gatewayStart(),
                  t.gatewayFirst(),
                  t.end())
              .setName("POST /v1/chat"));
      scope.addSpans(
          span(
                  traceId,
                  id(8),
                  gateway,
                  Span.SpanKind.SPAN_KIND_CLIENT,
                  t.modelStart(),
                  t.modelFirst(),
                  t.end())
              .setName("chat llama")
              .addAttributes(attr("gen_ai.operation.name", "chat")));
      ttftMicrosByClass.get(t.cls()).add(t.ttftMicros());
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attr("service.name", "faults-it")))
                .addScopeSpans(scope))
        .build()
        .toByteArray();
  }

  /**
   * {@code traces} new traces made by the OpenTelemetry SDK's tracer (its ids, its span data), for
   * an exporter to send; nothing is in the truth until {@link #acknowledged} is called with the
   * batch.
   */
  synchronized Batch batch(int traces) {
    ended.clear();
    Map<String, List<Long>> ttft = new HashMap<>();
    for (int i = 0; i < traces; i++) {
      Trace t = nextTrace();
      io.opentelemetry.api.trace.Span client =
          tracer
              .spanBuilder("chat request")
              .setNoParent()
              .setSpanKind(SpanKind.CLIENT)
              .setStartTimestamp(t.start(), TimeUnit.MICROSECONDS)
              .setAttribute("tierscope.class", t.cls())
              .startSpan();
      client.addEvent("first_token", t.clientFirst(), TimeUnit.MICROSECONDS);
      io.opentelemetry.api.trace.Span gateway =
          tracer
              .spanBuilder("POST /v1/chat")
              .setParent(Context.root().with(client))
              .setSpanKind(SpanKind.SERVER)
              .setStartTimestamp(t.gatewayStart(), TimeUnit.MICROSECONDS)
              .startSpan();
      gateway.addEvent("first_token", t.gatewayFirst(), TimeUnit.MICROSECONDS);
      io.opentelemetry.api.trace.Span model =
          tracer
              .spanBuilder("chat llama")
              .setParent(Context.root().with(gateway))
              .setSpanKind(SpanKind.CLIENT)
              .setStartTimestamp(t.modelStart(), TimeUnit.MICROSECONDS)
              .setAttribute("gen_ai.operation.name", "chat")
              .startSpan();
      model.addEvent("first_token", t.modelFirst(), TimeUnit.MICROSECONDS);
      model.end(t.end(), TimeUnit.MICROSECONDS);
      gateway.end(t.end(), TimeUnit.MICROSECONDS);
      client.end(t.end(), TimeUnit.MICROSECONDS);
      ttft.computeIfAbsent(t.cls(), c -> new ArrayList<>()).add(t.ttftMicros());
    }
    return new Batch(List.copyOf(ended), ttft);
  }

  /** Adds a batch the exporter reported as exported to the truth. */
  synchronized void acknowledged(Batch batch) {
    batch.ttftMicrosByClass().forEach((c, v) -> ttftMicrosByClass.get(c).addAll(v));
  }

  /** Spans of a batch and, by class, the TTFT of each of its traces. */
  record Batch(List<SpanData> spans, Map<String, List<Long>> ttftMicrosByClass) {}

  /** Times of one trace, in microseconds since the epoch. */
  private record Trace(
      String cls,
      long start,
      long gatewayStart,
      long modelStart,
      long modelFirst,
      long gatewayFirst,
      long clientFirst,
      long end) {

    long ttftMicros() {
      return clientFirst - start;
    }
  }

  private Trace nextTrace() {
    int n = next++;
    String cls = CLASSES[n % CLASSES.length];
    long start = baseMicros + n * 2_000L;
    long edgeBefore = 5_000 + random.nextLong(30_000);
    long meshBefore = 10_000 + random.nextLong(60_000);
    long model = 50_000 + random.nextLong(400_000);
    long meshAfter = 1_000 + random.nextLong(9_000);
    long edgeAfter = 2_000 + random.nextLong(20_000);
    long gatewayStart = start + edgeBefore;
    long modelStart = gatewayStart + meshBefore;
    long modelFirst = modelStart + model;
    long gatewayFirst = modelFirst + meshAfter;
    long clientFirst = gatewayFirst + edgeAfter;
    long end = clientFirst + 100_000 + random.nextLong(400_000);
    return new Trace(
        cls, start, gatewayStart, modelStart, modelFirst, gatewayFirst, clientFirst, end);
  }

  synchronized long total() {
    return ttftMicrosByClass.values().stream().mapToLong(List::size).sum();
  }

  /** Keeps the data of every span the tracer ends, for {@link #batch} to hand to an exporter. */
  private record Collect(List<SpanData> ended) implements SpanProcessor {

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {}

    @Override
    public boolean isStartRequired() {
      return false;
    }

    @Override
    public void onEnd(ReadableSpan span) {
      ended.add(span.toSpanData());
    }

    @Override
    public boolean isEndRequired() {
      return true;
    }
  }

  private static Span.Builder span(
      ByteString traceId,
      ByteString spanId,
      ByteString parent,
      Span.SpanKind kind,
      long startMicros,
      long firstTokenMicros,
      long endMicros) {
    return Span.newBuilder()
        .setTraceId(traceId)
        .setSpanId(spanId)
        .setParentSpanId(parent)
        .setKind(kind)
        .setStartTimeUnixNano(startMicros * 1_000)
        .setEndTimeUnixNano(endMicros * 1_000)
        .addEvents(
            Span.Event.newBuilder()
                .setName("first_token")
                .setTimeUnixNano(firstTokenMicros * 1_000));
  }

  private ByteString id(int bytes) {
    byte[] b = new byte[bytes];
    for (int i = 0; i < bytes; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    b[0] |= 1; // never all zero
    return ByteString.copyFrom(b);
  }

  private static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }
}
