package dev.tierscope.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Spans shaped as the GenAI instrumentations write them (names and units from each library's own
 * source, docs/span-conventions.md "GenAI dialects"), with no Tierscope attribute at all, sent by
 * the OpenTelemetry Java SDK's OTLP exporter through the real path: ingest -> Kafka -> aggregator
 * -> PostgreSQL -> REST API. Each dialect's requests lie in a minute of event time of their own, so
 * the API's answer for that minute is the dialect's: exact request, TTFT, unknown-TTFT, stream and
 * interruption counts, TTFT and queue percentiles within 1% of the exact values sent.
 */
class GenAiDialectsEndToEndIT {

  private static final int REQUESTS = 300;
  private static final long MINUTE_MICROS = 60_000_000L;
  private static final String CLASS = "standard_interactive"; // the fallback class

  private static TierscopeServer server;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startServer() throws Exception {
    server = TestServers.start("dialects", Map.of("tierscope.aggregator.idle-advance-after", "1s"));
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  /** What one dialect's requests were, in microseconds. */
  private static final class Truth {
    final String dialect;
    final long fromMicros;
    int requests;
    int streams;
    int interrupted;
    final List<Long> ttft = new ArrayList<>();
    final List<Long> queue = new ArrayList<>();

    Truth(String dialect, long fromMicros) {
      this.dialect = dialect;
      this.fromMicros = fromMicros;
    }
  }

  /** Writes one request of a dialect starting at {@code start} (µs) and records its truth. */
  private interface Shape {
    void write(Tracer tracer, SplittableRandom random, long start, int i, Truth truth);
  }

  @Test
  void everyDialectsSpansGiveExactCountsAndPercentilesThroughTheApi() throws Exception {
    Map<String, Shape> shapes = new LinkedHashMap<>();
    shapes.put("openllmetry", GenAiDialectsEndToEndIT::openLlmetry);
    shapes.put("vllm", GenAiDialectsEndToEndIT::vllm);
    shapes.put("langfuse", GenAiDialectsEndToEndIT::langfuse);
    shapes.put("openinference", GenAiDialectsEndToEndIT::openInference);
    shapes.put("openlit", GenAiDialectsEndToEndIT::openLit);
    shapes.put("spring-ai", GenAiDialectsEndToEndIT::springAi);

    // Whole minutes, well inside the ingest's max-age, one per dialect.
    long now = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis());
    long base = (now - 20 * MINUTE_MICROS) / MINUTE_MICROS * MINUTE_MICROS;
    List<Truth> truths = new ArrayList<>();
    int d = 0;
    for (Map.Entry<String, Shape> e : shapes.entrySet()) {
      Truth truth = new Truth(e.getKey(), base + d++ * MINUTE_MICROS);
      send(e.getKey(), e.getValue(), truth);
      truths.add(truth);
    }

    for (Truth t : truths) {
      DocumentContext json = awaitRequests(t);
      System.out.printf(
          "%-14s requests %d/%d  ttft %d (unknown %d)  streams %d interrupted %d  p50/p95/p99 %s%n",
          t.dialect,
          json.read("$.requests", Long.class),
          t.requests,
          json.read("$.slis.ttft.count", Long.class),
          json.read("$.slis.ttft.unknown", Long.class),
          json.read("$.slis.streamInterruption.streams", Long.class),
          json.read("$.slis.streamInterruption.interrupted", Long.class),
          t.ttft.isEmpty()
              ? "-"
              : json.read("$.slis.ttft.p50Ms")
                  + "/"
                  + json.read("$.slis.ttft.p95Ms")
                  + "/"
                  + json.read("$.slis.ttft.p99Ms"));
      assertThat(json.read("$.requests", Long.class)).as(t.dialect).isEqualTo(t.requests);
      assertThat(json.read("$.slis.ttft.count", Long.class))
          .as(t.dialect + " ttft count")
          .isEqualTo(t.ttft.size());
      assertThat(json.read("$.slis.ttft.unknown", Long.class))
          .as(t.dialect + " ttft unknown")
          .isEqualTo(t.requests - t.ttft.size());
      assertThat(json.read("$.slis.streamInterruption.streams", Long.class))
          .as(t.dialect + " streams")
          .isEqualTo(t.streams);
      assertThat(json.read("$.slis.streamInterruption.interrupted", Long.class))
          .as(t.dialect + " interrupted")
          .isEqualTo(t.interrupted);
      if (!t.ttft.isEmpty()) {
        assertPercentile(t.dialect, json, "$.slis.ttft.p50Ms", t.ttft, 50);
        assertPercentile(t.dialect, json, "$.slis.ttft.p95Ms", t.ttft, 95);
        assertPercentile(t.dialect, json, "$.slis.ttft.p99Ms", t.ttft, 99);
        assertPercentile(t.dialect, json, "$.slis.ttft.maxMs", t.ttft, 100);
      }
      assertThat(json.read("$.components.modelQueue.count", Long.class))
          .as(t.dialect + " queue count")
          .isEqualTo(t.queue.size());
      if (!t.queue.isEmpty()) {
        assertPercentile(t.dialect, json, "$.components.modelQueue.p50Ms", t.queue, 50);
        assertPercentile(t.dialect, json, "$.components.modelQueue.p95Ms", t.queue, 95);
      }
    }
  }

  // ---- the dialects' span shapes

  /**
   * OpenLLMetry (Python): a workflow span (traceloop.span.kind) over the OpenAI CLIENT span with
   * llm.request.type, a streaming flag, one chunk event per chunk and prompt/completion tokens.
   * Half use the legacy llm.* names, half the newer gen_ai.* ones; every tenth stream breaks after
   * its first chunks (status ERROR), every twentieth before any chunk.
   */
  private static void openLlmetry(Tracer tracer, SplittableRandom r, long start, int i, Truth t) {
    boolean legacy = i % 2 == 0;
    Span workflow =
        tracer
            .spanBuilder("chat_workflow.workflow")
            .setNoParent()
            .setStartTimestamp(start, TimeUnit.MICROSECONDS)
            .setAttribute("traceloop.span.kind", "workflow")
            .setAttribute("traceloop.workflow.name", "chat_workflow")
            .startSpan();
    long llmStart = start + 2_000;
    Span llm =
        tracer
            .spanBuilder("openai.chat")
            .setSpanKind(SpanKind.CLIENT)
            .setParent(Context.root().with(workflow))
            .setStartTimestamp(llmStart, TimeUnit.MICROSECONDS)
            .setAttribute("llm.request.type", "chat")
            .setAttribute("gen_ai.system", "openai")
            .setAttribute(legacy ? "llm.is_streaming" : "gen_ai.is_streaming", true)
            .setAttribute("gen_ai.usage.prompt_tokens", 100L + i)
            .setAttribute("gen_ai.usage.completion_tokens", 20L + i)
            .startSpan();
    long end = llmStart + 900_000;
    String chunk = legacy ? "llm.content.completion.chunk" : "gen_ai.content.completion.chunk";
    t.requests++;
    t.streams++;
    if (i % 20 == 19) {
      llm.setStatus(StatusCode.ERROR, "connection reset");
    } else {
      long ttft = (long) lognormal(r, 300_000, 0.5);
      for (int c = 0; c < 5; c++) {
        llm.addEvent(chunk, llmStart + ttft + c * 20_000L, TimeUnit.MICROSECONDS);
      }
      end = llmStart + ttft + 200_000;
      t.ttft.add(ttft);
      if (i % 10 == 3) {
        llm.setStatus(StatusCode.ERROR, "stream broke");
        t.interrupted++;
      }
    }
    llm.end(end, TimeUnit.MICROSECONDS);
    workflow.end(end + 1_000, TimeUnit.MICROSECONDS);
  }

  /**
   * vLLM: the caller's CLIENT span (plain HTTP instrumentation, no GenAI attribute) over vLLM's own
   * SERVER span "llm_request" that starts at the request's arrival and reports latencies in
   * seconds. The first token is the request's; the queue time the model's.
   */
  private static void vllm(Tracer tracer, SplittableRandom r, long start, int i, Truth t) {
    Span caller =
        tracer
            .spanBuilder("POST")
            .setSpanKind(SpanKind.CLIENT)
            .setNoParent()
            .setStartTimestamp(start, TimeUnit.MICROSECONDS)
            .setAttribute("http.request.method", "POST")
            .startSpan();
    long arrival = start + 3_000;
    long queue = (long) lognormal(r, 25_000, 0.8);
    long ttft = queue + (long) lognormal(r, 150_000, 0.4);
    long e2e = ttft + 400_000;
    Span request =
        tracer
            .spanBuilder("llm_request")
            .setSpanKind(SpanKind.SERVER)
            .setParent(Context.root().with(caller))
            .setStartTimestamp(arrival, TimeUnit.MICROSECONDS)
            .setAttribute("gen_ai.response.model", "meta-llama/Llama-3.1-8B-Instruct")
            .setAttribute("gen_ai.request.id", "cmpl-" + i)
            .setAttribute("gen_ai.usage.prompt_tokens", 1000L)
            .setAttribute("gen_ai.usage.completion_tokens", 200L)
            .setAttribute("gen_ai.latency.time_in_queue", queue / 1e6)
            .setAttribute("gen_ai.latency.time_to_first_token", ttft / 1e6)
            .setAttribute("gen_ai.latency.e2e", e2e / 1e6)
            .startSpan();
    request.end(arrival + e2e, TimeUnit.MICROSECONDS);
    caller.end(arrival + e2e + 2_000, TimeUnit.MICROSECONDS);
    t.requests++;
    t.ttft.add(ttft);
    t.queue.add(queue);
  }

  /**
   * Langfuse (Python SDK v3): a span observation over a generation whose completion start time is
   * an ISO-8601 timestamp written as a JSON string; usage details as JSON.
   */
  private static void langfuse(Tracer tracer, SplittableRandom r, long start, int i, Truth t) {
    Span root =
        tracer
            .spanBuilder("handle-question")
            .setNoParent()
            .setStartTimestamp(start, TimeUnit.MICROSECONDS)
            .setAttribute("langfuse.observation.type", "span")
            .startSpan();
    long genStart = start + 1_000;
    long ttft = (long) lognormal(r, 450_000, 0.6);
    Instant completionStart =
        Instant.ofEpochSecond(0, TimeUnit.MICROSECONDS.toNanos(genStart + ttft));
    Span generation =
        tracer
            .spanBuilder("OpenAI-generation")
            .setParent(Context.root().with(root))
            .setStartTimestamp(genStart, TimeUnit.MICROSECONDS)
            .setAttribute("langfuse.observation.type", "generation")
            .setAttribute("langfuse.observation.model.name", "gpt-4o")
            .setAttribute(
                "langfuse.observation.completion_start_time", "\"" + completionStart + "\"")
            .setAttribute(
                "langfuse.observation.usage_details",
                "{\"input\": 31, \"output\": 7, \"total\": 38}")
            .startSpan();
    generation.end(genStart + ttft + 300_000, TimeUnit.MICROSECONDS);
    root.end(genStart + ttft + 301_000, TimeUnit.MICROSECONDS);
    t.requests++;
    t.ttft.add(ttft);
  }

  /**
   * OpenInference: a CHAIN span over an LLM span with streamed invocation parameters and token
   * counts. No first-token signal: every request's TTFT is unknown, every request a stream.
   */
  private static void openInference(Tracer tracer, SplittableRandom r, long start, int i, Truth t) {
    Span chain =
        tracer
            .spanBuilder("RunnableSequence")
            .setNoParent()
            .setStartTimestamp(start, TimeUnit.MICROSECONDS)
            .setAttribute("openinference.span.kind", "CHAIN")
            .startSpan();
    Span llm =
        tracer
            .spanBuilder("OpenAI Chat Completions")
            .setParent(Context.root().with(chain))
            .setStartTimestamp(start + 1_000, TimeUnit.MICROSECONDS)
            .setAttribute("openinference.span.kind", "LLM")
            .setAttribute("llm.model_name", "gpt-4o-mini")
            .setAttribute(
                "llm.invocation_parameters", "{\"model\":\"gpt-4o-mini\",\"stream\":true}")
            .setAttribute("llm.token_count.prompt", 12L)
            .setAttribute("llm.token_count.completion", 30L)
            .startSpan();
    long end = start + 1_000 + (long) lognormal(r, 700_000, 0.3);
    llm.end(end, TimeUnit.MICROSECONDS);
    chain.end(end + 500, TimeUnit.MICROSECONDS);
    t.requests++;
    t.streams++;
  }

  /**
   * OpenLIT: its CLIENT span with the OpenTelemetry names (seconds) and telemetry.sdk.name; a
   * stream that saw no chunk has 0.0 as its time to first token, which is no first token.
   */
  private static void openLit(Tracer tracer, SplittableRandom r, long start, int i, Truth t) {
    boolean noChunk = i % 25 == 0;
    long ttft = noChunk ? 0 : (long) lognormal(r, 250_000, 0.5);
    Span chat =
        tracer
            .spanBuilder("chat gpt-4o")
            .setSpanKind(SpanKind.CLIENT)
            .setNoParent()
            .setStartTimestamp(start, TimeUnit.MICROSECONDS)
            .setAttribute("telemetry.sdk.name", "openlit")
            .setAttribute("gen_ai.operation.name", "chat")
            .setAttribute("gen_ai.request.stream", true)
            .setAttribute("gen_ai.server.time_to_first_token", ttft / 1e6)
            .setAttribute("gen_ai.server.time_per_output_token", 0.02)
            .setAttribute("gen_ai.usage.input_tokens", 50L)
            .setAttribute("gen_ai.usage.output_tokens", 90L)
            .startSpan();
    chat.end(start + ttft + 500_000, TimeUnit.MICROSECONDS);
    t.requests++;
    t.streams++;
    if (!noChunk) {
      t.ttft.add(ttft);
    }
  }

  /**
   * Spring AI through Micrometer's OpenTelemetry bridge: the web request's SERVER span, a chat
   * client observation and the chat model observation with gen_ai.* names; the stream flag is a
   * high-cardinality key value, i.e. the string "true". No first-token signal.
   */
  private static void springAi(Tracer tracer, SplittableRandom r, long start, int i, Truth t) {
    Span server =
        tracer
            .spanBuilder("http post /chat")
            .setSpanKind(SpanKind.SERVER)
            .setNoParent()
            .setStartTimestamp(start, TimeUnit.MICROSECONDS)
            .startSpan();
    Span client =
        tracer
            .spanBuilder("spring_ai chat_client")
            .setParent(Context.root().with(server))
            .setStartTimestamp(start + 500, TimeUnit.MICROSECONDS)
            .setAttribute("spring.ai.kind", "chat_client")
            .setAttribute("gen_ai.operation.name", "framework")
            .startSpan();
    Span chat =
        tracer
            .spanBuilder("chat gpt-4o")
            .setParent(Context.root().with(client))
            .setStartTimestamp(start + 1_000, TimeUnit.MICROSECONDS)
            .setAttribute("gen_ai.operation.name", "chat")
            .setAttribute("gen_ai.system", "openai")
            .setAttribute("gen_ai.request.model", "gpt-4o")
            .setAttribute("gen_ai.request.stream", "true")
            .setAttribute("gen_ai.usage.input_tokens", 10L)
            .setAttribute("gen_ai.usage.output_tokens", 20L)
            .startSpan();
    long end = start + 1_000 + (long) lognormal(r, 600_000, 0.3);
    chat.end(end, TimeUnit.MICROSECONDS);
    client.end(end + 200, TimeUnit.MICROSECONDS);
    server.end(end + 400, TimeUnit.MICROSECONDS);
    t.requests++;
    t.streams++;
  }

  // ---- sending and reading

  private static void send(String dialect, Shape shape, Truth truth) throws Exception {
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
                            Attributes.builder().put("service.name", dialect + "-app").build())))
            .addSpanProcessor(
                BatchSpanProcessor.builder(exporter)
                    .setMaxQueueSize(8 * REQUESTS)
                    .setMaxExportBatchSize(512)
                    .setScheduleDelay(Duration.ofMillis(50))
                    .build())
            .build();
    Tracer tracer = provider.get(dialect);
    SplittableRandom random = new SplittableRandom(dialect.hashCode());
    for (int i = 0; i < REQUESTS; i++) {
      // 150 ms apart: 300 requests in 45 s of the dialect's minute.
      shape.write(tracer, random, truth.fromMicros + i * 150_000L, i, truth);
    }
    assertThat(provider.forceFlush().join(60, TimeUnit.SECONDS).isSuccess())
        .as("the SDK exported every %s span", dialect)
        .isTrue();
    provider.shutdown().join(10, TimeUnit.SECONDS);
  }

  private static DocumentContext awaitRequests(Truth t) throws Exception {
    Instant from = Instant.ofEpochSecond(0, TimeUnit.MICROSECONDS.toNanos(t.fromMicros));
    Instant to = from.plusSeconds(60);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      DocumentContext json = slo(from, to);
      if (json.read("$.requests", Long.class) >= t.requests || System.nanoTime() > deadline) {
        return json;
      }
      Thread.sleep(500);
    }
  }

  private static DocumentContext slo(Instant from, Instant to) throws Exception {
    HttpResponse<String> response =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        server.apiUrl()
                            + "/api/v1/slo?class="
                            + CLASS
                            + "&from="
                            + from
                            + "&to="
                            + to))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JsonPath.parse(response.body());
  }

  private static void assertPercentile(
      String dialect, DocumentContext json, String path, List<Long> values, double percentile) {
    double exactMs = EndToEndIT.exactPercentile(values, percentile) / 1000.0;
    double actualMs = json.read(path, Double.class);
    // HdrHistogram at 2 significant digits: within 1% of the exact value.
    assertThat(actualMs)
        .as(dialect + " " + path)
        .isCloseTo(exactMs, within(exactMs * 0.01 + 0.001));
  }

  private static double lognormal(SplittableRandom random, double median, double sigma) {
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    double z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    return median * Math.exp(sigma * z);
  }
}
