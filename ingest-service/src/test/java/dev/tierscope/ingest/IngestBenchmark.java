package dev.tierscope.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.embedded.KafkaBroker;
import dev.tierscope.ingest.otlp.OtlpSpanNormalizer;
import dev.tierscope.wire.SpanBytesEncoder;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;

/**
 * OTLP/HTTP ingest throughput (protobuf and JSON) against Kafka's own {@code
 * kafka-producer-perf-test} with records of the same size on the same broker, in one run. Not a
 * test: the machine is shared and noisy, so only the ratios mean something.
 *
 * <pre>
 * mvn -B -q -pl ingest-service test-compile exec:exec \
 *   -Dexec.args="-Xmx2g -cp %classpath dev.tierscope.ingest.IngestBenchmark"
 * # options: --seconds 10 --rounds 2 --clients 4 --batches 100,500 --perf-records 1000000
 * #          --url http://host:4318/v1/traces --bootstrap host:9092   (use a running ingest + broker)
 * </pre>
 *
 * <p>By default it starts a real single-node broker (the {@code embedded} module) and the ingest
 * application in this JVM with its own configuration (acks=all, idempotence, lz4, linger 5 ms).
 * Several HTTP clients then post pre-built requests of realistic spans (8 per request: client,
 * gateway, model, two retrievals, two tool calls, a policy check) back to back; a span counts when
 * its request was answered 200, i.e. after Kafka acknowledged it. ProducerPerformance runs in a
 * child JVM with the ingest's producer settings and a record size equal to the mean serialized
 * {@code SpanEvent}, before and after the ingest runs; the ratio uses the mean of the two.
 */
public final class IngestBenchmark {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = options(args);
    int seconds = Integer.parseInt(opts.getOrDefault("seconds", "10"));
    int clients = Integer.parseInt(opts.getOrDefault("clients", "4"));
    int rounds = Integer.parseInt(opts.getOrDefault("rounds", "2"));
    long perfRecords = Long.parseLong(opts.getOrDefault("perf-records", "1000000"));
    List<Integer> batches = new ArrayList<>();
    for (String b : opts.getOrDefault("batches", "100,500").split(",")) {
      batches.add(Integer.parseInt(b.trim()));
    }

    KafkaBroker broker = null;
    RunningIngest ingest = null;
    String bootstrap = opts.get("bootstrap");
    String url = opts.get("url");
    try {
      if (bootstrap == null) {
        broker = KafkaBroker.builder().build();
        broker.start();
        bootstrap = broker.bootstrapServers();
      }
      if (url == null) {
        ingest = RunningIngest.start(bootstrap, "bench_ingest_spans", Map.of());
        url = ingest.tracesUrl();
      }
      System.out.printf(
          "ingest %s, broker %s, %d clients, %d s per run, %d cores, load average %s%n",
          url,
          bootstrap,
          clients,
          seconds,
          Runtime.getRuntime().availableProcessors(),
          loadAverage());

      int recordSize = meanSpanEventSize(request(new SplittableRandom(7), 500));
      String perfTopic = "bench_perf_" + System.nanoTime();
      createTopic(bootstrap, perfTopic, 6);
      System.out.printf(
          "%nkafka-producer-perf-test, %d records of %d bytes:%n", perfRecords, recordSize);
      double perfBefore = producerPerfTest(bootstrap, perfTopic, perfRecords, recordSize);

      // Rounds alternate the formats so that a burst of load from elsewhere on the machine does not
      // land on one format only; the best round of each (format, batch) counts.
      Map<String, Double> best = new java.util.LinkedHashMap<>();
      Map<String, List<byte[]>> bodies = new java.util.HashMap<>();
      for (int round = 1; round <= rounds; round++) {
        for (int batch : batches) {
          for (String format : List.of("protobuf", "json")) {
            List<byte[]> pool =
                bodies.computeIfAbsent(format + batch, k -> bodies(format, batch, 32));
            run(url, format, pool, batch, clients, Duration.ofSeconds(3)); // warm-up
            double rate = run(url, format, pool, batch, clients, Duration.ofSeconds(seconds));
            System.out.printf(
                "round %d  ingest OTLP/HTTP %-8s batches of %3d spans: %,10.0f spans/s  (load %s)%n",
                round, format, batch, rate, loadAverage());
            best.merge(format + " " + batch, rate, Math::max);
            best.merge(format, rate, Math::max);
          }
        }
      }

      System.out.printf("%nkafka-producer-perf-test again:%n");
      double perfAfter = producerPerfTest(bootstrap, perfTopic, perfRecords, recordSize);
      double perf = (perfBefore + perfAfter) / 2;
      double protobuf = best.get("protobuf");
      double json = best.get("json");
      System.out.printf(
          "%nproducer-perf-test %,.0f records/s (mean of %,.0f and %,.0f)%n"
              + "ingest protobuf     %,.0f spans/s = %.2fx producer-perf-test (target >= 0.3)%n"
              + "ingest JSON         %,.0f spans/s = %.2fx protobuf (target >= 0.5)%n",
          perf, perfBefore, perfAfter, protobuf, protobuf / perf, json, json / protobuf);
    } finally {
      if (ingest != null) {
        ingest.close();
      }
      if (broker != null) {
        broker.close();
      }
    }
    System.exit(0);
  }

  /** Posts the bodies round-robin from {@code clients} threads for {@code duration}; spans/s. */
  private static double run(
      String url, String format, List<byte[]> bodies, int batch, int clients, Duration duration)
      throws InterruptedException {
    String contentType = format.equals("json") ? Http.JSON : Http.PROTOBUF;
    AtomicLong spans = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    long end = System.nanoTime() + duration.toNanos();
    CountDownLatch done = new CountDownLatch(clients);
    long started = System.nanoTime();
    for (int c = 0; c < clients; c++) {
      int offset = c;
      Thread t =
          new Thread(
              () -> {
                try {
                  for (int i = offset; System.nanoTime() < end; i++) {
                    HttpRequest request =
                        HttpRequest.newBuilder(URI.create(url))
                            .header("Content-Type", contentType)
                            .POST(
                                HttpRequest.BodyPublishers.ofByteArray(
                                    bodies.get(i % bodies.size())))
                            .build();
                    HttpResponse<byte[]> r =
                        HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
                    if (r.statusCode() == 200) {
                      spans.addAndGet(batch);
                    } else {
                      refused.incrementAndGet();
                    }
                  }
                } catch (Exception e) {
                  e.printStackTrace();
                } finally {
                  done.countDown();
                }
              },
              "bench-client-" + c);
      t.start();
    }
    done.await();
    double secs = (System.nanoTime() - started) / 1e9;
    if (refused.get() > 0) {
      System.out.printf("  (%d requests not answered 200)%n", refused.get());
    }
    return spans.get() / secs;
  }

  /** Kafka's ProducerPerformance in a child JVM, the ingest's producer settings; records/s. */
  private static double producerPerfTest(
      String bootstrap, String topic, long records, int recordSize) throws Exception {
    List<String> cmd =
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g",
            "-cp",
            System.getProperty("java.class.path"),
            "org.apache.kafka.tools.ProducerPerformance",
            "--topic",
            topic,
            "--num-records",
            Long.toString(records),
            "--record-size",
            Integer.toString(recordSize),
            "--throughput",
            "-1",
            "--producer-props",
            "bootstrap.servers=" + bootstrap,
            "acks=all",
            "enable.idempotence=true",
            "linger.ms=5",
            "compression.type=lz4");
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String last = null;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8))) {
      for (String line = r.readLine(); line != null; line = r.readLine()) {
        if (line.contains("records/sec")) {
          last = line;
        }
      }
    }
    p.waitFor();
    if (last == null) {
      throw new IllegalStateException("ProducerPerformance printed no result");
    }
    System.out.println("  " + last + "  (load " + loadAverage() + ")");
    Matcher m = Pattern.compile("records sent, ([0-9.]+) records/sec").matcher(last);
    if (!m.find()) {
      throw new IllegalStateException("no records/sec in: " + last);
    }
    return Double.parseDouble(m.group(1));
  }

  private static void createTopic(String bootstrap, String topic, int partitions) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
  }

  private static int meanSpanEventSize(ExportTraceServiceRequest request) {
    List<dev.tierscope.core.span.Span> events =
        new OtlpSpanNormalizer(TrafficClasses.defaults()).normalize(request).accepted();
    long bytes = 0;
    for (dev.tierscope.core.span.Span e : events) {
      bytes += SpanBytesEncoder.SPAN_EVENT_V1.encode(e).length;
    }
    return (int) Math.round((double) bytes / events.size());
  }

  // ---- request bodies

  /** The 1-minute load average of the machine (others share it), or "?". */
  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    } catch (Exception e) {
      return "?";
    }
  }

  private static List<byte[]> bodies(String format, int spans, int count) {
    SplittableRandom random = new SplittableRandom(format.hashCode() * 31L + spans);
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ExportTraceServiceRequest request = request(random, spans);
      try {
        out.add(
            format.equals("json")
                ? hexIds(JsonFormat.printer().omittingInsignificantWhitespace().print(request))
                    .getBytes(UTF_8)
                : request.toByteArray());
      } catch (com.google.protobuf.InvalidProtocolBufferException e) {
        throw new IllegalStateException(e);
      }
    }
    return out;
  }

  private static final Pattern ID =
      Pattern.compile("\"(traceId|spanId|parentSpanId)\":\"([^\"]*)\"");

  /** Protobuf JSON prints ids as base64; OTLP/JSON wants hex. */
  private static String hexIds(String json) {
    Matcher m = ID.matcher(json);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(
          out,
          "\""
              + m.group(1)
              + "\":\""
              + HexFormat.of().formatHex(Base64.getDecoder().decode(m.group(2)))
              + "\"");
    }
    return m.appendTail(out).toString();
  }

  /** Requests of 8 spans each, as an instrumented AI service sends them. */
  static ExportTraceServiceRequest request(SplittableRandom r, int spans) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    // Within the last hour, as live traffic: the ingest rejects spans beyond its time bounds.
    long t0 = System.currentTimeMillis() * 1_000_000L - r.nextLong(3_600_000_000_000L);
    ByteString trace = null;
    ByteString root = null;
    for (int i = 0; i < spans; i++) {
      int role = i % 8;
      if (role == 0) {
        trace = id(r, 16);
        root = id(r, 8);
      }
      long start = t0 + role * 5_000_000L;
      Span.Builder s =
          Span.newBuilder()
              .setTraceId(trace)
              .setSpanId(role == 0 ? root : id(r, 8))
              .setParentSpanId(role == 0 ? ByteString.EMPTY : root)
              .setStartTimeUnixNano(start)
              .setEndTimeUnixNano(start + 50_000_000L + r.nextLong(900_000_000L));
      switch (role) {
        case 0 -> {
          s.setName("POST /v1/chat").setKind(Span.SpanKind.SPAN_KIND_CLIENT);
          s.addAttributes(str(SpanAttributes.CLASS, SpanAttributes.Classes.INTERACTIVE_PREMIUM));
          s.addAttributes(bool(SpanAttributes.GEN_AI_REQUEST_STREAM, true));
          s.addAttributes(str(SpanAttributes.CLIENT_PATH, "direct"));
          s.addAttributes(str(SpanAttributes.NETWORK_PROTOCOL_VERSION, "2"));
          s.addAttributes(str("http.request.method", "POST"));
          s.addEvents(
              Span.Event.newBuilder()
                  .setName(SpanAttributes.FIRST_TOKEN_EVENT)
                  .setTimeUnixNano(start + 300_000_000L));
        }
        case 1 -> {
          s.setName("chat gateway").setKind(Span.SpanKind.SPAN_KIND_SERVER);
          s.addAttributes(str(SpanAttributes.ROLE, SpanAttributes.Roles.GATEWAY));
          s.addAttributes(dbl(SpanAttributes.GEN_AI_TIME_TO_FIRST_CHUNK, 0.25));
          s.addAttributes(str("http.route", "/v1/chat"));
        }
        case 2 -> {
          s.setName("chat llama").setKind(Span.SpanKind.SPAN_KIND_CLIENT);
          s.addAttributes(str(SpanAttributes.GEN_AI_OPERATION_NAME, "chat"));
          s.addAttributes(str(SpanAttributes.GEN_AI_REQUEST_MODEL, "llama-3.1-70b"));
          s.addAttributes(integer(SpanAttributes.GEN_AI_USAGE_INPUT_TOKENS, 1200));
          s.addAttributes(integer(SpanAttributes.GEN_AI_USAGE_OUTPUT_TOKENS, 350));
          s.addAttributes(dbl(SpanAttributes.MODEL_QUEUE_MS, 12.5));
          s.addAttributes(dbl(SpanAttributes.GEN_AI_SERVER_TIME_TO_FIRST_TOKEN, 0.2));
        }
        case 3, 4 -> {
          s.setName("retrieval docs");
          s.addAttributes(str(SpanAttributes.GEN_AI_OPERATION_NAME, "retrieval"));
          s.addAttributes(bool(SpanAttributes.RETRIEVAL_HIT, r.nextInt(10) > 0));
        }
        case 5, 6 -> {
          s.setName("execute_tool web_search");
          s.addAttributes(str(SpanAttributes.GEN_AI_OPERATION_NAME, "execute_tool"));
          s.addAttributes(str(SpanAttributes.GEN_AI_TOOL_NAME, "web_search"));
          if (r.nextInt(20) == 0) {
            s.setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR));
          }
        }
        default -> {
          s.setName("policy check");
          s.addAttributes(str(SpanAttributes.ROLE, SpanAttributes.Roles.POLICY));
        }
      }
      scope.addSpans(s);
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .setResource(
                    Resource.newBuilder()
                        .addAttributes(str(SpanAttributes.SERVICE_NAME, "chat-service"))
                        .addAttributes(str(SpanAttributes.TENANT, "acme")))
                .addScopeSpans(scope))
        .build();
  }

  private static ByteString id(SplittableRandom r, int bytes) {
    ByteBuffer b = ByteBuffer.allocate(bytes);
    for (int i = 0; i < bytes / 8; i++) {
      b.putLong(r.nextLong() | 1);
    }
    return ByteString.copyFrom(b.array());
  }

  private static KeyValue str(String key, String value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setStringValue(value))
        .build();
  }

  private static KeyValue bool(String key, boolean value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setBoolValue(value))
        .build();
  }

  private static KeyValue dbl(String key, double value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setDoubleValue(value))
        .build();
  }

  private static KeyValue integer(String key, long value) {
    return KeyValue.newBuilder()
        .setKey(key)
        .setValue(AnyValue.newBuilder().setIntValue(value))
        .build();
  }

  private static Map<String, String> options(String[] args) {
    Map<String, String> m = new java.util.HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      if (!args[i].startsWith("--")) {
        throw new IllegalArgumentException("expected --option value, got " + args[i]);
      }
      m.put(args[i].substring(2), args[i + 1]);
    }
    return m;
  }

  private IngestBenchmark() {}
}
