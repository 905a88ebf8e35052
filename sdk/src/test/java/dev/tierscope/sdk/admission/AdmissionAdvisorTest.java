package dev.tierscope.sdk.admission;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.tierscope.sdk.Admission;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The advisor against a real HTTP server speaking server-sent events. */
class AdmissionAdvisorTest {

  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  private HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();

  /** Events the open stream sends (one string per event), or "CLOSE" to drop the connection. */
  private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

  private final AtomicInteger streams = new AtomicInteger();
  private final List<String> queries = new CopyOnWriteArrayList<>();
  private final List<String> authorizations = new CopyOnWriteArrayList<>();
  private volatile String snapshot = "{\"tenant\":\"acme\",\"signals\":[]}";

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(executor);
    server.createContext("/api/v1/control/stream", this::stream);
    server.createContext(
        "/api/v1/control",
        ex -> {
          queries.add(ex.getRequestURI().getQuery());
          authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
          byte[] body = snapshot.getBytes(StandardCharsets.UTF_8);
          ex.getResponseHeaders().add("Content-Type", "application/json");
          ex.sendResponseHeaders(200, body.length);
          ex.getResponseBody().write(body);
          ex.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    events.add("CLOSE");
    server.stop(0);
    executor.shutdownNow();
  }

  private void stream(HttpExchange ex) throws IOException {
    streams.incrementAndGet();
    queries.add(ex.getRequestURI().getQuery());
    authorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
    ex.getResponseHeaders().add("Content-Type", "text/event-stream");
    ex.sendResponseHeaders(200, 0);
    try (OutputStream out = ex.getResponseBody()) {
      while (true) {
        String e = events.poll(10, TimeUnit.SECONDS);
        if (e == null || e.equals("CLOSE")) {
          return;
        }
        out.write(e.getBytes(StandardCharsets.UTF_8));
        out.flush();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private String endpoint() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static String signal(String cls, String action, int level, Instant expires) {
    return "{\"tenant\":\"acme\",\"class\":\""
        + cls
        + "\",\"action\":\""
        + action
        + "\",\"degradationLevel\":"
        + level
        + ",\"since\":\"2026-12-01T09:59:30Z\",\"evaluatedAt\":\"2026-12-01T09:59:59Z\","
        + "\"expiresAt\":\""
        + expires
        + "\",\"reasons\":[\"because\"],\"evidence\":{\"rung\":2,\"trigger\":{\"class\":\"x\","
        + "\"burnRate\":3.5},\"own\":null}}";
  }

  private static String event(String json) {
    return "event: signal\ndata: " + json + "\n\n";
  }

  private static void await(java.util.function.BooleanSupplier ok) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!ok.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(ok.getAsBoolean()).isTrue();
  }

  @Test
  void followsTheStreamAndAdvisesFromTheCacheUntilASignalExpires() throws Exception {
    MutableClock clock = new MutableClock(NOW);
    List<String> changes = new ArrayList<>();
    events.add(event(signal("deferred_batch", "shed", 0, NOW.plusSeconds(60))));
    events.add(": keepalive\n\n");
    events.add(event(signal("standard_interactive", "degrade", 2, NOW.plusSeconds(60))));
    try (AdmissionAdvisor advisor =
        AdmissionAdvisor.builder()
            .endpoint(endpoint())
            .tenant("acme")
            .clock(clock)
            .listener(
                (a, b) -> changes.add(b.trafficClass() + " " + a.decision() + "->" + b.decision()))
            .build()) {
      assertThat(advisor.awaitSignals(Duration.ofSeconds(10))).isTrue();
      await(() -> advisor.signalsReceived() == 2);

      Advice batch = advisor.advise("deferred_batch");
      assertThat(batch.action()).isEqualTo(Advice.Action.SHED);
      assertThat(batch.admits()).isFalse();
      assertThat(batch.admission()).isEqualTo(Admission.SHED);
      assertThat(batch.reasons()).containsExactly("because");
      Advice standard = advisor.advise("standard_interactive");
      assertThat(standard.decision()).isEqualTo("degrade-2");
      assertThat(standard.admission()).isEqualTo(Admission.ADMITTED);
      assertThat(advisor.advise("interactive_premium").decision()).isEqualTo("admit");

      // A change arrives on the open stream.
      events.add(event(signal("deferred_batch", "defer", 0, NOW.plusSeconds(90))));
      await(() -> advisor.advise("deferred_batch").action() == Advice.Action.DEFER);
      assertThat(advisor.advise("deferred_batch").admission()).isEqualTo(Admission.DEFERRED);

      // Nothing newer: the signals expire and the advisor admits (fail open).
      clock.set(NOW.plusSeconds(60));
      assertThat(advisor.advise("standard_interactive").decision()).isEqualTo("admit");
      assertThat(advisor.advise("deferred_batch").decision()).isEqualTo("defer");
      clock.set(NOW.plusSeconds(90));
      assertThat(advisor.advise("deferred_batch").decision()).isEqualTo("admit");
      assertThat(changes)
          .containsExactly(
              "deferred_batch admit->shed",
              "standard_interactive admit->degrade-2",
              "deferred_batch shed->defer");
      assertThat(queries.get(0)).isEqualTo("tenant=acme");
    }
  }

  @Test
  void reconnectsWhenTheStreamDrops() throws Exception {
    try (AdmissionAdvisor advisor =
        AdmissionAdvisor.builder()
            .endpoint(endpoint())
            .tenant("acme")
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .maxBackoff(Duration.ofMillis(200))
            .build()) {
      events.add(event(signal("deferred_batch", "shed", 0, NOW.plusSeconds(60))));
      await(() -> advisor.signalsReceived() == 1);
      events.add("CLOSE");
      await(() -> streams.get() == 2);
      events.add(event(signal("deferred_batch", "admit", 0, NOW.plusSeconds(60))));
      await(
          () ->
              advisor.advise("deferred_batch").action() == Advice.Action.ADMIT
                  && advisor.signalsReceived() == 2);
      assertThat(advisor.connections()).isEqualTo(2);
    }
  }

  @Test
  void refreshReadsTheSnapshotAndOtherTenantsAreIgnored() throws Exception {
    snapshot =
        "{\"tenant\":\"acme\",\"signals\":["
            + signal("deferred_batch", "defer", 0, NOW.plusSeconds(60))
            + ","
            + signal("interactive_premium", "admit", 0, NOW.plusSeconds(60))
                .replace("acme", "other")
            + "]}";
    try (AdmissionAdvisor advisor =
        AdmissionAdvisor.builder()
            .endpoint(endpoint() + "/")
            .tenant("acme")
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .build()) {
      advisor.refresh();
      assertThat(advisor.advise("deferred_batch").decision()).isEqualTo("defer");
      assertThat(advisor.signalsReceived()).isEqualTo(1);
    }
  }

  @Test
  void aBearerTokenGoesWithTheStreamAndTheSnapshot() throws Exception {
    try (AdmissionAdvisor advisor =
        AdmissionAdvisor.builder()
            .endpoint(endpoint())
            .tenant("acme")
            .bearerToken("tsk_acme_gateway")
            .clock(Clock.fixed(NOW, ZoneOffset.UTC))
            .build()) {
      events.add(event(signal("deferred_batch", "shed", 0, NOW.plusSeconds(60))));
      assertThat(advisor.awaitSignals(Duration.ofSeconds(10))).isTrue();
      advisor.refresh();
      assertThat(authorizations)
          .containsExactly("Bearer tsk_acme_gateway", "Bearer tsk_acme_gateway");
    }
    authorizations.clear();
    try (AdmissionAdvisor advisor =
        AdmissionAdvisor.builder().endpoint(endpoint()).tenant("acme").build()) {
      advisor.refresh();
      assertThat(authorizations).isNotEmpty().containsOnly("null"); // the stream's and refresh's
    }
  }

  @Test
  void withoutTierscopeEveryClassIsAdmitted() throws Exception {
    int port = server.getAddress().getPort();
    server.stop(0);
    try (AdmissionAdvisor advisor =
        AdmissionAdvisor.builder()
            .endpoint("http://127.0.0.1:" + port)
            .maxBackoff(Duration.ofMillis(100))
            .build()) {
      assertThat(advisor.awaitSignals(Duration.ofMillis(300))).isFalse();
      assertThat(advisor.advise("deferred_batch").decision()).isEqualTo("admit");
      assertThat(advisor.advise("deferred_batch").admission()).isEqualTo(Admission.ADMITTED);
    }
  }

  private static final class MutableClock extends Clock {
    private volatile Instant now;

    MutableClock(Instant now) {
      this.now = now;
    }

    void set(Instant t) {
      now = t;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }
}
