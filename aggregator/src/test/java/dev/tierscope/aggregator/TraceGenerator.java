package dev.tierscope.aggregator;

import com.google.protobuf.ByteString;
import dev.tierscope.wire.v1.Role;
import dev.tierscope.wire.v1.SpanEvent;
import dev.tierscope.wire.v1.SpanKind;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * Generates requests as the ingest would publish them (client, gateway and model SpanEvents per
 * trace) and keeps the ground truth: per class, every TTFT in microseconds.
 */
final class TraceGenerator {

  static final String[] CLASSES = {"interactive_premium", "standard_interactive", "deferred_batch"};

  /** One request: its spans in the order they would be exported (children first). */
  record Trace(byte[] traceId, String trafficClass, long ttftMicros, List<SpanEvent> spans) {}

  private final SplittableRandom random;
  private final long baseMicros;
  private long next;
  final Map<String, List<Long>> ttftByClass = new HashMap<>();

  TraceGenerator(long seed, long baseMicros) {
    this.random = new SplittableRandom(seed);
    this.baseMicros = baseMicros;
    for (String c : CLASSES) {
      ttftByClass.put(c, new ArrayList<>());
    }
  }

  /** The next request, spaced 2 ms after the previous one in event time. */
  Trace next() {
    long i = next++;
    String cls = CLASSES[(int) (i % CLASSES.length)];
    long start = baseMicros + i * 2_000;
    long edgeBefore = 5_000 + random.nextLong(40_000);
    long meshBefore = 10_000 + random.nextLong(90_000);
    long model = 50_000 + random.nextLong(cls.equals("deferred_batch") ? 4_000_000 : 400_000);
    long meshAfter = random.nextLong(10_000);
    long edgeAfter = random.nextLong(30_000);
    long stream = 100_000 + random.nextLong(500_000);

    long gwStart = start + edgeBefore;
    long modelStart = gwStart + meshBefore;
    long modelFirst = modelStart + model;
    long gwFirst = modelFirst + meshAfter;
    long clientFirst = gwFirst + edgeAfter;
    long ttft = clientFirst - start;

    byte[] traceId = ByteBuffer.allocate(16).putLong(random.nextLong()).putLong(i + 1).array();
    long clientId = random.nextLong() | 1;
    long gwId = random.nextLong() | 1;
    long modelId = random.nextLong() | 1;
    List<SpanEvent> spans = new ArrayList<>(3);
    spans.add(
        span(
                traceId,
                modelId,
                gwId,
                Role.ROLE_MODEL,
                SpanKind.SPAN_KIND_CLIENT,
                "",
                modelStart,
                modelFirst + stream,
                modelFirst)
            .toBuilder()
            .setOperation("chat")
            .setModelQueueMicros(model / 3)
            .build());
    spans.add(
        span(
            traceId,
            gwId,
            clientId,
            Role.ROLE_UNSPECIFIED,
            SpanKind.SPAN_KIND_SERVER,
            "",
            gwStart,
            gwFirst + stream,
            gwFirst));
    spans.add(
        span(
            traceId,
            clientId,
            0,
            Role.ROLE_CLIENT,
            SpanKind.SPAN_KIND_CLIENT,
            cls,
            start,
            clientFirst + stream,
            clientFirst));
    ttftByClass.get(cls).add(ttft);
    return new Trace(traceId, cls, ttft, spans);
  }

  private static SpanEvent span(
      byte[] traceId,
      long spanId,
      long parentId,
      Role role,
      SpanKind kind,
      String cls,
      long startMicros,
      long endMicros,
      long firstTokenMicros) {
    return SpanEvent.newBuilder()
        .setTraceId(ByteString.copyFrom(traceId))
        .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(spanId).array()))
        .setParentSpanId(
            parentId == 0
                ? ByteString.EMPTY
                : ByteString.copyFrom(ByteBuffer.allocate(8).putLong(parentId).array()))
        .setService("generator")
        .setTenant("default")
        .setRole(role)
        .setKind(kind)
        .setTrafficClass(cls)
        .setStartEpochNanos(startMicros * 1_000)
        .setEndEpochNanos(endMicros * 1_000)
        .setFirstTokenEpochNanos(firstTokenMicros * 1_000)
        .setStreamed(true)
        .build();
  }

  /** The histogram the aggregator should have built for a class (same precision). */
  Histogram expected(String cls) {
    Histogram h = new Histogram(2);
    ttftByClass.get(cls).forEach(h::recordValue);
    return h;
  }

  long total() {
    return next;
  }
}
