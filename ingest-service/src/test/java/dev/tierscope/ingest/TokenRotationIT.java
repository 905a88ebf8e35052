package dev.tierscope.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tierscope.auth.Scope;
import dev.tierscope.testsupport.TestInfra;
import dev.tierscope.testsupport.TestTokens;
import dev.tierscope.wire.v1.SpanEvent;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * A token rotated while spans flow loses nothing: two clients (OTLP/HTTP and OTLP/gRPC) export
 * without pause while the token file gains the new token, the clients switch to it, and the file
 * loses the old one, each change written in place (truncated, then written) as an editor or a
 * config tool would. Every export must be answered 200 / OK, and every span must be in Kafka once,
 * under the token's tenant.
 */
class TokenRotationIT {

  @Test
  void aTokenRotatedWhileSpansFlowLosesNothing() throws Exception {
    TestTokens tokens =
        new TestTokens()
            .add("checkout-2026a", "acme", Scope.INGEST)
            .add("checkout-2026b", "acme", Scope.INGEST);
    Path dir = Files.createTempDirectory("rotation");
    Path file = dir.resolve("tokens");
    // the file starts with the old token only
    Files.writeString(file, lineOf(tokens, "checkout-2026a"));

    String name = TestInfra.uniqueName("rotation_spans");
    TestInfra.createTopic(name, 2);
    try (RunningIngest ingest =
            RunningIngest.start(
                TestInfra.bootstrapServers(),
                name,
                Map.of(
                    "tierscope.auth.mode", "token",
                    "tierscope.auth.token-file", file.toString(),
                    "tierscope.auth.reload-interval", "100ms"));
        SpanTopic topic = new SpanTopic(ingest.bootstrapServers(), name)) {
      String url = ingest.tracesUrl();
      ManagedChannel channel =
          Grpc.newChannelBuilderForAddress(
                  "127.0.0.1", ingest.grpcPort(), InsecureChannelCredentials.create())
              .build();
      AtomicReference<String> current = new AtomicReference<>(tokens.bearer("checkout-2026a"));
      AtomicBoolean running = new AtomicBoolean(true);
      AtomicInteger exports = new AtomicInteger();
      ConcurrentLinkedQueue<ByteString> sent = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();

      Thread http =
          sender(
              "http",
              running,
              () -> {
                ExportTraceServiceRequest request = TestSpans.validTrace(1);
                String token = current.get();
                HttpResponse<byte[]> r =
                    OtlpClients.post(
                        url,
                        "",
                        Map.of("Authorization", token),
                        Http.PROTOBUF,
                        request.toByteArray());
                if (r.statusCode() == 200) {
                  sent.add(TestSpans.traceIdOf(request));
                } else {
                  failures.add("http " + r.statusCode() + " with " + tokenName(tokens, token));
                }
                exports.incrementAndGet();
              });
      Thread grpc =
          sender(
              "grpc",
              running,
              () -> {
                ExportTraceServiceRequest request = TestSpans.validTrace(1);
                String token = current.get();
                try {
                  OtlpClients.grpc(channel, request, Map.of("authorization", token));
                  sent.add(TestSpans.traceIdOf(request));
                } catch (RuntimeException e) {
                  failures.add("grpc " + e.getMessage() + " with " + tokenName(tokens, token));
                }
                exports.incrementAndGet();
              });
      http.start();
      grpc.start();

      awaitMore(exports, 40);
      // 1. the new token joins the file; the clients keep the old one until it works
      Files.writeString(file, lineOf(tokens, "checkout-2026a") + lineOf(tokens, "checkout-2026b"));
      await(() -> accepts(url, tokens.bearer("checkout-2026b")), "the new token to work");
      awaitMore(exports, 40);
      // 2. the clients switch
      current.set(tokens.bearer("checkout-2026b"));
      awaitMore(exports, 40);
      // 3. the old token leaves the file
      Files.writeString(file, lineOf(tokens, "checkout-2026b"));
      await(() -> !accepts(url, tokens.bearer("checkout-2026a")), "the old token to be revoked");
      awaitMore(exports, 40);

      running.set(false);
      http.join(60_000);
      grpc.join(60_000);
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

      assertThat(failures).as("exports refused during the rotation").isEmpty();
      assertThat(exports.get()).isGreaterThanOrEqualTo(160);
      Set<ByteString> expected = new HashSet<>(sent);
      assertThat(expected).hasSize(sent.size());
      List<SpanEvent> stored =
          topic.await(
              e -> expected.contains(e.getTraceId()),
              expected.size(),
              Duration.ofSeconds(60),
              Duration.ofMillis(500));
      assertThat(stored).hasSize(expected.size());
      assertThat(stored.stream().map(SpanEvent::getTraceId).distinct()).hasSize(expected.size());
      assertThat(stored).extracting(SpanEvent::getTenant).containsOnly("acme");
    }
  }

  /**
   * Whether one probe export with this token is answered 200 (the probe's spans are not counted).
   */
  static boolean accepts(String url, String bearer) {
    try {
      return OtlpClients.post(
                  url,
                  "",
                  Map.of("Authorization", bearer),
                  Http.PROTOBUF,
                  ExportTraceServiceRequest.getDefaultInstance().toByteArray())
              .statusCode()
          == 200;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String lineOf(TestTokens tokens, String name) {
    return tokens.text().lines().filter(l -> l.startsWith(name + " ")).findFirst().orElseThrow()
        + "\n";
  }

  static String tokenName(TestTokens tokens, String bearer) {
    for (String n : List.of("checkout-2026a", "checkout-2026b")) {
      if (tokens.bearer(n).equals(bearer)) {
        return n;
      }
    }
    return "?";
  }

  interface Export {
    void run() throws Exception;
  }

  static Thread sender(String name, AtomicBoolean running, Export export) {
    Thread t =
        new Thread(
            () -> {
              while (running.get()) {
                try {
                  export.run();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }
            },
            "rotation-" + name);
    t.setDaemon(true);
    return t;
  }

  static void awaitMore(AtomicInteger exports, int more) throws InterruptedException {
    int target = exports.get() + more;
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (exports.get() < target && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(exports.get()).as("exports made").isGreaterThanOrEqualTo(target);
  }

  static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
