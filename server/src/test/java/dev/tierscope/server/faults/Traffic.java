package dev.tierscope.server.faults;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Seeded requests as OTLP/HTTP protobuf bodies, each trace a client span (root, with the class), a
 * gateway span and a model span, each with a first_token event; the client's TTFT of every trace is
 * kept per class as the ground truth.
 */
final class Traffic {

  static final String[] CLASSES = {"interactive_premium", "standard_interactive", "deferred_batch"};

  private final SplittableRandom random;
  private final long baseMicros;
  private int next;
  final Map<String, List<Long>> ttftMicrosByClass = new HashMap<>();

  Traffic(long seed, long baseMicros) {
    this.random = new SplittableRandom(seed);
    this.baseMicros = baseMicros;
    for (String c : CLASSES) {
      ttftMicrosByClass.put(c, new ArrayList<>());
    }
  }

  /** One export request of {@code traces} new traces; the truth is recorded at once. */
  synchronized byte[] request(int traces) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < traces; i++) {
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
      ByteString traceId = id(16);
      ByteString client = id(8);
      ByteString gateway = id(8);
      scope.addSpans(
          span(
                  traceId,
                  client,
                  ByteString.EMPTY,
                  Span.SpanKind.SPAN_KIND_CLIENT,
                  start,
                  clientFirst,
                  end)
              .setName("chat request")
              .addAttributes(attr("tierscope.class", cls)));
      scope.addSpans(
          span(
                  traceId,
                  gateway,
                  client,
                  Span.SpanKind.SPAN_KIND_SERVER,
                  gatewayStart,
                  gatewayFirst,
                  end)
              .setName("POST /v1/chat"));
      scope.addSpans(
          span(traceId, id(8), gateway, Span.SpanKind.SPAN_KIND_CLIENT, modelStart, modelFirst, end)
              .setName("chat llama")
              .addAttributes(attr("gen_ai.operation.name", "chat")));
      ttftMicrosByClass.get(cls).add(clientFirst - start);
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(Resource.newBuilder().addAttributes(attr("service.name", "faults-it")))
                .addScopeSpans(scope))
        .build()
        .toByteArray();
  }

  synchronized long total() {
    return ttftMicrosByClass.values().stream().mapToLong(List::size).sum();
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
