package dev.tierscope.server.surge;

import dev.tierscope.sdk.Admission;
import dev.tierscope.sdk.Outcome;
import dev.tierscope.sdk.TrafficClass;
import dev.tierscope.sdk.admission.AdmissionAdvisor;
import dev.tierscope.server.TierscopeServer;
import dev.tierscope.simulator.AdmissionGate;
import dev.tierscope.simulator.AdviceChange;
import dev.tierscope.simulator.RequestSink;
import dev.tierscope.simulator.SimulatedRequest;
import dev.tierscope.simulator.Simulation;
import dev.tierscope.simulator.SimulationConfig;
import dev.tierscope.simulator.SimulationResult;
import dev.tierscope.simulator.SurgeWindow;
import dev.tierscope.simulator.TierscopeSink;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The proof against a surge: the same seeded surge sent to a running Tierscope twice at once, by a
 * gateway that ignores Tierscope (open loop) and by one that follows its admission signals through
 * the SDK's {@link AdmissionAdvisor}, over the real HTTP stream (closed loop); then a table per
 * class of what users got, from the simulator's ground truth, and the checks of the issue.
 *
 * <p>The parameters are fixed (nothing here is tuned to pass): the model tier serves at most C
 * requests at once, C chosen so that the default healthy load (20 requests/s, default mix) uses 50%
 * of it, and queues the rest first in, first out; {@value #HEALTHY_MINUTES} minutes healthy, then a
 * surge of 3x for 5 minutes, 20% interactive premium, 40% standard, 40% batch, then {@value
 * #AFTER_MINUTES} minutes healthy; degradation cuts a request's model time to 80%, 60% and 40% at
 * levels 1 to 3. The model tier is simulated (service times on the simulated clock), so its
 * behaviour does not depend on the load of the machine; the signal path is real (spans through the
 * SDK, OTLP, ingest, Kafka, aggregator, PostgreSQL, the control leader, the stream).
 *
 * <p>The compressed run of the test suite is the same scenario at {@value #COMPRESSED_SPEED}x:
 * every time on the simulated clock (span times, windows, the aggregator's grace, the control
 * policy's windows and dwell, signal expiry) is unchanged, and every interval of the pipeline that
 * runs on the wall clock (aggregator checkpoints, control rounds, the stream's poll, the SDK's
 * export delay) is divided by the speed ({@link #serverProperties}).
 */
public final class SurgeProof {

  public static final long HEALTHY_MINUTES = 6;
  public static final long AFTER_MINUTES = 3;
  public static final Duration HEALTHY = Duration.ofMinutes(HEALTHY_MINUTES);
  public static final Duration SURGE = Duration.ofMinutes(5);
  public static final Duration AFTER = Duration.ofMinutes(AFTER_MINUTES);
  public static final double MULTIPLIER = 3;
  public static final double COMPRESSED_SPEED = 5;

  /** Closed loop must keep premium at least this much under its threshold. */
  public static final double PREMIUM_MARGIN = 0.10;

  /** The signal must react within this after the surge starts. */
  public static final Duration MAX_REACTION = Duration.ofSeconds(30);

  /** How often the progress shows what the control leader reads (simulated time). */
  static final Duration WATCH_EVERY =
      Duration.ofSeconds(Integer.getInteger("surge.watch-seconds", 10));

  static final String OPEN = "surge-open";
  static final String CLOSED = "surge-closed";

  private final long seed;
  private final double speed;
  private final boolean openLoopToTierscope;
  private volatile ScaledClock wall;
  private volatile Instant origin;
  private final ProofClock clock;

  /**
   * @param speed 1 for real time, {@link #COMPRESSED_SPEED} for the compressed run
   * @param openLoopToTierscope whether the open loop's spans go to Tierscope too (its table comes
   *     from the ground truth either way; sending them shows what Tierscope would have advised)
   */
  public SurgeProof(long seed, double speed, boolean openLoopToTierscope) {
    this.seed = seed;
    this.speed = speed;
    this.openLoopToTierscope = openLoopToTierscope;
    this.clock = new ProofClock(Clock.systemUTC());
  }

  /**
   * The simulated clock; the server under test must use it as the api's clock. It reads the wall
   * clock until {@link #run} starts: the simulated clock starts running at its speed there, so that
   * how long the server took to start does not add to its lead over the wall clock ({@link #lead}).
   */
  public Clock clock() {
    return clock;
  }

  /**
   * The aggregator's grace in the proof's Tierscope: how long, in stream time, a request waits
   * after its root span ended for spans that arrive later. It must exceed the difference in export
   * delay between a request's services; the simulator's three SDK instances export every 200 ms
   * (every 40 ms at 5x), so 1 s is ample. The default of 5 s suits OpenTelemetry's default export
   * delay of 5 s; with it the signal reacts about 3.5 s later (see docs/admission-control.md).
   */
  public static final Duration GRACE = Duration.ofSeconds(1);

  /**
   * Properties of the server under test: the aggregator's {@link #GRACE}, the pipeline's wall-clock
   * intervals over the speed, and, for a compressed run, time bounds that let its spans through
   * ({@link #lead}).
   *
   * <p>Tierscope judges a span's time against the wall clock: the ingest and the aggregator
   * dead-letter a span that ends more than {@code max-future-skew} ahead of it ({@code
   * too_far_in_future}), and the aggregator's stream time never runs more than {@code
   * stream-time-tolerance} ahead of it. A compressed run's spans carry simulated times, which run
   * ahead of the wall clock by up to {@link #lead}; so the proof's server (only it, the defaults
   * stay) allows that lead in all three. Nothing else of the bounds changes: a span further ahead
   * than the lead is still rejected.
   */
  public static Map<String, String> serverProperties(double speed) {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("tierscope.aggregator.grace", GRACE.toMillis() + "ms");
    Duration lead = lead(speed);
    if (!lead.isZero()) {
      String ahead = lead.toMinutes() + "m";
      p.put("tierscope.ingest.max-future-skew", ahead);
      p.put("tierscope.aggregator.max-future-skew", ahead);
      p.put("tierscope.aggregator.stream-time-tolerance", ahead);
    }
    p.put("tierscope.aggregator.checkpoint-interval", millis(1000 / speed));
    p.put("tierscope.control.interval", millis(1000 / speed));
    p.put("tierscope.control.stream.poll", millis(250 / speed));
    return p;
  }

  /**
   * How long a run may take in simulated time, from the start of {@link #run} to its last span:
   * twice the scenario ({@code HEALTHY + SURGE + AFTER}, 14 minutes). After the scenario no request
   * arrives, but the open loop's model queue still holds what the surge left (its requests waited
   * about 5 minutes in the real-time run of docs/admission-control.md) and serves it at the full C;
   * a second scenario's length covers that, the start on the next 10 s boundary and the last
   * request's own time with room to spare. A run that takes longer is reported as a problem of the
   * proof ({@link Result#problems}), since the server's time bounds ({@link #lead}) only allow
   * this.
   */
  static final Duration HORIZON = HEALTHY.plus(SURGE).plus(AFTER).multipliedBy(2);

  /**
   * How far ahead of the wall clock the simulated clock of a run at {@code speed} gets at most:
   * after {@code t} of simulated time it has taken {@code t / speed} of wall-clock time, so it
   * leads by {@code t * (1 - 1 / speed)}, at most {@link #HORIZON}{@code * (1 - 1 / speed)} (22.4
   * minutes at 5x), rounded up to whole minutes. Zero at real time or slower. A loaded machine only
   * lowers it (the simulation falls behind its pace, never ahead). The simulated clock starts at
   * {@link #run}, so the server's start-up is not in it.
   */
  public static Duration lead(double speed) {
    if (speed <= 1) {
      return Duration.ZERO;
    }
    double seconds = HORIZON.toSeconds() * (1 - 1 / speed);
    return Duration.ofMinutes((long) Math.ceil(seconds / 60));
  }

  private static String millis(double ms) {
    return Math.max(1, Math.round(ms)) + "ms";
  }

  /**
   * The scenario of one loop: both loops get the same traffic; {@code idSeed} gives each its own
   * trace ids, since both go to one Tierscope.
   */
  public SimulationConfig config(long idSeed) {
    return SimulationConfig.builder()
        .seed(seed)
        .idSeed(idSeed)
        .modelCapacity(capacity())
        .surge(new SurgeWindow(HEALTHY, SURGE, MULTIPLIER, SurgeWindow.proofMix()))
        .duration(HEALTHY.plus(SURGE).plus(AFTER))
        .speed(speed)
        .build();
  }

  private long idSeed(boolean closedLoop) {
    return closedLoop ? seed ^ 0x5EED_C105_EDL : seed;
  }

  /** C: the default healthy load (20 requests/s, the default mix) uses half of it. */
  public static int capacity() {
    return SimulationConfig.builder().build().capacityFor(0.5);
  }

  /** What one loop did. */
  public record Loop(
      String name,
      String tenant,
      Instant start,
      List<Served> requests,
      List<AdviceChange> followed,
      List<Heard> heard,
      SimulationResult result) {

    /** Requests that started during the surge. */
    List<Served> duringSurge() {
      long from = micros(start.plus(HEALTHY));
      long to = micros(start.plus(HEALTHY).plus(SURGE));
      return requests.stream()
          .filter(r -> r.startMicros() >= from && r.startMicros() < to)
          .toList();
    }
  }

  /** A signal change the advisor heard, at simulated time {@code at}. */
  public record Heard(Instant at, String trafficClass, String from, String to) {}

  /**
   * What the ground truth says about one request.
   *
   * @param ttftMicros -1 for a request the gateway turned away
   */
  public record Served(
      TrafficClass trafficClass,
      long startMicros,
      long ttftMicros,
      Admission admission,
      int degradationLevel,
      Outcome outcome) {}

  /** One row of the table. */
  public record Row(
      TrafficClass trafficClass,
      long requests,
      long served,
      double ttftP95Ms,
      double thresholdMs,
      double goodRatio,
      boolean met,
      double interruptionRate,
      long deferred,
      long shed,
      long degraded) {}

  /** Both loops and the checks. */
  public record Result(
      Loop open,
      Loop closed,
      Map<TrafficClass, Row> openRows,
      Map<TrafficClass, Row> closedRows,
      Duration reaction,
      Duration openReaction,
      Map<TrafficClass, Measured> measured,
      List<String> problems) {}

  /**
   * What Tierscope measured for the closed loop over the surge ({@code GET /api/v1/slo}): the
   * requests and what the gateway reported doing with them, and TTFT p95.
   */
  public record Measured(
      long requests, long admitted, long deferred, long shed, long degraded, double ttftP95Ms) {}

  /** Runs both loops against {@code server} (started with {@link #clock()}), at once. */
  public Result run(TierscopeServer server, PrintStream progress) throws Exception {
    // The simulated clock runs at its speed from here (see clock()).
    origin = Instant.now();
    wall = new ScaledClock(origin, speed);
    clock.scaleFrom(wall);
    // Start on a 10 s boundary of the simulated clock, so that phases fall on whole windows.
    Instant start = wall.instant().truncatedTo(ChronoUnit.MINUTES);
    while (!start.isAfter(wall.instant().plusSeconds(2))) {
      start = start.plusSeconds(10);
    }
    progress.printf(
        Locale.ROOT,
        "surge proof: seed %d, speed %sx, C=%d, healthy %s, surge x%s for %s (premium 20%%,"
            + " standard 40%%, batch 40%%), then %s; start %s%n",
        seed,
        fmt(speed),
        capacity(),
        HEALTHY,
        fmt(MULTIPLIER),
        SURGE,
        AFTER,
        start);
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      Instant s = start;
      Future<Loop> open = pool.submit(() -> loop(server, OPEN, false, s, progress));
      Future<Loop> closed = pool.submit(() -> loop(server, CLOSED, true, s, progress));
      pool.submit(() -> watch(server, s, progress));
      Loop o = open.get();
      Loop c = closed.get();
      return judge(o, c, measure(server, c, progress));
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Every 10 simulated seconds, what the control leader reads for the closed loop's premium class
   * and decides for batch, from {@code GET /api/v1/control} (progress output only).
   */
  private void watch(TierscopeServer server, Instant start, PrintStream progress) {
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    tools.jackson.databind.json.JsonMapper json =
        tools.jackson.databind.json.JsonMapper.builder().build();
    Instant end = start.plus(HEALTHY).plus(SURGE).plus(AFTER);
    try {
      while (clock.instant().isBefore(end)) {
        TimeUnit.MILLISECONDS.sleep(Math.round(WATCH_EVERY.toMillis() / speed));
        var r =
            http.send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(server.apiUrl() + "/api/v1/control?tenant=" + CLOSED))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        tools.jackson.databind.JsonNode body = json.readTree(r.body());
        StringBuilder line = new StringBuilder();
        for (tools.jackson.databind.JsonNode sig : body.path("signals")) {
          tools.jackson.databind.JsonNode own = sig.path("evidence").path("own");
          line.append(
              String.format(Locale.ROOT, " | %s %s", sig.path("class").asString(), decision(sig)));
          if (!own.isMissingNode() && !own.isNull()) {
            line.append(
                String.format(
                    Locale.ROOT,
                    " n=%d p95=%.0fms burn=%.1f (latest %.1f) queue=%.2f (%.2f)",
                    own.path("ttftCount").asLong(),
                    own.path("ttftP95Ms").asDouble(),
                    own.path("burnRate").asDouble(),
                    own.path("peakBurnRate").asDouble(),
                    own.path("queueShare").asDouble(),
                    own.path("peakQueueShare").asDouble()));
          }
        }
        progress.printf(
            Locale.ROOT,
            "  control    +%5.1fs%s%n",
            Duration.between(start.plus(HEALTHY), clock.instant()).toMillis() / 1000.0,
            line);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      progress.println("  control    (watch stopped: " + e + ")");
    }
  }

  private static String decision(tools.jackson.databind.JsonNode sig) {
    String a = sig.path("action").asString();
    return a.equals("degrade") ? "degrade-" + sig.path("degradationLevel").asInt() : a;
  }

  private Loop loop(
      TierscopeServer server, String tenant, boolean follow, Instant start, PrintStream progress)
      throws Exception {
    List<Served> requests = Collections.synchronizedList(new ArrayList<>());
    List<Heard> heard = new CopyOnWriteArrayList<>();
    String name = follow ? "closed loop" : "open loop";
    try (AdmissionAdvisor advisor =
            AdmissionAdvisor.builder()
                .endpoint(server.apiUrl())
                .tenant(tenant)
                .clock(clock)
                .listener(
                    (a, b) -> {
                      heard.add(
                          new Heard(clock.instant(), a.trafficClass(), a.decision(), b.decision()));
                      progress.printf(
                          Locale.ROOT,
                          "  %-11s +%5.1fs  %s: %s -> %s%n",
                          name,
                          Duration.between(start, clock.instant()).toMillis() / 1000.0,
                          a.trafficClass(),
                          a.decision(),
                          b.decision());
                    })
                .build();
        TierscopeSink spans =
            !follow && !openLoopToTierscope
                ? null
                : TierscopeSink.create(
                    idSeed(follow),
                    b ->
                        b.endpoint(server.otlpHttpUrl())
                            .tenant(tenant)
                            .scheduleDelay(
                                Duration.ofMillis(Math.max(10, Math.round(200 / speed)))))) {
      RequestSink truth =
          new RequestSink() {
            @Override
            public void request(SimulatedRequest r) {
              requests.add(
                  new Served(
                      r.trafficClass(),
                      r.clientStartMicros(),
                      r.ttftMicros(),
                      r.admission(),
                      r.degradationLevel(),
                      r.outcome()));
            }
          };
      Simulation simulation =
          new Simulation(
              config(idSeed(follow)),
              Clock.fixed(start, ZoneOffset.UTC),
              spans == null ? truth : RequestSink.of(spans, truth));
      if (follow) {
        simulation.gate(AdmissionGate.of(advisor));
      }
      clock.follow(simulation);
      long wait = wall.wallNanosUntil(start);
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      SimulationResult result = simulation.run();
      if (spans != null) {
        spans.flush(Duration.ofSeconds(30));
      }
      return new Loop(
          name,
          tenant,
          start,
          List.copyOf(requests),
          result.adviceChanges(),
          List.copyOf(heard),
          result);
    }
  }

  /**
   * Reads what Tierscope counted for the closed loop's surge, waiting (up to two minutes) until
   * every request of it is counted.
   */
  private Map<TrafficClass, Measured> measure(
      TierscopeServer server, Loop closed, PrintStream progress) throws Exception {
    Instant from = closed.start().plus(HEALTHY);
    Instant to = from.plus(SURGE);
    Map<TrafficClass, Long> expected = new EnumMap<>(TrafficClass.class);
    for (Served r : closed.duringSurge()) {
      expected.merge(r.trafficClass(), 1L, Long::sum);
    }
    java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    tools.jackson.databind.json.JsonMapper json =
        tools.jackson.databind.json.JsonMapper.builder().build();
    Map<TrafficClass, Measured> out = new EnumMap<>(TrafficClass.class);
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (true) {
      out.clear();
      for (TrafficClass c : TrafficClass.values()) {
        var r =
            http.send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            server.apiUrl()
                                + "/api/v1/slo?tenant="
                                + CLOSED
                                + "&class="
                                + c.value()
                                + "&from="
                                + from.toEpochMilli()
                                + "&to="
                                + to.toEpochMilli()))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        tools.jackson.databind.JsonNode body = json.readTree(r.body());
        tools.jackson.databind.JsonNode a = body.path("admission");
        out.put(
            c,
            new Measured(
                body.path("requests").asLong(),
                a.path("admitted").asLong(),
                a.path("deferred").asLong(),
                a.path("shed").asLong(),
                a.path("degraded").asLong(),
                body.path("slis").path("ttft").path("p95Ms").asDouble()));
      }
      boolean complete = true;
      for (TrafficClass c : TrafficClass.values()) {
        complete &= out.get(c).requests() >= expected.getOrDefault(c, 0L);
      }
      if (complete || System.nanoTime() > deadline) {
        return out;
      }
      TimeUnit.SECONDS.sleep(2);
    }
  }

  private Result judge(Loop open, Loop closed, Map<TrafficClass, Measured> measured) {
    Map<TrafficClass, Row> openRows = rows(open.duringSurge());
    Map<TrafficClass, Row> closedRows = rows(closed.duringSurge());
    Instant surgeStart = closed.start().plus(HEALTHY);
    Duration reaction =
        firstRestriction(
            closed.followed().stream()
                .filter(c -> !c.to().equals("admit"))
                .map(c -> c.at())
                .toList(),
            surgeStart);
    Duration openReaction =
        firstRestriction(
            open.heard().stream().filter(h -> !h.to().equals("admit")).map(Heard::at).toList(),
            surgeStart);
    List<String> problems = new ArrayList<>();
    Row premiumClosed = closedRows.get(TrafficClass.INTERACTIVE_PREMIUM);
    Row premiumOpen = openRows.get(TrafficClass.INTERACTIVE_PREMIUM);
    double limit = premiumClosed.thresholdMs() * (1 - PREMIUM_MARGIN);
    if (!(premiumClosed.ttftP95Ms() <= limit)) {
      problems.add(
          String.format(
              Locale.ROOT,
              "closed loop: interactive_premium TTFT p95 %.0f ms is not at least %.0f%% under its %.0f ms threshold (<= %.0f ms)",
              premiumClosed.ttftP95Ms(),
              PREMIUM_MARGIN * 100,
              premiumClosed.thresholdMs(),
              limit));
    }
    if (!(premiumOpen.ttftP95Ms() > premiumOpen.thresholdMs())) {
      problems.add(
          String.format(
              Locale.ROOT,
              "open loop: interactive_premium TTFT p95 %.0f ms does not breach its %.0f ms threshold",
              premiumOpen.ttftP95Ms(),
              premiumOpen.thresholdMs()));
    }
    if (premiumClosed.deferred() + premiumClosed.shed() + premiumClosed.degraded() > 0) {
      problems.add(
          "closed loop: interactive_premium paid (deferred "
              + premiumClosed.deferred()
              + ", shed "
              + premiumClosed.shed()
              + ", degraded "
              + premiumClosed.degraded()
              + ")");
    }
    Row batch = closedRows.get(TrafficClass.DEFERRED_BATCH);
    if (batch.deferred() + batch.shed() == 0) {
      problems.add("closed loop: deferred_batch did not pay (nothing deferred or shed)");
    }
    for (Loop l : List.of(open, closed)) {
      List<Heard> early = l.heard().stream().filter(h -> h.at().isBefore(surgeStart)).toList();
      if (!early.isEmpty()) {
        problems.add(l.name() + ": the signal changed on healthy traffic: " + early);
      }
    }
    for (Loop l : List.of(open, closed)) {
      Duration took = Duration.between(origin, l.start()).plus(l.result().simulated());
      if (speed > 1 && (l == closed || openLoopToTierscope) && took.compareTo(HORIZON) > 0) {
        problems.add(
            String.format(
                Locale.ROOT,
                "%s: ran %d s of simulated time, beyond the %d s the server's time bounds allow"
                    + " for (SurgeProof.lead): its last spans were dead-lettered",
                l.name(),
                took.toSeconds(),
                HORIZON.toSeconds()));
      }
    }
    if (reaction == null || reaction.compareTo(MAX_REACTION) > 0) {
      problems.add(
          "closed loop: the signal did not react within "
              + MAX_REACTION.toSeconds()
              + " s of the surge (reaction "
              + (reaction == null ? "none" : reaction)
              + ")");
    }
    return new Result(
        open, closed, openRows, closedRows, reaction, openReaction, measured, problems);
  }

  private static Duration firstRestriction(List<Instant> times, Instant surgeStart) {
    return times.stream()
        .filter(t -> !t.isBefore(surgeStart))
        .min(Instant::compareTo)
        .map(t -> Duration.between(surgeStart, t))
        .orElse(null);
  }

  /** The table's rows: per class, over the requests that started during the surge. */
  static Map<TrafficClass, Row> rows(List<Served> requests) {
    Map<TrafficClass, Row> out = new EnumMap<>(TrafficClass.class);
    for (TrafficClass c : TrafficClass.values()) {
      List<Served> of = requests.stream().filter(r -> r.trafficClass() == c).toList();
      long[] ttft =
          of.stream()
              .filter(r -> r.ttftMicros() >= 0)
              .mapToLong(Served::ttftMicros)
              .sorted()
              .toArray();
      double thresholdMs = threshold(c);
      long good = java.util.Arrays.stream(ttft).filter(t -> t <= thresholdMs * 1000).count();
      double goodRatio = ttft.length == 0 ? 1 : good / (double) ttft.length;
      long streams = of.stream().filter(r -> r.ttftMicros() >= 0).count();
      long interrupted =
          of.stream()
              .filter(r -> r.ttftMicros() >= 0 && r.outcome() == Outcome.INTERRUPTED)
              .count();
      out.put(
          c,
          new Row(
              c,
              of.size(),
              ttft.length,
              ttft.length == 0 ? 0 : ttft[(int) Math.ceil(ttft.length * 0.95) - 1] / 1000.0,
              thresholdMs,
              goodRatio,
              goodRatio >= 0.95,
              streams == 0 ? 0 : interrupted / (double) streams,
              of.stream().filter(r -> r.admission() == Admission.DEFERRED).count(),
              of.stream().filter(r -> r.admission() == Admission.SHED).count(),
              of.stream()
                  .filter(r -> r.admission() == Admission.ADMITTED && r.degradationLevel() > 0)
                  .count()));
    }
    return out;
  }

  /** The default TTFT thresholds (docs/slo-spec.md), the ones the server runs with. */
  static double threshold(TrafficClass c) {
    return switch (c) {
      case INTERACTIVE_PREMIUM -> 800;
      case STANDARD_INTERACTIVE -> 1500;
      case DEFERRED_BATCH -> 30_000;
    };
  }

  /** Prints the reaction time and the table of both loops. */
  public static void print(Result r, PrintStream out) {
    out.println();
    out.printf(
        Locale.ROOT,
        "Signal reaction: closed loop %s, open loop %s after the surge started (limit %d s)%n",
        r.reaction() == null ? "none" : fmtSeconds(r.reaction()),
        r.openReaction() == null ? "none" : fmtSeconds(r.openReaction()),
        MAX_REACTION.toSeconds());
    for (Loop l : List.of(r.closed(), r.open())) {
      for (AdviceChange c : l.followed()) {
        out.printf(
            Locale.ROOT,
            "  %s gateway followed %-20s %-9s -> %-9s at +%s%n",
            l.name(),
            c.trafficClass().value(),
            c.from(),
            c.to(),
            fmtSeconds(c.offset().minus(HEALTHY)));
      }
    }
    out.println();
    out.println("Requests that started during the surge (ground truth of the simulator):");
    out.println();
    out.println(
        "| loop | class | requests | TTFT p95 | threshold | good | objective | interrupted | deferred | shed | degraded |");
    out.println("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|");
    for (var e : List.of(Map.entry("open", r.openRows()), Map.entry("closed", r.closedRows()))) {
      for (Row row : e.getValue().values()) {
        out.printf(
            Locale.ROOT,
            "| %s | %s | %d | %s | %.0f ms | %.1f%% | %s | %.2f%% | %d | %d | %d |%n",
            e.getKey(),
            row.trafficClass().value(),
            row.requests(),
            row.served() == 0 ? "-" : String.format(Locale.ROOT, "%.0f ms", row.ttftP95Ms()),
            row.thresholdMs(),
            row.goodRatio() * 100,
            row.met() ? "met" : "MISSED",
            row.interruptionRate() * 100,
            row.deferred(),
            row.shed(),
            row.degraded());
      }
    }
    out.println();
    out.println(
        "The closed loop's surge as Tierscope measured it (GET /api/v1/slo; a request whose gateway"
            + " span arrived after the aggregator's grace is counted without what the gateway did):");
    out.println();
    out.println("| class | requests | TTFT p95 | admitted | deferred | shed | degraded |");
    out.println("|---|---:|---:|---:|---:|---:|---:|");
    r.measured()
        .forEach(
            (c, m) ->
                out.printf(
                    Locale.ROOT,
                    "| %s | %d | %.0f ms | %d | %d | %d | %d |%n",
                    c.value(),
                    m.requests(),
                    m.ttftP95Ms(),
                    m.admitted(),
                    m.deferred(),
                    m.shed(),
                    m.degraded()));
    out.println();
    if (r.problems().isEmpty()) {
      out.println(
          "PASS: closed loop keeps interactive_premium at least 10% under its threshold, open"
              + " loop breaches it; batch pays, premium does not; healthy traffic saw no signal"
              + " change.");
    } else {
      r.problems().forEach(p -> out.println("FAIL: " + p));
    }
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  private static String fmtSeconds(Duration d) {
    return String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
  }

  static long micros(Instant t) {
    return Simulation.epochMicros(t);
  }
}
