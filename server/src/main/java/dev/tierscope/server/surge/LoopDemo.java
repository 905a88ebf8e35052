package dev.tierscope.server.surge;

import dev.tierscope.sdk.admission.AdmissionAdvisor;
import dev.tierscope.sdk.admission.Advice;
import dev.tierscope.server.TierscopeServer;
import dev.tierscope.simulator.AdmissionGate;
import dev.tierscope.simulator.Simulation;
import dev.tierscope.simulator.SimulationConfig;
import dev.tierscope.simulator.SurgeWindow;
import dev.tierscope.simulator.TierscopeSink;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The closed loop in {@code --demo}: in a tenant of its own ({@value #TENANT}), a gateway in front
 * of a capacity-limited model tier follows the server's admission signals (the SDK's {@link
 * AdmissionAdvisor} on the real stream) while the traffic surges, round after round: 3 minutes at
 * 20 requests/s, a surge of 3x for 2 minutes (20% premium, 40% standard, 40% batch), 1 minute
 * healthy. Every signal change is printed with its reason; after each surge, what premium got and
 * what batch gave up, read from the API.
 */
public final class LoopDemo implements AutoCloseable {

  /** The tenant of the closed-loop traffic. */
  public static final String TENANT = "demo-surge";

  static final Duration HEALTHY = Duration.ofMinutes(3);
  static final Duration SURGE = Duration.ofMinutes(2);
  static final Duration AFTER = Duration.ofMinutes(1);

  private static final DateTimeFormatter HMS =
      DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT).withZone(ZoneOffset.UTC);

  private final TierscopeServer server;
  private final PrintStream out;
  private final AdmissionAdvisor advisor;
  private final ScheduledExecutorService reports;
  private final Thread thread;
  private volatile Simulation current;
  private volatile boolean closed;

  private LoopDemo(TierscopeServer server, PrintStream out) {
    this.server = server;
    this.out = out;
    this.advisor =
        AdmissionAdvisor.builder()
            .endpoint(server.apiUrl())
            .tenant(TENANT)
            .listener(this::changed)
            .build();
    this.reports =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "tierscope-loop-demo-reports");
              t.setDaemon(true);
              return t;
            });
    this.thread = new Thread(this::rounds, "tierscope-loop-demo");
    this.thread.setDaemon(true);
  }

  /** Starts the rounds in the background, printing to {@code out}. */
  public static LoopDemo start(TierscopeServer server, PrintStream out) {
    LoopDemo demo = new LoopDemo(server, out);
    out.printf(
        Locale.ROOT,
        """
        Closed loop: tenant %s, a gateway before a model tier of %d slots (half used at 20 requests/s),
          following GET %s/api/v1/control/stream?tenant=%s. Every 6 minutes: 3 min healthy,
          a 3x surge for 2 min, 1 min healthy. Signal changes and a report per surge are printed as [loop].
        %n""",
        TENANT,
        SurgeProof.capacity(),
        server.apiUrl(),
        TENANT);
    demo.thread.start();
    return demo;
  }

  private void changed(Advice from, Advice to) {
    out.printf(
        Locale.ROOT,
        "[loop] %s %s %s: %s -> %s%s%n",
        HMS.format(Instant.now()),
        TENANT,
        to.trafficClass(),
        from.decision(),
        to.decision(),
        to.reasons().isEmpty() ? "" : " | " + to.reasons().get(0));
  }

  private void rounds() {
    for (long round = 1; !closed; round++) {
      Instant now = Instant.now();
      Instant start = now.truncatedTo(ChronoUnit.MINUTES);
      while (start.isBefore(now)) {
        start = start.plusSeconds(10);
      }
      try {
        TimeUnit.MILLISECONDS.sleep(Math.max(0, Duration.between(Instant.now(), start).toMillis()));
        SimulationConfig config =
            SimulationConfig.builder()
                .seed(round)
                .idSeed(0x100_0000L + round)
                .modelCapacity(SurgeProof.capacity())
                .surge(new SurgeWindow(HEALTHY, SURGE, 3, SurgeWindow.proofMix()))
                .duration(HEALTHY.plus(SURGE).plus(AFTER))
                .speed(1)
                .build();
        try (TierscopeSink spans =
            TierscopeSink.create(
                config.idSeed(), b -> b.endpoint(server.otlpHttpUrl()).tenant(TENANT))) {
          Simulation simulation =
              new Simulation(config, Clock.fixed(start, ZoneOffset.UTC), spans)
                  .gate(AdmissionGate.of(advisor));
          current = simulation;
          Instant surgeFrom = start.plus(HEALTHY);
          Instant surgeTo = surgeFrom.plus(SURGE);
          out.printf(
              Locale.ROOT,
              "[loop] round %d: surge from %s to %s%n",
              round,
              HMS.format(surgeFrom),
              HMS.format(surgeTo));
          reports.schedule(
              () -> report(surgeFrom, surgeTo),
              Duration.between(Instant.now(), surgeTo).toMillis() + 60_000,
              TimeUnit.MILLISECONDS);
          simulation.run();
          spans.flush(Duration.ofSeconds(10));
        }
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (!closed) {
          out.println("[loop] the closed-loop simulator stopped: " + e);
        }
        return;
      }
    }
  }

  private void report(Instant from, Instant to) {
    try {
      HttpClient http = HttpClient.newHttpClient();
      JsonMapper json = JsonMapper.builder().build();
      StringBuilder line = new StringBuilder();
      for (String cls : new String[] {"interactive_premium", "deferred_batch"}) {
        String url =
            server.apiUrl()
                + "/api/v1/slo?tenant="
                + TENANT
                + "&class="
                + cls
                + "&from="
                + from.toEpochMilli()
                + "&to="
                + to.toEpochMilli();
        JsonNode r =
            json.readTree(
                http.send(
                        HttpRequest.newBuilder(URI.create(url)).build(),
                        HttpResponse.BodyHandlers.ofString())
                    .body());
        JsonNode a = r.path("admission");
        line.append(
            String.format(
                Locale.ROOT,
                " | %s %d requests, TTFT p95 %.0f ms (%s), shed %d, deferred %d, degraded %d",
                cls,
                r.path("requests").asLong(),
                r.path("slis").path("ttft").path("p95Ms").asDouble(),
                r.path("slis").path("ttft").path("met").asBoolean() ? "met" : "missed",
                a.path("shed").asLong(),
                a.path("deferred").asLong(),
                a.path("degraded").asLong()));
      }
      out.printf(Locale.ROOT, "[loop] surge %s-%s%s%n", HMS.format(from), HMS.format(to), line);
    } catch (Exception e) {
      out.println("[loop] report failed: " + e);
    }
  }

  @Override
  public void close() {
    closed = true;
    Simulation s = current;
    if (s != null) {
      s.stop();
    }
    reports.shutdownNow();
    thread.interrupt();
    try {
      thread.join(TimeUnit.SECONDS.toMillis(5));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    advisor.close();
  }
}
