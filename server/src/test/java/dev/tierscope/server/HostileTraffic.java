package dev.tierscope.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.tierscope.aggregator.consumer.DeadLetters;
import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.testsupport.TestInfra;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the hostile-input ITs share: an all-in-one server with topics of their own, a healthy stream
 * of OTLP/HTTP requests whose ground truth is kept per tenant and class, hostile requests and raw
 * Kafka records (another producer), and the checks a user would make: the API's SLIs, the health,
 * the meters of the ingest and the aggregator, the dead letters.
 */
final class HostileTraffic implements AutoCloseable {

  static final String[] CLASSES = {"interactive_premium", "standard_interactive", "deferred_batch"};

  /** What was sent for one tenant and class, exactly. */
  static final class Truth {
    long requests;
    long ttft;
    long retrievals;
    long fallbacks;
    long streams;
    long interrupted;

    /** Input tokens per workflow. */
    final Map<String, Long> inputTokens = new HashMap<>();
  }

  record Key(String tenant, String trafficClass) {}

  /** An OTLP/HTTP answer: status and, for 200, the partial success it carried. */
  record Answer(int status, long rejectedSpans, String message) {}

  final String topic = TestInfra.uniqueName("hostile_spans");
  final String deadLetterTopic = topic + "_dlq";
  final TierscopeServer server;
  final Map<Key, Truth> truth = new LinkedHashMap<>();
  private final HttpClient http = HttpClient.newHttpClient();
  private final SplittableRandom random;
  private final KafkaProducer<byte[], byte[]> producer;
  private long traces;

  HostileTraffic(String name, long seed, Map<String, String> extra) throws Exception {
    Map<String, String> p = new HashMap<>();
    p.put("tierscope.spans.topic", topic);
    p.put("tierscope.spans.dead-letter-topic", deadLetterTopic);
    p.put("tierscope.aggregator.idle-advance-after", "1s");
    p.putAll(extra);
    this.server = TestServers.start(name, p);
    this.random = new SplittableRandom(seed);
    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, server.kafkaBootstrapServers());
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
  }

  // ---- healthy requests

  /**
   * One request as a service reports it: a client root span with the class and workflow, a gateway
   * and a model span with first tokens, up to two retrievals; counted in the truth.
   *
   * @param startNanos the request's start, epoch nanoseconds
   * @param skewNanos how far the gateway and model services' clocks run ahead
   * @param withRetrievals false to leave the retrievals for {@link #retrievalsOf} (sent later)
   */
  List<ResourceSpans> healthy(
      String tenant,
      String cls,
      String workflow,
      long startNanos,
      long skewNanos,
      boolean withRetrievals) {
    Truth t = truth.computeIfAbsent(new Key(tenant, cls), k -> new Truth());
    byte[] trace = new byte[16];
    long n = ++traces;
    for (int i = 0; i < 8; i++) {
      trace[i] = (byte) (n >>> (8 * i));
    }
    trace[8] = (byte) random.nextInt(256);
    trace[15] = 1;
    long ms = 1_000_000L;
    long client = 1 + random.nextInt(1 << 20);
    long gateway = client + (1 << 21);
    long model = client + (1 << 22);
    boolean streamed = random.nextBoolean();
    boolean interrupted = streamed && random.nextInt(10) == 0;
    long end = startNanos + 900 * ms;
    Span.Builder root =
        span(trace, client, 0, "chat", Span.SpanKind.SPAN_KIND_CLIENT, startNanos, end)
            .addAttributes(attr(SpanAttributes.CLASS, cls))
            .addAttributes(attr(SpanAttributes.WORKFLOW, workflow))
            .addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_STREAM, streamed ? "true" : "false"))
            .addEvents(event(startNanos + 400 * ms));
    if (interrupted) {
      root.addAttributes(attr(SpanAttributes.STREAM_OUTCOME, "interrupted"));
    }
    long gwStart = startNanos + 10 * ms + skewNanos;
    Span.Builder gw =
        span(
                trace,
                gateway,
                client,
                "gateway",
                Span.SpanKind.SPAN_KIND_SERVER,
                gwStart,
                gwStart + 800 * ms)
            .addEvents(event(gwStart + 350 * ms));
    long mStart = startNanos + 100 * ms + skewNanos;
    Span.Builder m =
        span(
                trace,
                model,
                gateway,
                "llm",
                Span.SpanKind.SPAN_KIND_CLIENT,
                mStart,
                mStart + 600 * ms)
            .addAttributes(attr(SpanAttributes.GEN_AI_OPERATION_NAME, "chat"))
            .addAttributes(attr(SpanAttributes.GEN_AI_REQUEST_MODEL, "gpt-4o"))
            .addAttributes(intAttr(SpanAttributes.GEN_AI_USAGE_INPUT_TOKENS, 100))
            .addEvents(event(mStart + 200 * ms));
    t.requests++;
    t.ttft++;
    t.inputTokens.merge(workflow, 100L, Long::sum);
    if (streamed) {
      t.streams++;
      t.interrupted += interrupted ? 1 : 0;
    }
    List<ResourceSpans> out = new ArrayList<>();
    out.add(resource("client-svc", tenant, root));
    out.add(resource("gateway-svc", tenant, gw, m));
    List<Span.Builder> retrievals = retrievalSpans(trace, gateway, startNanos, t);
    if (withRetrievals) {
      out.add(resource("retriever-svc", tenant, retrievals.toArray(Span.Builder[]::new)));
    } else {
      pendingRetrievals.put(
          n, resource("retriever-svc", tenant, retrievals.toArray(Span.Builder[]::new)));
    }
    return out;
  }

  private final Map<Long, ResourceSpans> pendingRetrievals = new LinkedHashMap<>();

  /** The retrieval spans held back from the requests made with {@code withRetrievals=false}. */
  List<ResourceSpans> retrievalsOf() {
    List<ResourceSpans> out = new ArrayList<>(pendingRetrievals.values());
    pendingRetrievals.clear();
    return out;
  }

  private List<Span.Builder> retrievalSpans(byte[] trace, long gateway, long startNanos, Truth t) {
    List<Span.Builder> out = new ArrayList<>();
    int n = 1 + random.nextInt(2);
    for (int i = 0; i < n; i++) {
      boolean hit = random.nextInt(4) > 0;
      boolean fallback = !hit && random.nextBoolean();
      long s = startNanos + (20 + 30L * i) * 1_000_000L;
      out.add(
          span(
                  trace,
                  gateway + 100 + i,
                  gateway,
                  "search",
                  Span.SpanKind.SPAN_KIND_CLIENT,
                  s,
                  s + 25_000_000L)
              .addAttributes(attr(SpanAttributes.ROLE, "retrieval"))
              .addAttributes(attr(SpanAttributes.RETRIEVAL_HIT, hit ? "true" : "false"))
              .addAttributes(attr(SpanAttributes.RETRIEVAL_FALLBACK, fallback ? "true" : "false")));
      t.retrievals++;
      t.fallbacks += fallback ? 1 : 0;
    }
    return out;
  }

  /**
   * Sends {@code count} healthy requests over the tenants and classes, {@code perPost} to an OTLP
   * request, with starts spread evenly over [fromNanos, toNanos).
   */
  void sendHealthy(List<String> tenants, int count, long fromNanos, long toNanos) throws Exception {
    List<ResourceSpans> batch = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String tenant = tenants.get(i % tenants.size());
      String cls = CLASSES[(i / tenants.size()) % CLASSES.length];
      long start = fromNanos + (toNanos - fromNanos) * i / count;
      String workflow = (i / tenants.size()) % 2 == 0 ? "rag" : "chat";
      batch.addAll(healthy(tenant, cls, workflow, start, 0, true));
      if (batch.size() >= 30) {
        assertAccepted(post(request(batch)));
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      assertAccepted(post(request(batch)));
    }
  }

  static void assertAccepted(Answer a) {
    assertThat(a.status()).as("answer %s", a).isEqualTo(200);
    assertThat(a.rejectedSpans()).as("answer %s", a).isZero();
  }

  static long nowNanos() {
    return System.currentTimeMillis() * 1_000_000L;
  }

  // ---- OTLP building blocks

  static ExportTraceServiceRequest request(List<ResourceSpans> resources) {
    return ExportTraceServiceRequest.newBuilder().addAllResourceSpans(resources).build();
  }

  static ResourceSpans resource(String service, String tenant, Span.Builder... spans) {
    Resource.Builder r =
        Resource.newBuilder().addAttributes(attr(SpanAttributes.SERVICE_NAME, service));
    if (tenant != null) {
      r.addAttributes(attr(SpanAttributes.TENANT, tenant));
    }
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (Span.Builder s : spans) {
      scope.addSpans(s);
    }
    return ResourceSpans.newBuilder().setResource(r).addScopeSpans(scope).build();
  }

  static Span.Builder span(
      byte[] trace, long id, long parent, String name, Span.SpanKind kind, long start, long end) {
    Span.Builder s =
        Span.newBuilder()
            .setTraceId(ByteString.copyFrom(trace))
            .setSpanId(id8(id))
            .setName(name)
            .setKind(kind)
            .setStartTimeUnixNano(start)
            .setEndTimeUnixNano(end)
            .setStatus(Status.newBuilder());
    if (parent != 0) {
      s.setParentSpanId(id8(parent));
    }
    return s;
  }

  static ByteString id8(long id) {
    byte[] b = new byte[8];
    for (int i = 7; i >= 0; i--) {
      b[i] = (byte) id;
      id >>>= 8;
    }
    return ByteString.copyFrom(b);
  }

  static Span.Event event(long at) {
    return Span.Event.newBuilder()
        .setName(SpanAttributes.FIRST_TOKEN_EVENT)
        .setTimeUnixNano(at)
        .build();
  }

  static KeyValue attr(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  static KeyValue intAttr(String key, long value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setIntValue(value))
        .build();
  }

  // ---- talking to the server

  Answer post(ExportTraceServiceRequest request) throws Exception {
    return post("application/x-protobuf", request.toByteArray());
  }

  Answer post(String contentType, byte[] body) throws Exception {
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(URI.create(server.otlpHttpUrl() + "/v1/traces"))
                .header("Content-Type", contentType)
                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      return new Answer(r.statusCode(), 0, new String(r.body(), StandardCharsets.UTF_8));
    }
    if (contentType.contains("json")) {
      DocumentContext doc = JsonPath.parse(new String(r.body(), StandardCharsets.UTF_8));
      String text = doc.jsonString();
      long rejected =
          text.contains("rejectedSpans")
              ? Long.parseLong(doc.read("$.partialSuccess.rejectedSpans", String.class))
              : 0;
      String message =
          text.contains("errorMessage")
              ? doc.read("$.partialSuccess.errorMessage", String.class)
              : "";
      return new Answer(200, rejected, message);
    }
    ExportTraceServiceResponse response = ExportTraceServiceResponse.parseFrom(r.body());
    return new Answer(
        200,
        response.getPartialSuccess().getRejectedSpans(),
        response.getPartialSuccess().getErrorMessage());
  }

  DocumentContext get(String baseUrl, String pathAndQuery) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s%s: %s", baseUrl, pathAndQuery, r.body()).isIn(200, 503);
    return JsonPath.parse(r.body());
  }

  DocumentContext slo(String tenant, String cls, Instant from, Instant to) throws Exception {
    return get(
        server.apiUrl(),
        "/api/v1/slo?class="
            + cls
            + "&tenant="
            + URLEncoder.encode(tenant, StandardCharsets.UTF_8)
            + "&from="
            + from.toEpochMilli()
            + "&to="
            + to.toEpochMilli());
  }

  /**
   * Waits until the API counts every request of the truth, then checks every tenant's and class's
   * SLIs against it, exactly: requests, TTFT values, retrievals and fallbacks, streams and
   * interruptions.
   */
  void assertExactSlis(Instant from, Instant to) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    for (Map.Entry<Key, Truth> e : truth.entrySet()) {
      while (true) {
        long requests =
            slo(e.getKey().tenant(), e.getKey().trafficClass(), from, to)
                .read("$.requests", Long.class);
        if (requests >= e.getValue().requests) {
          break;
        }
        assertThat(System.nanoTime())
            .as("%s: %d of %d requests counted", e.getKey(), requests, e.getValue().requests)
            .isLessThan(deadline);
        Thread.sleep(300);
      }
    }
    // Whatever completes late has had the time to, and must not count twice.
    Thread.sleep(2_000);
    for (Map.Entry<Key, Truth> e : truth.entrySet()) {
      DocumentContext d = slo(e.getKey().tenant(), e.getKey().trafficClass(), from, to);
      Truth t = e.getValue();
      String what = e.getKey().toString();
      assertThat(d.read("$.requests", Long.class)).as(what + " requests").isEqualTo(t.requests);
      assertThat(d.read("$.slis.ttft.count", Long.class)).as(what + " ttft").isEqualTo(t.ttft);
      assertThat(d.read("$.slis.retrievalFallback.retrievals", Long.class))
          .as(what + " retrievals")
          .isEqualTo(t.retrievals);
      assertThat(d.read("$.slis.retrievalFallback.fallbacks", Long.class))
          .as(what + " fallbacks")
          .isEqualTo(t.fallbacks);
      assertThat(d.read("$.slis.streamInterruption.streams", Long.class))
          .as(what + " streams")
          .isEqualTo(t.streams);
      assertThat(d.read("$.slis.streamInterruption.interrupted", Long.class))
          .as(what + " interrupted")
          .isEqualTo(t.interrupted);
    }
  }

  /** Input tokens per workflow of one tenant (every class), as the capacity API answers. */
  Map<String, Long> tokensByWorkflow(String tenant, Instant from, Instant to) throws Exception {
    DocumentContext d =
        get(
            server.apiUrl(),
            "/api/v1/capacity/tokens?tenant="
                + URLEncoder.encode(tenant, StandardCharsets.UTF_8)
                + "&from="
                + from.toEpochMilli()
                + "&to="
                + to.toEpochMilli());
    List<Map<String, Object>> series = d.read("$.series");
    Map<String, Long> out = new HashMap<>();
    for (Map<String, Object> s : series) {
      out.merge((String) s.get("workflow"), ((Number) s.get("inputTokens")).longValue(), Long::sum);
    }
    return out;
  }

  /** The API's health and the aggregator's are UP, the aggregator's loops included. */
  void assertHealthUp() throws Exception {
    DocumentContext api = get(server.apiUrl(), "/actuator/health");
    assertThat(api.read("$.status", String.class)).isEqualTo("UP");
    DocumentContext agg = get(server.aggregatorUrl(), "/actuator/health");
    assertThat(agg.read("$.status", String.class)).isEqualTo("UP");
  }

  /** A counter of the ingest ({@code tierscope.ingest.*}) summed over the given tags. */
  double ingestCount(String name, String... tags) throws Exception {
    return meter(server.otlpHttpUrl(), name, tags);
  }

  /** A counter of the aggregator ({@code tierscope.aggregator.*}) summed over the given tags. */
  double aggregatorCount(String name, String... tags) throws Exception {
    return meter(server.aggregatorUrl(), name, tags);
  }

  private double meter(String base, String name, String... tags) throws Exception {
    StringBuilder q = new StringBuilder("/actuator/metrics/").append(name);
    for (int i = 0; i < tags.length; i++) {
      q.append(i == 0 ? "?" : "&")
          .append("tag=")
          .append(URLEncoder.encode(tags[i], StandardCharsets.UTF_8));
    }
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(base + q)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 404) {
      return 0;
    }
    List<Double> values = JsonPath.parse(r.body()).read("$.measurements[*].value");
    return values.isEmpty() ? 0 : values.get(0);
  }

  /** Produces a record as another producer would, with its own Kafka timestamp. */
  void produce(byte[] key, byte[] value, long timestampMillis) throws Exception {
    producer
        .send(new ProducerRecord<>(topic, null, timestampMillis, key, value))
        .get(30, TimeUnit.SECONDS);
  }

  /** The error headers of the dead letters, waiting for at least {@code expected}. */
  List<String> deadLetters(int expected) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, server.kafkaBootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, TestInfra.uniqueName("dlq"));
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> errors = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(deadLetterTopic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (errors.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          errors.add(
              new String(
                  r.headers().lastHeader(DeadLetters.ERROR_HEADER).value(),
                  StandardCharsets.UTF_8));
        }
      }
    }
    return errors;
  }

  @Override
  public void close() {
    producer.close();
    server.close();
  }
}
