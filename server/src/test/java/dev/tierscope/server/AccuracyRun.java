package dev.tierscope.server;

import dev.tierscope.sdk.TrafficClass;
import dev.tierscope.simulator.FaultKind;
import dev.tierscope.simulator.FaultSchedule;
import dev.tierscope.simulator.FaultWindow;
import dev.tierscope.simulator.RequestSink;
import dev.tierscope.simulator.Simulation;
import dev.tierscope.simulator.SimulationConfig;
import dev.tierscope.simulator.Tier;
import dev.tierscope.simulator.TierscopeSink;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One seeded accuracy run, end to end: the simulator (simulated time, as fast as the ingest takes
 * it) sends through the SDK to a running {@link TierscopeServer} a healthy phase, then each fault
 * in turn followed by a healthy phase; then the API's attribution of every faulted phase (against
 * the healthy phase before it) and of the second healthy phase (against the first) is read.
 *
 * <p>Runs go one after the other in simulated time ({@link #next}), so the aggregator's stream time
 * only moves forward. A short healthy run a few simulated minutes later pushes stream time past the
 * last requests' grace, so they complete without waiting for the wall clock.
 */
final class AccuracyRun {

  /** The class whose attribution is checked. */
  static final TrafficClass CLASS = TrafficClass.INTERACTIVE_PREMIUM;

  /** Left out at the start of each phase: requests of the previous phase still end in it. */
  static final Duration SETTLE = Duration.ofSeconds(10);

  /**
   * Aggregator settings for simulated time: the SDKs' three exporters may drift apart. {@code
   * -Daccuracy.early-completion=on|off} sets {@code tierscope.aggregator.early-completion.enabled}
   * (unset: the aggregator's default), to compare the late spans of the two (bench README,
   * "Freshness (issue 20 point 5)").
   */
  static Map<String, String> aggregatorProperties() {
    Map<String, String> p = new HashMap<>();
    p.put("tierscope.aggregator.idle-advance-after", "1s");
    p.put("tierscope.aggregator.grace", "5m");
    p.put("tierscope.aggregator.max-age", "20m");
    p.put("tierscope.aggregator.allowed-lateness", "20m");
    p.put("tierscope.rollup.delay", "30m");
    String early = System.getProperty("accuracy.early-completion", "");
    if (!early.isEmpty()) {
      p.put("tierscope.aggregator.early-completion.enabled", Boolean.toString(early.equals("on")));
    }
    return p;
  }

  /**
   * The aggregator's late and consumed spans so far ({@code tierscope.aggregator.spans.late},
   * {@code .consumed}), as one line.
   */
  static String lateSpans(TierscopeServer server) throws Exception {
    double late = aggregatorMeter(server, "tierscope.aggregator.spans.late");
    double consumed = aggregatorMeter(server, "tierscope.aggregator.spans.consumed");
    return String.format(
        Locale.ROOT,
        "late spans %,.0f of %,.0f consumed (%.3f%%), early completion %s",
        late,
        consumed,
        consumed == 0 ? 0.0 : 100 * late / consumed,
        System.getProperty("accuracy.early-completion", "default"));
  }

  private static double aggregatorMeter(TierscopeServer server, String name) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(server.aggregatorUrl() + "/actuator/metrics/" + name))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() == 404) {
      return 0; // never recorded
    }
    Matcher m = Pattern.compile("\"value\"\\s*:\\s*([0-9.Ee+-]+)").matcher(r.body());
    if (r.statusCode() != 200 || !m.find()) {
      throw new IllegalStateException(name + ": " + r.statusCode() + " " + r.body());
    }
    return Double.parseDouble(m.group(1));
  }

  /** A server on free ports, the shared test broker and a fresh schema. */
  static TierscopeServer startServer() throws Exception {
    return TestServers.start("accuracy", aggregatorProperties());
  }

  /** The verdict for one phase: what the API said and what the ground truth expects. */
  record Outcome(long seed, String scenario, String expected, ApiProbe.Attribution attribution) {
    boolean correct() {
      return expected.equals(attribution.verdict());
    }

    String line() {
      return String.format(
          Locale.ROOT,
          "seed %-4d %-24s expected %-5s got %-5s (confidence %.3f) p95 %6.0f vs %6.0f ms,"
              + " %4d req | %s | %s",
          seed,
          scenario,
          expected,
          attribution.verdict(),
          attribution.confidence(),
          attribution.ttftP95Ms(),
          attribution.ttftP95BaselineMs(),
          attribution.requests(),
          attribution.tiersText(),
          attribution.firstEvidence());
    }
  }

  /** The scenario name of the healthy check. */
  static final String HEALTHY = "healthy";

  /** The expected TTFT verdict of a fault: its tier, or none for a stream interruption. */
  static String expected(FaultKind kind) {
    return kind.movesTtft() ? kind.tier().name().toLowerCase(Locale.ROOT) : "none";
  }

  /** The fault kinds of the edge, mesh and model tiers. */
  static List<FaultKind> kinds() {
    List<FaultKind> out = new ArrayList<>();
    for (FaultKind k : FaultKind.values()) {
      // The failovers only change which service reports a span, which the in-process path's
      // spans carry too; leaving them out keeps this IT as short as it was (CI's time budget).
      if (k.failover()) {
        continue;
      }
      if (k.tier() == Tier.EDGE || k.tier() == Tier.MESH || k.tier() == Tier.MODEL) {
        out.add(k);
      }
    }
    return out;
  }

  private final TierscopeServer server;
  private final ApiProbe api;
  private final Duration healthy;
  private final Duration faulted;
  private final double rate;
  private final Map<FaultKind, Double> intensity;
  private Instant next;

  /**
   * @param healthy length of each healthy phase (simulated)
   * @param faulted length of each faulted phase (simulated)
   * @param rate requests per simulated second
   * @param intensity per fault, an intensity other than 1
   */
  AccuracyRun(
      TierscopeServer server,
      Duration healthy,
      Duration faulted,
      double rate,
      Map<FaultKind, Double> intensity) {
    this.server = server;
    this.api = new ApiProbe(server.apiUrl());
    this.healthy = healthy;
    this.faulted = faulted;
    this.rate = rate;
    this.intensity = intensity;
    // Far enough back that every run of a sweep stays in the past (but within the raw windows'
    // retention); on a 10 s boundary.
    this.next = Instant.now().minus(Duration.ofHours(20)).truncatedTo(ChronoUnit.HOURS);
  }

  /** The class mix: premium-heavy, so that each phase has enough premium requests. */
  private static Map<TrafficClass, Double> mix() {
    Map<TrafficClass, Double> m = new EnumMap<>(TrafficClass.class);
    m.put(TrafficClass.INTERACTIVE_PREMIUM, 0.5);
    m.put(TrafficClass.STANDARD_INTERACTIVE, 0.35);
    m.put(TrafficClass.DEFERRED_BATCH, 0.15);
    return m;
  }

  /** Runs seed {@code seed} with {@code kinds} and returns one outcome per fault plus healthy. */
  List<Outcome> run(long seed, List<FaultKind> kinds) throws Exception {
    Instant start = next;
    List<FaultWindow> windows = new ArrayList<>();
    Duration at = healthy;
    for (FaultKind kind : kinds) {
      windows.add(new FaultWindow(kind, at, faulted, intensity.getOrDefault(kind, 1.0)));
      at = at.plus(faulted).plus(healthy);
    }
    Duration length = at;
    AtomicLong premium = new AtomicLong();
    send(seed, start, length, FaultSchedule.of(windows), premium);
    Instant end = start.plus(length);
    // Push stream time on: a few simulated minutes later, a short healthy run.
    Instant flushStart = end.plus(Duration.ofMinutes(10));
    send(seed + 1_000_000, flushStart, Duration.ofSeconds(20), FaultSchedule.none(), null);
    next = flushStart.plus(Duration.ofMinutes(10));
    awaitRequests(start, end, premium.get());

    List<Outcome> out = new ArrayList<>();
    // Healthy: the second healthy phase against the first.
    Instant h1 = start;
    Instant h2 = start.plus(healthy).plus(faulted);
    out.add(
        new Outcome(
            seed,
            HEALTHY,
            "none",
            api.attribution(
                null,
                CLASS.value(),
                h2.plus(SETTLE),
                h2.plus(healthy),
                h1.plus(SETTLE),
                h1.plus(healthy))));
    for (FaultWindow w : windows) {
      Instant faultFrom = start.plus(w.start());
      Instant baseFrom = faultFrom.minus(healthy);
      out.add(
          new Outcome(
              seed,
              w.kind().value(),
              expected(w.kind()),
              api.attribution(
                  null,
                  CLASS.value(),
                  faultFrom.plus(SETTLE),
                  faultFrom.plus(faulted),
                  baseFrom.plus(SETTLE),
                  faultFrom)));
    }
    return out;
  }

  private void send(
      long seed, Instant start, Duration length, FaultSchedule faults, AtomicLong premium)
      throws Exception {
    SimulationConfig config =
        SimulationConfig.builder()
            .seed(seed)
            .requestsPerSecond(rate)
            .classMix(mix())
            .duration(length)
            .speed(0)
            .faults(faults)
            .build();
    RequestSink counter =
        r -> {
          if (premium != null && r.trafficClass() == CLASS) {
            premium.incrementAndGet();
          }
        };
    try (TierscopeSink spans = TierscopeSink.create(seed, b -> b.endpoint(server.otlpHttpUrl()))) {
      Simulation.run(config, Clock.fixed(start, ZoneOffset.UTC), RequestSink.of(spans, counter));
      if (!spans.flush(Duration.ofSeconds(60))) {
        throw new IllegalStateException("the SDK did not export every span: " + spans.stats());
      }
    }
  }

  /** Waits until the API counts every premium request of the run (or 180 s passed). */
  private void awaitRequests(Instant from, Instant to, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
    // Requests started at the end of the run may lie in the last window: take one more.
    Instant until = to.plus(Duration.ofMinutes(1));
    long seen = 0;
    while (System.nanoTime() < deadline) {
      seen = api.requests(null, CLASS.value(), from, until);
      if (seen >= expected) {
        return;
      }
      Thread.sleep(500);
    }
    System.err.printf("accuracy run: only %d of %d premium requests counted%n", seen, expected);
  }
}
