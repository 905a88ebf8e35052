package dev.tierscope.aggregator.consumer;

import com.google.protobuf.ByteString;
import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.wire.v1.Role;
import dev.tierscope.wire.v1.SpanEvent;
import dev.tierscope.wire.v1.SpanKind;
import dev.tierscope.wire.v1.StreamOutcome;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Requests with every signal the SLIs use (streams and their outcomes, retrievals with misses and
 * fallbacks, tool chains that may fail, tokens per workflow, model queue), as the ingest would
 * publish them, with the ground truth of each class computed here independently.
 */
final class RichTraces {

  static final String[] CLASSES = {
    SpanAttributes.Classes.INTERACTIVE_PREMIUM,
    SpanAttributes.Classes.STANDARD_INTERACTIVE,
    SpanAttributes.Classes.DEFERRED_BATCH
  };
  static final String[] WORKFLOWS = {"chat", "rag", "agent"};

  /** Ground truth of one class. */
  static final class Truth {
    final List<Long> ttft = new ArrayList<>();
    final List<Long> edge = new ArrayList<>();
    final List<Long> mesh = new ArrayList<>();
    final List<Long> model = new ArrayList<>();
    final List<Long> queue = new ArrayList<>();
    final List<Long> toolchain = new ArrayList<>();
    long requests;
    long partial;
    long streams;
    long interrupted;
    long cancelled;
    long retrievals;
    long misses;
    long fallbacks;
    long chains;
    long failedChains;
    final Map<String, Long> inputTokens = new HashMap<>();
    final Map<String, Long> outputTokens = new HashMap<>();
  }

  record Trace(byte[] traceId, List<SpanEvent> spans) {}

  private final SplittableRandom random;
  private final long baseMicros;
  private long next;
  final Map<String, Truth> truth = new HashMap<>();

  RichTraces(long seed, long baseMicros) {
    this.random = new SplittableRandom(seed);
    this.baseMicros = baseMicros;
    for (String c : CLASSES) {
      truth.put(c, new Truth());
    }
  }

  /**
   * The next request. {@code withRoot=false} drops the client span: the request is partial and its
   * TTFT is seen from the gateway (edge unknown).
   */
  Trace next(boolean withRoot) {
    long i = next++;
    String cls = CLASSES[(int) (i % CLASSES.length)];
    String workflow = WORKFLOWS[random.nextInt(WORKFLOWS.length)];
    Truth t = truth.get(cls);
    long start = baseMicros + i * 2_000;
    long edgeBefore = 2_000 + random.nextLong(30_000);
    long queue = random.nextLong(200_000);
    long prefill = 40_000 + random.nextLong(300_000);
    long model = queue + prefill;
    long edgeAfter = random.nextLong(25_000);
    long stream = 50_000 + random.nextLong(400_000);

    byte[] traceId = ByteBuffer.allocate(16).putLong(random.nextLong() | 1).putLong(i + 1).array();
    long clientId = random.nextLong() | 1;
    long gwId = random.nextLong() | 1;
    long gwStart = start + edgeBefore;
    List<SpanEvent> spans = new ArrayList<>();

    // Mesh before the model: retrievals, then a tool chain, then the model call.
    long cursor = gwStart + 1_000;
    int retrievals = "rag".equals(workflow) ? 1 + random.nextInt(2) : 0;
    for (int r = 0; r < retrievals; r++) {
      long dur = 5_000 + random.nextLong(60_000);
      boolean hit = random.nextInt(10) < 7;
      boolean fallback = !hit && random.nextBoolean();
      spans.add(
          span(
                  traceId,
                  random.nextLong() | 1,
                  gwId,
                  Role.ROLE_RETRIEVAL,
                  SpanKind.SPAN_KIND_CLIENT,
                  cursor,
                  cursor + dur)
              .setRetrievalHit(hit)
              .setRetrievalFallback(fallback)
              .build());
      cursor += dur;
      t.retrievals++;
      t.misses += hit ? 0 : 1;
      t.fallbacks += fallback ? 1 : 0;
    }
    int tools = "agent".equals(workflow) ? 1 + random.nextInt(3) : 0;
    long toolStart = cursor;
    boolean failed = false;
    for (int k = 0; k < tools; k++) {
      long dur = 10_000 + random.nextLong(200_000);
      boolean error = random.nextInt(20) == 0;
      failed |= error;
      spans.add(
          span(
                  traceId,
                  random.nextLong() | 1,
                  gwId,
                  Role.ROLE_TOOL,
                  SpanKind.SPAN_KIND_CLIENT,
                  cursor,
                  cursor + dur)
              .setToolName("tool" + k)
              .setStatusError(error)
              .build());
      cursor += dur;
    }
    if (tools > 0) {
      t.chains++;
      t.failedChains += failed ? 1 : 0;
      t.toolchain.add(cursor - toolStart);
    }
    long meshBefore = cursor - gwStart;
    long modelStart = cursor;
    long modelFirst = modelStart + model;
    long meshAfter = random.nextLong(8_000);
    long gwFirst = modelFirst + meshAfter;
    long clientFirst = gwFirst + edgeAfter;
    long in = 100 + random.nextLong(2_000);
    long out = 20 + random.nextLong(800);
    spans.add(
        span(
                traceId,
                random.nextLong() | 1,
                gwId,
                Role.ROLE_MODEL,
                SpanKind.SPAN_KIND_CLIENT,
                modelStart,
                modelFirst + stream)
            .setFirstTokenEpochNanos(modelFirst * 1_000)
            .setModelQueueMicros(queue)
            .setInputTokens(in)
            .setOutputTokens(out)
            .build());

    StreamOutcome outcome = StreamOutcome.STREAM_OUTCOME_COMPLETED;
    int roll = random.nextInt(100);
    if (roll < 4) {
      outcome = StreamOutcome.STREAM_OUTCOME_INTERRUPTED;
    } else if (roll < 7) {
      outcome = StreamOutcome.STREAM_OUTCOME_CANCELLED;
    }
    SpanEvent.Builder gateway =
        span(
                traceId,
                gwId,
                withRoot ? clientId : random.nextLong() | 1,
                Role.ROLE_UNSPECIFIED,
                SpanKind.SPAN_KIND_SERVER,
                gwStart,
                gwFirst + stream)
            .setFirstTokenEpochNanos(gwFirst * 1_000)
            .setWorkflow(workflow)
            .setStreamed(true);
    if (!withRoot) {
      // Without the client span, class and outcome travel on the gateway.
      gateway.setTrafficClass(cls).setStreamOutcome(outcome);
    }
    spans.add(gateway.build());
    if (withRoot) {
      spans.add(
          span(
                  traceId,
                  clientId,
                  0,
                  Role.ROLE_CLIENT,
                  SpanKind.SPAN_KIND_CLIENT,
                  start,
                  clientFirst + stream)
              .setFirstTokenEpochNanos(clientFirst * 1_000)
              .setTrafficClass(cls)
              .setStreamed(true)
              .setStreamOutcome(outcome)
              .setClientPath("direct")
              .build());
    }

    t.requests++;
    t.streams++;
    t.interrupted += outcome == StreamOutcome.STREAM_OUTCOME_INTERRUPTED ? 1 : 0;
    t.cancelled += outcome == StreamOutcome.STREAM_OUTCOME_CANCELLED ? 1 : 0;
    long ttftGateway = gwFirst - gwStart;
    if (withRoot) {
      t.ttft.add(clientFirst - start);
      t.edge.add(clientFirst - start - ttftGateway);
    } else {
      t.partial++;
      t.ttft.add(ttftGateway);
    }
    t.mesh.add(ttftGateway - model);
    t.model.add(model);
    t.queue.add(queue);
    t.inputTokens.merge(workflow, in, Long::sum);
    t.outputTokens.merge(workflow, out, Long::sum);
    assert meshBefore >= 0;
    return new Trace(traceId, spans);
  }

  private static SpanEvent.Builder span(
      byte[] traceId,
      long spanId,
      long parentId,
      Role role,
      SpanKind kind,
      long startMicros,
      long endMicros) {
    return SpanEvent.newBuilder()
        .setTraceId(ByteString.copyFrom(traceId))
        .setSpanId(ByteString.copyFrom(ByteBuffer.allocate(8).putLong(spanId).array()))
        .setParentSpanId(
            parentId == 0
                ? ByteString.EMPTY
                : ByteString.copyFrom(ByteBuffer.allocate(8).putLong(parentId).array()))
        .setService("rich")
        .setTenant("default")
        .setRole(role)
        .setKind(kind)
        .setStartEpochNanos(startMicros * 1_000)
        .setEndEpochNanos(endMicros * 1_000);
  }
}
