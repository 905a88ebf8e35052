package dev.tierscope.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.conventions.SpanAttributes;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Traffic for the dashboards, sent as real OTLP through the OpenTelemetry Java SDK in the span
 * conventions: every class, three workflows (chat; rag with a retrieval that sometimes misses and
 * falls back; agent with two tool calls that sometimes fail), streamed answers of which a few break
 * (each cause in turn, an idle timeout at a fixed {@link #IDLE_TIMEOUT}) or are cancelled, with
 * their largest gap between chunks and their stalls, client paths, tokens, and a model queue. Two
 * phases: a healthy baseline more than an hour before "now", and a recent phase in which the
 * premium class's model queue saturates (+900 ms), so that its TTFT objective burns fast, a page
 * alert fires and attribution has a regression to explain.
 */
final class DemoTraffic {

  static final String PREMIUM = SpanAttributes.Classes.INTERACTIVE_PREMIUM;
  static final String STANDARD = SpanAttributes.Classes.STANDARD_INTERACTIVE;
  static final String BATCH = SpanAttributes.Classes.DEFERRED_BATCH;

  /** Requests per phase and class. */
  static final Map<String, Integer> PER_PHASE = new LinkedHashMap<>();

  static {
    PER_PHASE.put(PREMIUM, 240);
    PER_PHASE.put(STANDARD, 240);
    PER_PHASE.put(BATCH, 120);
  }

  private static final String[] WORKFLOWS = {"chat", "rag", "agent"};

  /** The recent phase: the premium model queue saturated. */
  static final Duration RECENT_START = Duration.ofMinutes(8);

  static final Duration RECENT_END = Duration.ofSeconds(20);

  /** The baseline: healthy, more than an hour before now (outside the 1 h burn-rate window). */
  static final Duration BASELINE_START = Duration.ofMinutes(66);

  static final Duration BASELINE_END = Duration.ofMinutes(61);

  /** A proxy's idle timeout: streams it cuts all break this long after their start. */
  static final Duration IDLE_TIMEOUT = Duration.ofSeconds(15);

  /** The interruption causes, in the order the interrupted streams of a class take them. */
  static final List<String> CAUSES =
      List.of(
          SpanAttributes.InterruptionCauses.IDLE_TIMEOUT,
          SpanAttributes.InterruptionCauses.UPSTREAM_RESET,
          SpanAttributes.InterruptionCauses.NETWORK,
          SpanAttributes.InterruptionCauses.SERVER_ERROR);

  /** Of every 25 streams of a class, in start order: the one that breaks, the one cancelled. */
  private static final int OUTCOME_CYCLE = 25;

  private static final int INTERRUPTED_AT = 3;
  private static final int CANCELLED_AT = 15;

  private final SplittableRandom random = new SplittableRandom(7);

  /** The gaps between chunks draw from their own random stream. */
  private final SplittableRandom gaps = new SplittableRandom(11);

  private final Map<String, Integer> streamsSent = new HashMap<>();

  /** What the recent phase sent per class, the ground truth of the stream-continuity panels. */
  final Map<String, RecentStreams> recent = new TreeMap<>();

  /** Stream continuity of one class's recent phase as sent. */
  static final class RecentStreams {
    final List<Double> maxGapsMs = new ArrayList<>();
    int stalledStreams;
    int stalls;
    final Map<String, Integer> interruptions = new TreeMap<>();
    int cancelled;
  }

  private record Planned(
      long startMicros, String cls, String workflow, boolean saturated, boolean recent) {}

  /**
   * Sends both phases, relative to {@code now}, as tenant {@code tenant}.
   *
   * @return requests sent per class
   */
  Map<String, Integer> send(String otlpHttpUrl, String tenant, Instant now) {
    return send(otlpHttpUrl, tenant, now, Map.of());
  }

  /** As {@link #send(String, String, Instant)}, with headers on every export (a bearer token). */
  Map<String, Integer> send(
      String otlpHttpUrl, String tenant, Instant now, Map<String, String> headers) {
    List<Planned> plan = new ArrayList<>();
    long nowMicros = TimeUnit.MILLISECONDS.toMicros(now.toEpochMilli());
    plan(plan, nowMicros - micros(BASELINE_START), nowMicros - micros(BASELINE_END), false);
    plan(plan, nowMicros - micros(RECENT_START), nowMicros - micros(RECENT_END), true);
    // In event-time order, as live traffic arrives: the aggregator's stream time only moves
    // forward.
    plan.sort(Comparator.comparingLong(Planned::startMicros));

    var builder =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(otlpHttpUrl + "/v1/traces")
            .setTimeout(Duration.ofSeconds(30));
    headers.forEach(builder::addHeader);
    OtlpHttpSpanExporter exporter = builder.build();
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.builder()
                                .put(SpanAttributes.SERVICE_NAME, "dashboards-demo")
                                .put(SpanAttributes.TENANT, tenant)
                                .build())))
            .addSpanProcessor(
                BatchSpanProcessor.builder(exporter)
                    .setMaxQueueSize(64 * 1024)
                    .setMaxExportBatchSize(512)
                    .setScheduleDelay(Duration.ofMillis(50))
                    .build())
            .build();
    Tracer tracer = provider.get("tierscope-dashboards-it");
    Map<String, Integer> sent = new LinkedHashMap<>();
    for (Planned p : plan) {
      request(tracer, p);
      sent.merge(p.cls(), 1, Integer::sum);
    }
    assertThat(provider.forceFlush().join(60, TimeUnit.SECONDS).isSuccess())
        .as("the SDK exported every span")
        .isTrue();
    provider.shutdown().join(10, TimeUnit.SECONDS);
    return sent;
  }

  private void plan(List<Planned> plan, long fromMicros, long toMicros, boolean recent) {
    for (Map.Entry<String, Integer> e : PER_PHASE.entrySet()) {
      int n = e.getValue();
      long spacing = (toMicros - fromMicros) / n;
      for (int i = 0; i < n; i++) {
        long start = fromMicros + i * spacing + random.nextLong(Math.max(1, spacing / 2));
        boolean saturated = recent && e.getKey().equals(PREMIUM);
        plan.add(
            new Planned(start, e.getKey(), WORKFLOWS[i % WORKFLOWS.length], saturated, recent));
      }
    }
  }

  /**
   * One request: client (root) -> gateway -> [retrieval | two tools] -> model, each with its
   * first-token time where the conventions ask for one, and explicit timestamps.
   */
  private void request(Tracer tracer, Planned p) {
    double scale = p.cls().equals(BATCH) ? 5 : p.cls().equals(STANDARD) ? 1.6 : 1;
    long clientStart = p.startMicros();
    long gatewayStart = clientStart + lognormal(20_000, 0.5);
    long t = gatewayStart + lognormal(3_000, 0.3);

    Span client =
        tracer
            .spanBuilder("chat request")
            .setSpanKind(SpanKind.CLIENT)
            .setNoParent()
            .setStartTimestamp(clientStart, TimeUnit.MICROSECONDS)
            .setAttribute(SpanAttributes.CLASS, p.cls())
            .setAttribute(SpanAttributes.WORKFLOW, p.workflow())
            .setAttribute(SpanAttributes.GEN_AI_REQUEST_STREAM, true)
            .setAttribute(SpanAttributes.CLIENT_PATH, random.nextInt(5) == 0 ? "vpn" : "direct")
            .setAttribute(SpanAttributes.NETWORK_PROTOCOL_NAME, "http")
            .setAttribute(SpanAttributes.NETWORK_PROTOCOL_VERSION, "2")
            // from the start time, not the random stream: the draws of the other values stay
            .setAttribute(
                SpanAttributes.NETWORK_CONNECTION_TYPE,
                (clientStart / 1_000) % 3 == 0 ? "cell" : "wifi")
            .startSpan();
    Span gateway =
        tracer
            .spanBuilder("POST /v1/chat")
            .setSpanKind(SpanKind.SERVER)
            .setParent(Context.root().with(client))
            .setStartTimestamp(gatewayStart, TimeUnit.MICROSECONDS)
            .setAttribute(
                SpanAttributes.CLOUD_REGION,
                (clientStart / 1_000) % 2 == 0 ? "eu-west-1" : "us-east-1")
            .startSpan();
    Context inGateway = Context.root().with(gateway);

    if (p.workflow().equals("rag")) {
      long end = t + lognormal(60_000, 0.4);
      boolean hit = random.nextInt(10) != 0;
      tracer
          .spanBuilder("retrieval")
          .setParent(inGateway)
          .setStartTimestamp(t, TimeUnit.MICROSECONDS)
          .setAttribute(SpanAttributes.GEN_AI_OPERATION_NAME, SpanAttributes.OPERATION_RETRIEVAL)
          .setAttribute(SpanAttributes.RETRIEVAL_HIT, hit)
          .setAttribute(SpanAttributes.RETRIEVAL_FALLBACK, !hit && random.nextBoolean())
          .startSpan()
          .end(end, TimeUnit.MICROSECONDS);
      t = end;
    } else if (p.workflow().equals("agent")) {
      for (String tool : new String[] {"search", "calculator"}) {
        long end = t + lognormal(150_000, 0.4);
        Span span =
            tracer
                .spanBuilder("execute_tool " + tool)
                .setParent(inGateway)
                .setStartTimestamp(t, TimeUnit.MICROSECONDS)
                .setAttribute(
                    SpanAttributes.GEN_AI_OPERATION_NAME, SpanAttributes.OPERATION_EXECUTE_TOOL)
                .setAttribute(SpanAttributes.GEN_AI_TOOL_NAME, tool)
                .startSpan();
        if (random.nextInt(20) == 0) {
          span.setStatus(StatusCode.ERROR, "tool failed");
        }
        span.end(end, TimeUnit.MICROSECONDS);
        t = end;
      }
    }

    long modelStart = t + lognormal(2_000, 0.3);
    long queue = (long) (scale * lognormal(30_000, 0.6)) + (p.saturated() ? 900_000 : 0);
    long prefill = (long) (scale * lognormal(120_000, 0.3));
    long modelFirst = modelStart + queue + prefill;
    long gatewayFirst = modelFirst + lognormal(4_000, 0.3);
    long clientFirst = gatewayFirst + lognormal(15_000, 0.5);
    long stream = 200_000 + random.nextLong(800_000);

    Span model =
        tracer
            .spanBuilder("chat llama")
            .setSpanKind(SpanKind.CLIENT)
            .setParent(inGateway)
            .setStartTimestamp(modelStart, TimeUnit.MICROSECONDS)
            .setAttribute(SpanAttributes.GEN_AI_OPERATION_NAME, SpanAttributes.OPERATION_CHAT)
            .setAttribute(SpanAttributes.GEN_AI_REQUEST_MODEL, "llama")
            .setAttribute(SpanAttributes.MODEL_QUEUE_MS, queue / 1000.0)
            .setAttribute(SpanAttributes.GEN_AI_USAGE_INPUT_TOKENS, 200L + random.nextInt(1_800))
            .setAttribute(SpanAttributes.GEN_AI_USAGE_OUTPUT_TOKENS, 50L + random.nextInt(450))
            .startSpan();
    model.addEvent(SpanAttributes.FIRST_TOKEN_EVENT, modelFirst, TimeUnit.MICROSECONDS);
    model.end(modelFirst + stream, TimeUnit.MICROSECONDS);
    gateway.addEvent(SpanAttributes.FIRST_TOKEN_EVENT, gatewayFirst, TimeUnit.MICROSECONDS);
    gateway.end(gatewayFirst + stream, TimeUnit.MICROSECONDS);
    client.addEvent(SpanAttributes.FIRST_TOKEN_EVENT, clientFirst, TimeUnit.MICROSECONDS);
    long clientEnd = clientFirst + stream + lognormal(10_000, 0.5);

    // Stream continuity, reported by the client as the SDK does: the largest gap between two
    // chunks (log-normal around 150 ms, a few above the 1 s stall threshold, at most 4 s so that
    // every span ends before now), the stalls, and
    // for the one stream in 25 that breaks, its cause in turn; an idle timeout cuts it at
    // IDLE_TIMEOUT after its start, after the stream went quiet.
    int n = streamsSent.merge(p.cls(), 1, Integer::sum) - 1;
    // A gap lies within the stream, from the first token to the client's end: a stall (a gap
    // above 1 s) is a pause the client saw on top of the model's stream, so it lengthens it.
    double maxGapMs = Math.min(Math.round(150 * Math.exp(0.9 * gaussian(gaps))) + 1, 4_000);
    int stalls = 0;
    if (maxGapMs > 1_000) {
      stalls = 1 + gaps.nextInt(3);
      clientEnd += (long) maxGapMs * 1_000 * stalls;
    } else {
      maxGapMs = Math.min(maxGapMs, (clientEnd - clientFirst) / 1_000);
    }
    String outcome = SpanAttributes.StreamOutcomes.COMPLETED;
    String cause = null;
    if (n % OUTCOME_CYCLE == INTERRUPTED_AT) {
      outcome = SpanAttributes.StreamOutcomes.INTERRUPTED;
      cause = CAUSES.get((n / OUTCOME_CYCLE) % CAUSES.size());
      if (cause.equals(SpanAttributes.InterruptionCauses.IDLE_TIMEOUT)) {
        long cutAt = clientStart + micros(IDLE_TIMEOUT);
        maxGapMs = (cutAt - (clientFirst + stream)) / 1_000.0;
        stalls += 1;
        clientEnd = cutAt;
      }
      client.setAttribute(SpanAttributes.STREAM_INTERRUPTION_CAUSE, cause);
    } else if (n % OUTCOME_CYCLE == CANCELLED_AT) {
      outcome = SpanAttributes.StreamOutcomes.CANCELLED;
    }
    client.setAttribute(SpanAttributes.STREAM_OUTCOME, outcome);
    client.setAttribute(SpanAttributes.STREAM_MAX_GAP_MS, maxGapMs);
    client.setAttribute(SpanAttributes.STREAM_STALLS, (long) stalls);
    client.end(clientEnd, TimeUnit.MICROSECONDS);

    if (p.recent()) {
      RecentStreams r = recent.computeIfAbsent(p.cls(), c -> new RecentStreams());
      r.maxGapsMs.add(maxGapMs);
      r.stalledStreams += stalls > 0 ? 1 : 0;
      r.stalls += stalls;
      if (cause != null) {
        r.interruptions.merge(cause, 1, Integer::sum);
      } else if (outcome.equals(SpanAttributes.StreamOutcomes.CANCELLED)) {
        r.cancelled++;
      }
    }
  }

  private static double gaussian(SplittableRandom r) {
    double u1 = 1.0 - r.nextDouble();
    double u2 = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  private long lognormal(double median, double sigma) {
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    double z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return (long) (median * Math.exp(sigma * z));
  }

  private static long micros(Duration d) {
    return TimeUnit.NANOSECONDS.toMicros(d.toNanos());
  }
}
