package dev.tierscope.server;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Class rules through the whole real path: requests whose spans carry only standard OpenTelemetry
 * attributes (no {@code tierscope.class}) are sent by the OpenTelemetry Java SDK from three
 * services; the ingest carries the attributes the spec file's rules read, the aggregator applies
 * the rules to each request's root span, and {@code /api/v1/slo} counts exactly per class, per rule
 * and in the fallback.
 */
class ClassRulesEndToEndIT {

  private static final int PER_KIND = 60;

  private static final String SPEC =
      """
      apiVersion: tierscope.dev/v1
      kind: ClassRules
      metadata:
        name: rules
      spec:
        fallback: standard_interactive
        rules:
          - name: premium-chat
            class: interactive_premium
            match:
              - attribute: service.name
                equals: chat-frontend
              - attribute: http.route
                prefix: /v1/chat/
          - name: batch-jobs
            class: deferred_batch
            match:
              - attribute: http.route
                regex: /v1/(batch|jobs)/.*
          - name: mini-models
            class: deferred_batch
            match:
              - attribute: gen_ai.request.model
                regex: .*-mini
      """;

  private static TierscopeServer server;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startServer() throws Exception {
    Path spec = Files.createTempFile("class-rules", ".yaml");
    Files.writeString(spec, SPEC);
    server =
        TestServers.start(
            "rules",
            Map.of(
                "tierscope.aggregator.idle-advance-after",
                "1s",
                "tierscope.classes.spec-file",
                spec.toString()));
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void rulesOnRootSpansWithStandardAttributesCountExactlyPerClass() throws Exception {
    Instant sent = Instant.now();
    send();
    Instant from = sent.minus(Duration.ofHours(1));
    Instant to = Instant.now().plus(Duration.ofHours(1));

    // premium: kind A; standard (fallback): B and F; deferred: C, D (rules) and E (span class)
    Map<String, Long> expected =
        Map.of(
            "interactive_premium", (long) PER_KIND,
            "standard_interactive", 2L * PER_KIND,
            "deferred_batch", 3L * PER_KIND);
    Map<String, DocumentContext> answers = await(expected, from, to);

    for (Map.Entry<String, Long> e : expected.entrySet()) {
      assertThat(answers.get(e.getKey()).read("$.requests", Long.class))
          .as(e.getKey())
          .isEqualTo(e.getValue());
    }
    DocumentContext premium = answers.get("interactive_premium");
    assertThat(premium.read("$.classification.byRule", Map.class))
        .containsExactlyEntriesOf(Map.of("premium-chat", PER_KIND));
    assertThat(premium.read("$.classification.fallback", Long.class)).isZero();
    DocumentContext standard = answers.get("standard_interactive");
    assertThat(standard.read("$.classification.byRule", Map.class)).isEmpty();
    assertThat(standard.read("$.classification.fallback", Long.class)).isEqualTo(2L * PER_KIND);
    DocumentContext deferred = answers.get("deferred_batch");
    Map<String, Object> byRule = deferred.read("$.classification.byRule");
    assertThat(byRule)
        .containsOnly(Map.entry("batch-jobs", PER_KIND), Map.entry("mini-models", PER_KIND));
    assertThat(deferred.read("$.classification.fallback", Long.class)).isZero();
  }

  /**
   * Six kinds of request, {@link #PER_KIND} each, from three services:
   *
   * <ul>
   *   <li>A chat-frontend, root SERVER span {@code http.route /v1/chat/completions}: premium-chat;
   *   <li>B search-api, the same route: no rule (the service differs), the fallback;
   *   <li>C batch-worker, root SERVER span {@code /v1/jobs/{id}}: batch-jobs;
   *   <li>D batch-worker, root span is the model call itself ({@code gen_ai.request.model
   *       gpt-4o-mini}): mini-models;
   *   <li>E chat-frontend as A, but the model span names {@code tierscope.class deferred_batch}:
   *       the span's class wins over the rule;
   *   <li>F search-api, root {@code /v2/search}, model child with {@code gpt-4o-mini}: a child's
   *       attributes are not read, the fallback.
   * </ul>
   */
  private static void send() throws Exception {
    List<SdkTracerProvider> providers = new ArrayList<>();
    Tracer chat = tracer("chat-frontend", providers);
    Tracer search = tracer("search-api", providers);
    Tracer batch = tracer("batch-worker", providers);
    long base = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis()) - 30_000_000L;
    for (int i = 0; i < PER_KIND; i++) {
      long t = base + i * 10_000L;
      request(chat, "/v1/chat/completions", null, "gpt-4o", t);
      request(search, "/v1/chat/completions", null, "gpt-4o", t + 1_000);
      request(batch, "/v1/jobs/" + i, null, "llama-70b", t + 2_000);
      Span root =
          batch
              .spanBuilder("chat gpt-4o-mini")
              .setSpanKind(SpanKind.CLIENT)
              .setNoParent()
              .setStartTimestamp(t + 3_000, TimeUnit.MICROSECONDS)
              .setAttribute("gen_ai.operation.name", "chat")
              .setAttribute("gen_ai.request.model", "gpt-4o-mini")
              .startSpan();
      root.end(t + 3_000 + 400_000, TimeUnit.MICROSECONDS);
      request(chat, "/v1/chat/completions", "deferred_batch", "gpt-4o", t + 4_000);
      request(search, "/v2/search", null, "gpt-4o-mini", t + 5_000);
    }
    for (SdkTracerProvider p : providers) {
      assertThat(p.forceFlush().join(60, TimeUnit.SECONDS).isSuccess())
          .as("the SDK exported every span")
          .isTrue();
      p.shutdown().join(10, TimeUnit.SECONDS);
    }
  }

  /** A root SERVER span with {@code http.route} and a model child span; only standard names. */
  private static void request(
      Tracer tracer, String route, String childClass, String model, long start) {
    Span server =
        tracer
            .spanBuilder("POST " + route)
            .setSpanKind(SpanKind.SERVER)
            .setNoParent()
            .setStartTimestamp(start, TimeUnit.MICROSECONDS)
            .setAttribute("http.request.method", "POST")
            .setAttribute("http.route", route)
            .startSpan();
    var child =
        tracer
            .spanBuilder("chat " + model)
            .setSpanKind(SpanKind.CLIENT)
            .setParent(Context.root().with(server))
            .setStartTimestamp(start + 20_000, TimeUnit.MICROSECONDS)
            .setAttribute("gen_ai.operation.name", "chat")
            .setAttribute("gen_ai.request.model", model);
    if (childClass != null) {
      child.setAttribute("tierscope.class", childClass);
    }
    Span modelSpan = child.startSpan();
    modelSpan.end(start + 300_000, TimeUnit.MICROSECONDS);
    server.end(start + 320_000, TimeUnit.MICROSECONDS);
  }

  private static Tracer tracer(String service, List<SdkTracerProvider> providers) {
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
                        Resource.create(Attributes.builder().put("service.name", service).build())))
            .addSpanProcessor(
                BatchSpanProcessor.builder(exporter)
                    .setMaxQueueSize(8 * PER_KIND * 6)
                    .setScheduleDelay(Duration.ofMillis(50))
                    .build())
            .build();
    providers.add(provider);
    return provider.get("tierscope-rules-e2e");
  }

  private static Map<String, DocumentContext> await(
      Map<String, Long> expected, Instant from, Instant to) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      Map<String, DocumentContext> answers = new java.util.HashMap<>();
      boolean complete = true;
      for (String c : expected.keySet()) {
        DocumentContext json = slo(c, from, to);
        answers.put(c, json);
        if (json.read("$.requests", Long.class) < expected.get(c)) {
          complete = false;
        }
      }
      if (complete || System.nanoTime() > deadline) {
        // a moment more: a request counted in a wrong class would show up now too
        Thread.sleep(complete ? 2_000 : 0);
        for (String c : expected.keySet()) {
          answers.put(c, slo(c, from, to));
        }
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
                            + from.toEpochMilli()
                            + "&to="
                            + to.toEpochMilli()))
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JsonPath.parse(response.body());
  }
}
