package dev.tierscope.ingest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.RetryInfo;
import dev.tierscope.embedded.KafkaBroker;
import dev.tierscope.testsupport.TestInfra;
import dev.tierscope.wire.v1.SpanEvent;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The broker goes away in the middle of a run and comes back. Clients that behave as the OTLP
 * specification asks (retry 429/503 after {@code Retry-After}, gRPC UNAVAILABLE after its {@code
 * RetryInfo}) must lose nothing: afterwards every span they sent is on the topic.
 *
 * <p>Uses a broker of its own (stop/start keeps its port and data), not the shared one. A span
 * whose first attempt timed out may also have been written by the producer after the broker came
 * back, so the topic can hold duplicates of retried batches; they are counted and printed, never of
 * a batch that was acknowledged at the first attempt (the aggregator removes duplicates by span
 * id).
 */
class KafkaOutageIT {

  static final int BATCHES_PER_CLIENT = 40;

  /** Batches each client sends before it waits for the broker to be stopped. */
  static final int BATCHES_BEFORE_OUTAGE = 10;

  static final int SPANS_PER_BATCH = 50;
  static final long ACK_TIMEOUT_MS = 1500;

  /** Generous: ack-timeout + max.block.ms + scheduling on a busy 2-core machine. */
  static final Duration LONGEST_ANSWER = Duration.ofSeconds(15);

  @Test
  void clientsThatRetryLoseNothingWhenTheBrokerIsStoppedMidRun() throws Exception {
    try (KafkaBroker broker = KafkaBroker.builder().dataDir(dataDir()).build()) {
      broker.start();
      String topic = TestInfra.uniqueName("outage_spans");
      try (RunningIngest ingest =
              RunningIngest.start(
                  broker.bootstrapServers(),
                  topic,
                  Map.of(
                      "tierscope.spans.partitions", "2",
                      "tierscope.ingest.ack-timeout", ACK_TIMEOUT_MS + "ms",
                      "tierscope.ingest.retry-after", "1s",
                      // small, so that stuck batches soon fill it and 429 is answered too
                      "tierscope.ingest.max-in-flight", "16KB"));
          SpanTopic spans = new SpanTopic(broker.bootstrapServers(), topic)) {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        CountDownLatch outageStarted = new CountDownLatch(1);
        RetryingClient protobuf = new RetryingClient("protobuf", ingest, false, outageStarted);
        RetryingClient json = new RetryingClient("json", ingest, true, outageStarted);
        try {
          Future<?> p = pool.submit(protobuf);
          Future<?> j = pool.submit(json);
          awaitTrue(
              () ->
                  protobuf.acknowledged.get() >= BATCHES_BEFORE_OUTAGE
                      && json.acknowledged.get() >= BATCHES_BEFORE_OUTAGE,
              Duration.ofSeconds(60),
              "both clients have batches acknowledged before the outage");

          broker.stop();
          outageStarted.countDown();
          awaitTrue(
              () -> protobuf.retryLater.get() >= 2 && json.retryLater.get() >= 2,
              Duration.ofSeconds(60),
              "both clients were told to retry later while the broker is down");
          GrpcDuringOutage grpc = grpcExportDuringOutage(ingest);
          broker.start();

          p.get(180, TimeUnit.SECONDS);
          j.get(180, TimeUnit.SECONDS);
          grpc.retryUntilAccepted();

          assertThat(grpc.firstAttempt.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
          assertThat(grpc.firstAttempt.getDescription()).endsWith("retry later");
          assertThat(grpc.retryDelay).isEqualTo(Duration.ofSeconds(1));

          List<RetryingClient> clients = List.of(protobuf, json);
          for (RetryingClient c : clients) {
            assertThat(c.failures).as("%s client: unexpected answers", c.name).isEmpty();
            assertThat(c.statuses.keySet())
                .as("%s client: statuses seen", c.name)
                .containsAnyOf(503, 429)
                .allMatch(s -> s == 200 || s == 503 || s == 429);
            assertThat(c.retryLaterWithoutRetryAfter.get()).isZero();
            assertThat(Duration.ofNanos(c.longestAnswerNanos.get())).isLessThan(LONGEST_ANSWER);
          }

          Set<String> sent = new HashSet<>(grpc.spanIds);
          Set<String> retried = new HashSet<>(grpc.spanIds);
          for (RetryingClient c : clients) {
            sent.addAll(c.sentSpanIds);
            retried.addAll(c.retriedSpanIds);
          }
          int expected = 2 * BATCHES_PER_CLIENT * SPANS_PER_BATCH + grpc.spanIds.size();
          assertThat(sent).hasSize(expected);

          List<SpanEvent> all = awaitDistinctSpans(spans, expected, Duration.ofSeconds(90));
          Map<String, Integer> copies = new HashMap<>();
          for (SpanEvent e : all) {
            copies.merge(OtlpHttpIT.hex(e.getSpanId()), 1, Integer::sum);
          }
          assertThat(copies.keySet()).as("every span sent is on the topic").isEqualTo(sent);
          List<String> duplicated =
              copies.entrySet().stream()
                  .filter(x -> x.getValue() > 1)
                  .map(Map.Entry::getKey)
                  .toList();
          assertThat(retried)
              .as("only spans of batches that were retried may be duplicated")
              .containsAll(duplicated);
          System.out.printf(
              "KafkaOutageIT: %d spans sent, %d records on the topic, %d distinct, %d spans"
                  + " duplicated (all from retried batches); statuses protobuf=%s json=%s,"
                  + " longest answer %d ms%n",
              expected,
              all.size(),
              copies.size(),
              duplicated.size(),
              protobuf.statuses,
              json.statuses,
              TimeUnit.NANOSECONDS.toMillis(
                  Math.max(protobuf.longestAnswerNanos.get(), json.longestAnswerNanos.get())));

          assertThat(ingest.count("tierscope.ingest.spans.throttled")).isPositive();
          assertThat(ingest.meters().get("tierscope.ingest.kafka.in_flight").gauge().value())
              .as("every byte handed to the producer was released")
              .isZero();
          assertThat(ingest.count("tierscope.ingest.spans.accepted", "protocol", "http/protobuf"))
              .isGreaterThanOrEqualTo(BATCHES_PER_CLIENT * SPANS_PER_BATCH);
        } finally {
          pool.shutdownNow();
        }
      }
    }
  }

  /** Sends its batches one after the other and retries each until it is answered 200. */
  static final class RetryingClient implements Runnable {
    final String name;
    final RunningIngest ingest;
    final boolean json;
    final AtomicInteger acknowledged = new AtomicInteger();
    final AtomicInteger retryLater = new AtomicInteger();
    final AtomicInteger retryLaterWithoutRetryAfter = new AtomicInteger();
    final AtomicLong longestAnswerNanos = new AtomicLong();
    final Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
    final List<String> failures = new ArrayList<>();
    final List<String> sentSpanIds = new ArrayList<>();
    final List<String> retriedSpanIds = new ArrayList<>();

    final CountDownLatch outageStarted;

    RetryingClient(String name, RunningIngest ingest, boolean json, CountDownLatch outageStarted) {
      this.name = name;
      this.ingest = ingest;
      this.json = json;
      this.outageStarted = outageStarted;
    }

    @Override
    public void run() {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(170);
      for (int b = 0; b < BATCHES_PER_CLIENT; b++) {
        if (b == BATCHES_BEFORE_OUTAGE) {
          // The rest is sent while the broker is down (and after it is back).
          try {
            outageStarted.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            failures.add("interrupted");
            return;
          }
        }
        String trace = TestSpans.newTraceId();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < SPANS_PER_BATCH; i++) {
          ids.add(TestSpans.newSpanId());
        }
        byte[] body = json ? jsonBatch(trace, ids) : protobufBatch(trace, ids).toByteArray();
        boolean retried = false;
        while (true) {
          if (System.nanoTime() > deadline) {
            failures.add("gave up on batch " + b);
            return;
          }
          long started = System.nanoTime();
          HttpResponse<byte[]> r;
          try {
            r = Http.post(ingest.tracesUrl(), json ? Http.JSON : Http.PROTOBUF, null, body);
          } catch (RuntimeException e) {
            failures.add("batch " + b + ": " + e);
            return;
          }
          longestAnswerNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
          statuses.merge(r.statusCode(), 1, Integer::sum);
          if (r.statusCode() == 200) {
            acknowledged.incrementAndGet();
            sentSpanIds.addAll(ids);
            if (retried) {
              retriedSpanIds.addAll(ids);
            }
            break;
          }
          if (r.statusCode() != 503 && r.statusCode() != 429) {
            failures.add("batch " + b + ": " + r.statusCode() + " " + new String(r.body(), UTF_8));
            return;
          }
          retried = true;
          retryLater.incrementAndGet();
          long seconds = r.headers().firstValue("Retry-After").map(Long::parseLong).orElse(-1L);
          if (seconds < 0) {
            retryLaterWithoutRetryAfter.incrementAndGet();
            seconds = 1;
          }
          sleep(Duration.ofSeconds(seconds));
        }
      }
    }
  }

  /** One gRPC export attempted while the broker is down, then retried as a client would. */
  static final class GrpcDuringOutage {
    final ManagedChannel channel;
    final byte[] request;
    final List<String> spanIds;
    Status firstAttempt;
    Duration retryDelay;

    GrpcDuringOutage(ManagedChannel channel, byte[] request, List<String> spanIds) {
      this.channel = channel;
      this.request = request;
      this.spanIds = spanIds;
    }

    void retryUntilAccepted() throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
      try {
        while (true) {
          try {
            call();
            return;
          } catch (StatusRuntimeException e) {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(System.nanoTime()).as("gRPC export accepted in time").isLessThan(deadline);
            sleep(retryDelay);
          }
        }
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }

    void call() {
      ClientCalls.blockingUnaryCall(
          channel,
          OtlpGrpcIT.EXPORT,
          CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
          request);
    }
  }

  private static GrpcDuringOutage grpcExportDuringOutage(RunningIngest ingest) throws Exception {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", ingest.grpcPort(), InsecureChannelCredentials.create())
            .build();
    String trace = TestSpans.newTraceId();
    List<String> ids = List.of(TestSpans.newSpanId(), TestSpans.newSpanId());
    GrpcDuringOutage grpc =
        new GrpcDuringOutage(channel, protobufBatch(trace, ids).toByteArray(), ids);
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class, grpc::call);
    assertThat(e).as("gRPC export while the broker is down").isNotNull();
    grpc.firstAttempt = e.getStatus();
    com.google.rpc.Status details = StatusProto.fromThrowable(e);
    assertThat(details).isNotNull();
    RetryInfo retry = details.getDetails(0).unpack(RetryInfo.class);
    grpc.retryDelay =
        Duration.ofSeconds(retry.getRetryDelay().getSeconds(), retry.getRetryDelay().getNanos());
    return grpc;
  }

  static ExportTraceServiceRequest protobufBatch(String trace, List<String> spanIds) {
    Span.Builder[] spans = new Span.Builder[spanIds.size()];
    for (int i = 0; i < spans.length; i++) {
      spans[i] = TestSpans.span(trace, spanIds.get(i));
    }
    return TestSpans.request(spans);
  }

  static byte[] jsonBatch(String trace, List<String> spanIds) {
    StringBuilder b =
        new StringBuilder(
            "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\","
                + "\"value\":{\"stringValue\":\"outage-json\"}}]},\"scopeSpans\":[{\"spans\":[");
    for (int i = 0; i < spanIds.size(); i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"traceId\":\"")
          .append(trace)
          .append("\",\"spanId\":\"")
          .append(spanIds.get(i))
          .append("\",\"name\":\"step\",\"kind\":1,\"startTimeUnixNano\":\"")
          .append(TestSpans.START_NANOS)
          .append("\",\"endTimeUnixNano\":\"")
          .append(TestSpans.START_NANOS + 1_000_000_000L)
          .append("\"}");
    }
    return b.append("]}]}]}").toString().getBytes(UTF_8);
  }

  /** Reads the topic until it holds {@code expected} distinct span ids, then 2 s more. */
  private static List<SpanEvent> awaitDistinctSpans(
      SpanTopic spans, int expected, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<SpanEvent> all = spans.all(Duration.ofMillis(200));
      Set<String> distinct = new HashSet<>();
      all.forEach(e -> distinct.add(OtlpHttpIT.hex(e.getSpanId())));
      if (distinct.size() >= expected || System.nanoTime() > deadline) {
        return spans.all(Duration.ofSeconds(2));
      }
    }
  }

  private static Path dataDir() throws IOException {
    String base = System.getenv(TestInfra.ENV_TEST_TMP);
    Path dir =
        base == null || base.isBlank()
            ? Path.of(System.getProperty("java.io.tmpdir"))
            : Path.of(base);
    Files.createDirectories(dir);
    return Files.createTempDirectory(dir, "kafka-outage-");
  }

  private static void awaitTrue(
      java.util.function.BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting until %s", what).isLessThan(deadline);
      sleep(Duration.ofMillis(50));
    }
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
