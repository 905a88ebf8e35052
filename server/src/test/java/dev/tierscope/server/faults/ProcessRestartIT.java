package dev.tierscope.server.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The packaged all-in-one server as a user runs it, on its own data directory with its embedded
 * broker and PostgreSQL, stopped and started again on the same directory:
 *
 * <ul>
 *   <li>SIGTERM with requests in flight: every request that was being received is answered 200, the
 *       aggregator commits a final checkpoint before PostgreSQL stops, and after a restart the
 *       per-class counts equal what was acknowledged, exactly.
 *   <li>SIGKILL mid-stream, with traffic sent by the OpenTelemetry SDK's OTLP/HTTP span exporter
 *       ({@link OtlpHttpSpanExporter}) and its own retries, to a fixed endpoint the restarted
 *       server listens on again: after the restart, per-class counts equal the ground truth exactly
 *       (retried spans are not counted twice) and TTFT percentiles are within 1%. The ground truth
 *       is what the exporter reported as exported ({@link CompletableResultCode#isSuccess()}). The
 *       exporter's default retry policy gives up during the restart (see {@link
 *       #COVERS_A_RESTART}); the test configures the policy a deployment exporting to a single
 *       all-in-one server needs, and asserts that no batch was given up.
 * </ul>
 */
class ProcessRestartIT {

  /**
   * Retries that outlast a restart of the server. The exporter's default policy (5 attempts, first
   * back-off 1 s growing by 1.5 up to 5 s, all within its 10 s export timeout) gives up after about
   * 8 s of waiting, while a SIGKILLed all-in-one server took 45 to 82 s on the loaded shared
   * machine to listen on its port again (JVM, embedded broker and PostgreSQL, Spring; printed by
   * the test): it would drop the batch in flight and those sent meanwhile. Five attempts (the most
   * the SDK allows) 10, 25, 62.5 and 120 s apart (each ±20% jitter), within a 300 s export timeout,
   * wait 174 to 260 s in all. Any I/O error is retried, not only the SDK's default refused
   * connection, timeout and unknown host: a request cut by the SIGKILL can fail with a reset
   * connection or an unexpected end of stream, and retrying it is safe because the server does not
   * count a span twice.
   */
  static final RetryPolicy COVERS_A_RESTART =
      RetryPolicy.builder()
          .setMaxAttempts(5)
          .setInitialBackoff(Duration.ofSeconds(10))
          .setBackoffMultiplier(2.5)
          .setMaxBackoff(Duration.ofSeconds(120))
          .setRetryExceptionPredicate(e -> true)
          .build();

  private Path home;
  private int kafkaPort;
  private Traffic traffic;
  private ServerProcess server;
  private final Instant from = Instant.now().minusSeconds(3600);
  private final Instant to = Instant.now().plusSeconds(3600);

  @BeforeEach
  void setUp() throws Exception {
    Path base = Path.of(System.getenv().getOrDefault("TIERSCOPE_TEST_TMP", "target/it-tmp"));
    Files.createDirectories(base);
    home = Files.createTempDirectory(base.toAbsolutePath(), "restart-home-");
    kafkaPort = ServerProcess.freeKafkaPort();
    traffic =
        new Traffic(17, TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis()) - 120_000_000L);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (server != null) {
      server.close();
    }
    ServerProcess.stopLeftovers();
  }

  private ServerProcess start(String name) throws Exception {
    return start(name, 0);
  }

  private ServerProcess start(String name, int otlpPort) throws Exception {
    return ServerProcess.start(
        name,
        home,
        kafkaPort,
        otlpPort,
        Map.of(
            "tierscope.ingest.grpc-port", "0",
            "tierscope.aggregator.grace", "2s",
            "tierscope.aggregator.idle-advance-after", "500ms"));
  }

  @Test
  void sigtermAnswersRequestsInFlightAndCommitsAFinalCheckpointBeforePostgresStops()
      throws Exception {
    server = start("sigterm-first");
    for (int i = 0; i < 30; i++) {
      assertThat(post(server.otlpUrl(), traffic.request(20))).isEqualTo(200);
    }
    awaitCounted(traffic.total());

    // Requests whose headers and first half of the body are in when SIGTERM arrives.
    List<HalfSent> inFlight = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      inFlight.add(HalfSent.open(server.otlpUrl(), traffic.request(20)));
    }
    Thread.sleep(500);
    server.terminate();
    Thread.sleep(1_500);
    for (HalfSent h : inFlight) {
      assertThat(h.finish()).as("a request in flight at SIGTERM is answered").isEqualTo(200);
    }
    assertThat(server.waitFor(90)).as("the server stops after SIGTERM").isTrue();
    String out = server.output();
    assertThat(out).contains("final checkpoint committed");
    assertThat(out).doesNotContain("final checkpoint failed");
    assertThat(out).doesNotContain("Connection is closed");

    server = start("sigterm-second");
    long restarted = System.nanoTime();
    awaitHealthy(server);
    System.out.printf(
        "restarted server healthy (aggregator owns its partitions, caught up) %d ms after its banner%n",
        (System.nanoTime() - restarted) / 1_000_000);
    long probeSent = System.nanoTime();
    assertThat(post(server.otlpUrl(), traffic.request(3))).isEqualTo(200);
    awaitCounted(traffic.total());
    System.out.printf(
        "a request sent once healthy was counted after %d ms%n",
        (System.nanoTime() - probeSent) / 1_000_000);
    assertExact();
  }

  @Test
  void sigkillMidStreamAndRestartOnTheSameDirectoryEndsExact() throws Exception {
    // The exporter's endpoint is fixed, as in a deployment: both servers listen on this port.
    int otlpPort = ServerProcess.freePort();
    server = start("sigkill-first", otlpPort);
    RetryLog retryLog = RetryLog.attach();
    OtlpHttpSpanExporter exporter =
        OtlpHttpSpanExporter.builder()
            .setEndpoint("http://127.0.0.1:" + otlpPort + "/v1/traces")
            .setTimeout(Duration.ofSeconds(300))
            .setRetryPolicy(COVERS_A_RESTART)
            .build();
    AtomicBoolean sending = new AtomicBoolean(true);
    AtomicInteger failedExports = new AtomicInteger();
    Thread sender =
        new Thread(
            () -> {
              while (sending.get()) {
                Traffic.Batch batch = traffic.batch(10);
                CompletableResultCode result = exporter.export(batch.spans());
                result.join(360, TimeUnit.SECONDS);
                if (result.isSuccess()) {
                  traffic.acknowledged(batch);
                } else {
                  failedExports.incrementAndGet();
                }
                sleep(20);
              }
            },
            "otlp-exporter");
    try {
      sender.start();
      awaitCounted(600);
      server.kill();
      long killed = System.nanoTime();
      System.out.printf("SIGKILL after %d traces exported%n", traffic.total());
      server = start("sigkill-second", otlpPort);
      System.out.printf(
          "the restarted server printed its banner %d ms after the SIGKILL%n",
          (System.nanoTime() - killed) / 1_000_000);
      Thread.sleep(5_000);
      sending.set(false);
      sender.join(420_000);
      assertThat(sender.isAlive()).isFalse();
    } finally {
      exporter.shutdown().join(10, TimeUnit.SECONDS);
      retryLog.detach();
    }
    System.out.printf(
        "%d traces exported, %d exports failed, %d retried attempts logged by the exporter%n",
        traffic.total(), failedExports.get(), retryLog.retried());
    assertThat(failedExports.get())
        .as("the exporter's retry policy covers the restart: no batch given up")
        .isZero();
    assertThat(retryLog.retried()).as("the exporter retried across the crash").isPositive();
    awaitCounted(traffic.total());
    assertExact();
  }

  /**
   * Counts the attempts the exporter's OkHttp sender logs as failed and to be retried (it logs each
   * at FINER: "Attempt N failed with retryable exception" or "returned retryable response").
   */
  private static final class RetryLog extends Handler {

    private static final String LOGGER = "io.opentelemetry.exporter.sender.okhttp.internal";
    private final Logger logger = Logger.getLogger(LOGGER);
    private final Level before = logger.getLevel();
    private final AtomicInteger retried = new AtomicInteger();

    static RetryLog attach() {
      RetryLog log = new RetryLog();
      log.setLevel(Level.ALL);
      log.logger.setLevel(Level.FINER);
      log.logger.addHandler(log);
      return log;
    }

    void detach() {
      logger.removeHandler(this);
      logger.setLevel(before);
    }

    int retried() {
      return retried.get();
    }

    @Override
    public void publish(LogRecord record) {
      String m = record.getMessage();
      if (m != null && m.startsWith("Attempt ") && m.contains(" retryable")) {
        retried.incrementAndGet();
      }
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }

  private void assertExact() throws Exception {
    Thread.sleep(3_000); // a double count would show up now
    for (String c : Traffic.CLASSES) {
      List<Long> truth = traffic.ttftMicrosByClass.get(c);
      DocumentContext slo = slo(server, c);
      assertThat(slo.read("$.requests", Long.class)).as("%s requests", c).isEqualTo(truth.size());
      for (double q : new double[] {50, 95, 99}) {
        double exactMs = nearestRank(truth, q) / 1000.0;
        double actual = slo.read("$.slis.ttft.p" + (int) q + "Ms", Double.class);
        assertThat(actual)
            .as("%s ttft p%s", c, q)
            .isCloseTo(exactMs, within(exactMs * 0.01 + 0.001));
      }
    }
  }

  private static long nearestRank(List<Long> values, double percentile) {
    List<Long> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }

  private long counted() throws Exception {
    long n = 0;
    for (String c : Traffic.CLASSES) {
      n += slo(server, c).read("$.requests", Long.class);
    }
    return n;
  }

  private void awaitCounted(long n) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    long seen;
    while ((seen = counted()) < n) {
      assertThat(System.nanoTime())
          .as("%d of %d requests counted in time", seen, n)
          .isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  private void awaitHealthy(ServerProcess s) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (true) {
      HttpURLConnection c =
          (HttpURLConnection) URI.create(s.apiUrl() + "/actuator/health").toURL().openConnection();
      c.setConnectTimeout(5_000);
      c.setReadTimeout(10_000);
      int status = c.getResponseCode();
      c.disconnect();
      if (status == 200) {
        return;
      }
      assertThat(System.nanoTime()).as("server healthy in time").isLessThan(deadline);
      Thread.sleep(250);
    }
  }

  private DocumentContext slo(ServerProcess s, String cls) throws Exception {
    HttpURLConnection c =
        (HttpURLConnection)
            URI.create(
                    s.apiUrl()
                        + "/api/v1/slo?class="
                        + cls
                        + "&from="
                        + from.toEpochMilli()
                        + "&to="
                        + to.toEpochMilli())
                .toURL()
                .openConnection();
    c.setConnectTimeout(5_000);
    c.setReadTimeout(30_000);
    assertThat(c.getResponseCode()).isEqualTo(200);
    try (InputStream in = c.getInputStream()) {
      return JsonPath.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  /** POSTs an OTLP/HTTP protobuf body on a connection of its own; the status code. */
  static int post(String otlpUrl, byte[] body) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection) URI.create(otlpUrl + "/v1/traces").toURL().openConnection();
    c.setRequestMethod("POST");
    c.setDoOutput(true);
    c.setConnectTimeout(5_000);
    c.setReadTimeout(30_000);
    c.setRequestProperty("Content-Type", "application/x-protobuf");
    c.setRequestProperty("Connection", "close");
    c.setFixedLengthStreamingMode(body.length);
    try (OutputStream out = c.getOutputStream()) {
      out.write(body);
    }
    int status = c.getResponseCode();
    try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
      if (in != null) {
        in.readAllBytes();
      }
    }
    c.disconnect();
    return status;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A request whose headers and first half of the body have been sent. */
  private record HalfSent(Socket socket, byte[] body) {

    static HalfSent open(String otlpUrl, byte[] body) throws IOException {
      URI u = URI.create(otlpUrl);
      Socket s;
      try {
        s = new Socket(u.getHost(), u.getPort());
      } catch (ConnectException e) {
        throw new IllegalStateException("the server did not take the connection", e);
      }
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      String head =
          "POST /v1/traces HTTP/1.1\r\nHost: "
              + u.getHost()
              + ":"
              + u.getPort()
              + "\r\nContent-Type: application/x-protobuf\r\nContent-Length: "
              + body.length
              + "\r\nConnection: close\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.write(body, 0, body.length / 2);
      out.flush();
      return new HalfSent(s, body);
    }

    /** Sends the rest and reads the status code of the answer. */
    int finish() throws IOException {
      try (Socket s = socket) {
        OutputStream out = s.getOutputStream();
        out.write(body, body.length / 2, body.length - body.length / 2);
        out.flush();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        InputStream in = s.getInputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
          line.write(b);
        }
        String status = line.toString(StandardCharsets.US_ASCII).trim();
        assertThat(status).as("status line").startsWith("HTTP/1.1 ");
        return Integer.parseInt(status.split(" ")[1]);
      }
    }
  }
}
