package dev.tierscope.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole real path: OpenTelemetry Java SDK (OTLP/HTTP protobuf exporter) -> ingest-service ->
 * Kafka broker -> aggregator -> PostgreSQL -> REST API, checked against ground truth computed here
 * from the generated requests.
 */
class EndToEndIT {

  private static final int REQUESTS = 12_000;
  private static final String[] CLASSES = {
    "interactive_premium", "standard_interactive", "deferred_batch"
  };

  private static TierscopeServer server;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startServer() throws Exception {
    server = TestServers.start("e2e", Map.of("tierscope.aggregator.idle-advance-after", "1s"));
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  /** Ground truth of one class: the exact values the test generated, in microseconds. */
  private static final class Truth {
    final List<Long> ttft = new ArrayList<>();
    final List<Long> edge = new ArrayList<>();
    final List<Long> mesh = new ArrayList<>();
    final List<Long> model = new ArrayList<>();

    /** Requests per degradation level the gateway reported (all were admitted). */
    final long[] degradation = new long[4];

    /** Stream continuity as the client spans reported it (attributes or chunk events). */
    final List<Long> maxGap = new ArrayList<>();

    long stallReports;
    long stalledStreams;
    long stalls;

    /** Interrupted streams per cause: the time into the stream at which each broke. */
    final Map<String, List<Long>> cuts = new HashMap<>();

    final List<Long> cancels = new ArrayList<>();
  }

  /** A fixed idle timeout of a proxy: every stream it cuts breaks 10 s in. */
  private static final long IDLE_TIMEOUT_MICROS = 10_000_000;

  @Test
  void apiPercentilesPerClassMatchExactPercentilesOfWhatWasSent() throws Exception {
    Map<String, Truth> truth = new HashMap<>();
    for (String c : CLASSES) {
      truth.put(c, new Truth());
    }
    Instant sendStart = Instant.now();
    sendRequests(truth);

    Instant from = sendStart.minus(Duration.ofHours(1));
    Instant to = Instant.now().plus(Duration.ofHours(1));
    Map<String, DocumentContext> answers = awaitAllRequests(truth, from, to);

    System.out.println(
        "class                 requests  ttft p50/p95/p99 ms exact  |  from the API");
    for (String c : CLASSES) {
      Truth t = truth.get(c);
      DocumentContext json = answers.get(c);
      System.out.printf(
          "%-21s %8d  %7.1f %7.1f %7.1f  |  %7.1f %7.1f %7.1f  (%d)%n",
          c,
          t.ttft.size(),
          exactPercentile(t.ttft, 50) / 1000.0,
          exactPercentile(t.ttft, 95) / 1000.0,
          exactPercentile(t.ttft, 99) / 1000.0,
          json.read("$.slis.ttft.p50Ms", Double.class),
          json.read("$.slis.ttft.p95Ms", Double.class),
          json.read("$.slis.ttft.p99Ms", Double.class),
          json.read("$.requests", Long.class));
    }
    for (String c : CLASSES) {
      Truth t = truth.get(c);
      DocumentContext json = answers.get(c);
      assertThat(json.read("$.class", String.class)).isEqualTo(c);
      assertThat(json.read("$.requests", Long.class)).isEqualTo(t.ttft.size());
      assertThat(json.read("$.slis.ttft.count", Long.class)).isEqualTo(t.ttft.size());
      assertPercentile(json, "$.slis.ttft.p50Ms", t.ttft, 50);
      assertPercentile(json, "$.slis.ttft.p90Ms", t.ttft, 90);
      assertPercentile(json, "$.slis.ttft.p95Ms", t.ttft, 95);
      assertPercentile(json, "$.slis.ttft.p99Ms", t.ttft, 99);
      assertPercentile(json, "$.slis.ttft.maxMs", t.ttft, 100);
      assertThat(json.read("$.components.edge.count", Long.class)).isEqualTo(t.edge.size());
      assertPercentile(json, "$.components.edge.p95Ms", t.edge, 95);
      assertPercentile(json, "$.components.mesh.p95Ms", t.mesh, 95);
      assertPercentile(json, "$.components.model.p50Ms", t.model, 50);
      assertPercentile(json, "$.components.model.p95Ms", t.model, 95);
      // what the gateway reported doing (tierscope.admission, tierscope.degradation), exactly
      assertThat(json.read("$.admission.admitted", Long.class)).isEqualTo(t.ttft.size());
      assertThat(json.read("$.admission.deferred", Long.class)).isZero();
      assertThat(json.read("$.admission.shed", Long.class)).isZero();
      for (int level = 1; level <= 3; level++) {
        assertThat(json.read("$.admission.degradedByLevel['" + level + "']", Long.class))
            .as("degraded at level " + level)
            .isEqualTo(t.degradation[level]);
      }
      assertThat(json.read("$.admission.degradedRate", Double.class))
          .isCloseTo((double) (t.ttft.size() - t.degradation[0]) / t.ttft.size(), within(1e-9));
      assertContinuity(json, t);
    }
  }

  /** Stream continuity (issue 19 point 2): counts exact, percentiles within 1%. */
  private static void assertContinuity(DocumentContext json, Truth t) {
    assertThat(json.read("$.streams.maxGap.count", Long.class)).isEqualTo(t.maxGap.size());
    assertPercentile(json, "$.streams.maxGap.p50Ms", t.maxGap, 50);
    assertPercentile(json, "$.streams.maxGap.p95Ms", t.maxGap, 95);
    assertPercentile(json, "$.streams.maxGap.p99Ms", t.maxGap, 99);
    assertThat(json.read("$.streams.stalls.reported", Long.class)).isEqualTo(t.stallReports);
    assertThat(json.read("$.streams.stalls.stalledStreams", Long.class))
        .isEqualTo(t.stalledStreams);
    assertThat(json.read("$.streams.stalls.stalls", Long.class)).isEqualTo(t.stalls);
    long interrupted = t.cuts.values().stream().mapToLong(List::size).sum();
    assertThat(json.read("$.slis.streamInterruption.interrupted", Long.class))
        .isEqualTo(interrupted);
    assertThat(json.read("$.slis.streamInterruption.cancelled", Long.class))
        .isEqualTo(t.cancels.size());
    assertThat(json.read("$.streams.interruptions", Map.class).keySet())
        .containsExactlyInAnyOrderElementsOf(t.cuts.keySet());
    t.cuts.forEach(
        (cause, cuts) -> {
          String at = "$.streams.interruptions." + cause;
          assertThat(json.read(at + ".count", Long.class)).as(cause).isEqualTo(cuts.size());
          assertPercentile(json, at + ".p50Ms", cuts, 50);
          assertPercentile(json, at + ".p99Ms", cuts, 99);
        });
    // The idle timeout is one spike: every cut at one duration.
    assertThat(json.read("$.streams.interruptions.idle_timeout.p50Ms", Double.class))
        .isEqualTo(json.read("$.streams.interruptions.idle_timeout.maxMs", Double.class));
    assertThat(json.read("$.streams.cancelled.count", Long.class)).isEqualTo(t.cancels.size());
    assertPercentile(json, "$.streams.cancelled.p90Ms", t.cancels, 90);
  }

  private static void assertPercentile(
      DocumentContext json, String path, List<Long> values, double percentile) {
    double exactMs = exactPercentile(values, percentile) / 1000.0;
    double actualMs = json.read(path, Double.class);
    // HdrHistogram at 2 significant digits: within 1% of the exact value.
    assertThat(actualMs).as(path).isCloseTo(exactMs, within(exactMs * 0.01 + 0.001));
  }

  /** Nearest-rank percentile, the definition HdrHistogram uses. */
  static long exactPercentile(List<Long> values, double percentile) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  /**
   * Sends the requests as real traces through the SDK: a client span (root, CLIENT), a gateway span
   * (SERVER, child of the client) and a model span (chat, child of the gateway), each with a
   * first_token event, and explicit microsecond timestamps so the truth is exact.
   */
  private static void sendRequests(Map<String, Truth> truth) throws Exception {
    OtlpHttpSpanExporter exporter =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(server.otlpHttpUrl() + "/v1/traces")
            .setTimeout(Duration.ofSeconds(30))
            .build();
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setResource(
                Resource.getDefault()
                    .merge(
                        Resource.create(
                            Attributes.builder().put("service.name", "e2e-chat").build())))
            .addSpanProcessor(
                BatchSpanProcessor.builder(exporter)
                    .setMaxQueueSize(4 * REQUESTS)
                    .setMaxExportBatchSize(512)
                    .setScheduleDelay(Duration.ofMillis(50))
                    .build())
            .build();
    Tracer tracer = provider.get("tierscope-e2e");
    SplittableRandom random = new SplittableRandom(42);
    long base = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis()) - 60_000_000L;
    for (int i = 0; i < REQUESTS; i++) {
      String cls = CLASSES[i % CLASSES.length];
      double scale = cls.equals("deferred_batch") ? 8 : cls.equals("standard_interactive") ? 2 : 1;
      long queue = (long) (scale * lognormal(random, 30_000, 0.8));
      long prefill = (long) (scale * lognormal(random, 120_000, 0.4));
      long model = queue + prefill;
      long meshBefore = (long) lognormal(random, 40_000, 0.6);
      long meshAfter = (long) lognormal(random, 5_000, 0.5);
      long edgeBefore = (long) lognormal(random, 20_000, 0.7);
      long edgeAfter = (long) lognormal(random, 15_000, 0.7);

      long clientStart = base + i * 4_000L;
      long gatewayStart = clientStart + edgeBefore;
      long modelStart = gatewayStart + meshBefore;
      long modelFirst = modelStart + model;
      long gatewayFirst = modelFirst + meshAfter;
      long clientFirst = gatewayFirst + edgeAfter;
      long streamMicros = 200_000 + random.nextLong(800_000);

      Span client =
          tracer
              .spanBuilder("chat request")
              .setSpanKind(SpanKind.CLIENT)
              .setNoParent()
              .setStartTimestamp(clientStart, TimeUnit.MICROSECONDS)
              .setAttribute("tierscope.class", cls)
              .setAttribute("gen_ai.request.stream", true)
              .startSpan();
      Span gateway =
          tracer
              .spanBuilder("POST /v1/chat")
              .setSpanKind(SpanKind.SERVER)
              .setParent(Context.root().with(client))
              .setStartTimestamp(gatewayStart, TimeUnit.MICROSECONDS)
              .setAttribute("tierscope.admission", "admitted")
              .setAttribute("tierscope.degradation", (long) (i % 4))
              .startSpan();
      Span modelSpan =
          tracer
              .spanBuilder("chat llama")
              .setSpanKind(SpanKind.CLIENT)
              .setParent(Context.root().with(gateway))
              .setStartTimestamp(modelStart, TimeUnit.MICROSECONDS)
              .setAttribute("gen_ai.operation.name", "chat")
              .setAttribute("tierscope.model.queue_ms", queue / 1000.0)
              .startSpan();
      modelSpan.addEvent("first_token", modelFirst, TimeUnit.MICROSECONDS);
      modelSpan.end(modelFirst + streamMicros, TimeUnit.MICROSECONDS);
      gateway.addEvent("first_token", gatewayFirst, TimeUnit.MICROSECONDS);
      gateway.end(gatewayFirst + streamMicros, TimeUnit.MICROSECONDS);
      client.addEvent("first_token", clientFirst, TimeUnit.MICROSECONDS);
      Truth t = truth.get(cls);
      long clientEnd = clientFirst + streamMicros;
      // Continuity: a third state it as an SDK does, a third sends chunk events, a third nothing.
      int mode = (i / CLASSES.length) % 3;
      if (mode == 0) {
        long gap = (long) lognormal(random, 80_000, 1.1);
        long stalls = random.nextInt(10) < 7 ? 0 : 1 + random.nextInt(3);
        client.setAttribute("tierscope.stream.max_gap_ms", gap / 1000.0);
        client.setAttribute("tierscope.stream.stalls", stalls);
        t.maxGap.add(gap);
        t.stallReports++;
        t.stalledStreams += stalls > 0 ? 1 : 0;
        t.stalls += stalls;
      } else if (mode == 1) {
        long at = clientFirst;
        long maxGap = 0;
        long stalls = 0;
        for (int c = 8 + random.nextInt(20); c > 0; c--) {
          long gap = (long) lognormal(random, 60_000, 1.0);
          at += gap;
          client.addEvent("tierscope.stream.chunk", at, TimeUnit.MICROSECONDS);
          maxGap = Math.max(maxGap, gap);
          stalls += gap > 1_000_000 ? 1 : 0; // the ingest's default stall threshold, 1 s
        }
        clientEnd = Math.max(clientEnd, at);
        t.maxGap.add(maxGap);
        t.stallReports++;
        t.stalledStreams += stalls > 0 ? 1 : 0;
        t.stalls += stalls;
      }
      switch (i % 20) {
        case 7 -> {
          client.setAttribute("tierscope.stream.outcome", "interrupted");
          client.setAttribute("tierscope.stream.interruption_cause", "idle_timeout");
          clientEnd = clientStart + IDLE_TIMEOUT_MICROS;
          t.cuts.computeIfAbsent("idle_timeout", k -> new ArrayList<>()).add(IDLE_TIMEOUT_MICROS);
        }
        case 13 -> {
          client.setAttribute("tierscope.stream.outcome", "interrupted");
          client.setAttribute("tierscope.stream.interruption_cause", "network");
          t.cuts.computeIfAbsent("network", k -> new ArrayList<>()).add(clientEnd - clientStart);
        }
        case 17 -> {
          client.setAttribute("tierscope.stream.outcome", "interrupted");
          t.cuts.computeIfAbsent("unknown", k -> new ArrayList<>()).add(clientEnd - clientStart);
        }
        case 3 -> {
          client.setAttribute("tierscope.stream.outcome", "cancelled");
          t.cancels.add(clientEnd - clientStart);
        }
        default -> {}
      }
      client.end(clientEnd, TimeUnit.MICROSECONDS);

      long ttftGateway = gatewayFirst - gatewayStart;
      t.ttft.add(clientFirst - clientStart);
      t.edge.add((clientFirst - clientStart) - ttftGateway);
      t.mesh.add(ttftGateway - model);
      t.model.add(model);
      t.degradation[i % 4]++;
    }
    assertThat(provider.forceFlush().join(60, TimeUnit.SECONDS).isSuccess())
        .as("the SDK exported every span")
        .isTrue();
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }

  private static double lognormal(SplittableRandom random, double median, double sigma) {
    // Box-Muller for a standard normal, then exp: a long right tail like real latencies.
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    double z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return median * Math.exp(sigma * z);
  }

  private static Map<String, DocumentContext> awaitAllRequests(
      Map<String, Truth> truth, Instant from, Instant to) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    Map<String, DocumentContext> answers = new HashMap<>();
    while (true) {
      boolean complete = true;
      for (String c : CLASSES) {
        DocumentContext json = slo(c, from, to);
        answers.put(c, json);
        if (json.read("$.requests", Long.class) < truth.get(c).ttft.size()) {
          complete = false;
        }
      }
      if (complete || System.nanoTime() > deadline) {
        return answers;
      }
      Thread.sleep(500);
    }
  }

  private static DocumentContext slo(String cls, Instant from, Instant to) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        server.apiUrl()
                            + "/api/v1/slo?class="
                            + cls
                            + "&from="
                            + from
                            + "&to="
                            + to.toEpochMilli()))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JsonPath.parse(response.body());
  }
}
