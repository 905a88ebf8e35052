package dev.tierscope.accuracy;

import dev.tierscope.core.attribution.AttributionCalculator;
import dev.tierscope.core.attribution.AttributionSettings;
import dev.tierscope.core.attribution.RequestAttribution;
import dev.tierscope.core.attribution.Tier;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.store.InMemoryWindowStore;
import dev.tierscope.core.store.StoredExemplar;
import dev.tierscope.core.window.Metric;
import dev.tierscope.simulator.FaultKind;
import dev.tierscope.simulator.FaultSchedule;
import dev.tierscope.simulator.FaultWindow;
import dev.tierscope.simulator.Simulation;
import dev.tierscope.simulator.SimulationConfig;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The attribution accuracy sweep: for every seed and intensity, one simulated run with a healthy
 * phase, then each scenario's faults followed by a healthy phase, through the {@link
 * InProcessPipeline}; then core's {@link AttributionCalculator} (the API's) judges every faulted
 * phase against the healthy phase before it, and every healthy phase against the healthy phase
 * before it.
 *
 * <p>Why in process: the simulator is seeded and its spans carry computed timestamps, so a run
 * needs no wall-clock time at all; what the full pipeline adds (SDK, OTLP, Kafka, PostgreSQL) does
 * not change what attribution reads, and {@code AttributionAccuracyIT} checks that on one seed. A
 * run of every scenario takes about a second here instead of minutes.
 *
 * <pre>{@code
 * AccuracySweep.Config config = AccuracySweep.Config.defaults().withSeeds(1001, 25);
 * List<Outcome> outcomes = new AccuracySweep(config).run(o -> System.out.println(o.line()));
 * System.out.println(AccuracyTable.of(config, outcomes));
 * }</pre>
 */
public final class AccuracySweep {

  /** The class whose attribution is judged. */
  static final String CLASS = "interactive_premium";

  /** Where simulated time starts (any instant on a window boundary). */
  static final Instant START = Instant.parse("2026-01-05T00:00:00Z");

  /**
   * What a sweep runs.
   *
   * @param firstSeed the first seed
   * @param seeds how many consecutive seeds
   * @param intensities the intensities every scenario runs at
   * @param scenarios the faulted scenarios (healthy comparisons come with every run)
   * @param healthy length of a healthy phase (simulated)
   * @param faulted length of a faulted phase (simulated)
   * @param settle left out at the start of every phase when judging it
   * @param requestsPerSecond requests per simulated second, over all classes
   * @param premiumShare share of the judged class in the traffic
   * @param threads runs in parallel
   */
  public record Config(
      long firstSeed,
      int seeds,
      List<Double> intensities,
      List<Scenario> scenarios,
      Duration healthy,
      Duration faulted,
      Duration settle,
      double requestsPerSecond,
      double premiumShare,
      int threads) {

    public Config {
      intensities = List.copyOf(intensities);
      scenarios = List.copyOf(scenarios);
      if (seeds < 1 || threads < 1 || intensities.isEmpty()) {
        throw new IllegalArgumentException("a sweep needs seeds, threads and intensities");
      }
      if (settle.compareTo(healthy) >= 0 || settle.compareTo(faulted) >= 0) {
        throw new IllegalArgumentException("settle must be shorter than every phase");
      }
    }

    /**
     * Every fault kind and the three tier pairs at intensities 1 and 0.5; phases of 60 s at 30
     * requests/s, half of them premium (as the full-pipeline {@code AttributionAccuracyIT}); seeds
     * 1001 to 1025 (the held-out range: the method was tuned on seeds 1 to 40).
     */
    public static Config defaults() {
      List<Scenario> scenarios = new ArrayList<>(Scenario.singleFaults());
      scenarios.addAll(Scenario.mixedPairs());
      return new Config(
          1001,
          25,
          List.of(1.0, 0.5),
          scenarios,
          Duration.ofSeconds(60),
          Duration.ofSeconds(60),
          Duration.ofSeconds(10),
          30,
          0.5,
          1);
    }

    public Config withSeeds(long first, int count) {
      return new Config(
          first,
          count,
          intensities,
          scenarios,
          healthy,
          faulted,
          settle,
          requestsPerSecond,
          premiumShare,
          threads);
    }

    public Config withIntensities(List<Double> values) {
      return new Config(
          firstSeed,
          seeds,
          values,
          scenarios,
          healthy,
          faulted,
          settle,
          requestsPerSecond,
          premiumShare,
          threads);
    }

    public Config withScenarios(List<Scenario> values) {
      return new Config(
          firstSeed,
          seeds,
          intensities,
          values,
          healthy,
          faulted,
          settle,
          requestsPerSecond,
          premiumShare,
          threads);
    }

    public Config withPhases(Duration healthyPhase, Duration faultedPhase) {
      return new Config(
          firstSeed,
          seeds,
          intensities,
          scenarios,
          healthyPhase,
          faultedPhase,
          settle,
          requestsPerSecond,
          premiumShare,
          threads);
    }

    public Config withRate(double rate) {
      return new Config(
          firstSeed,
          seeds,
          intensities,
          scenarios,
          healthy,
          faulted,
          settle,
          rate,
          premiumShare,
          threads);
    }

    public Config withThreads(int n) {
      return new Config(
          firstSeed,
          seeds,
          intensities,
          scenarios,
          healthy,
          faulted,
          settle,
          requestsPerSecond,
          premiumShare,
          n);
    }
  }

  private final Config config;
  private final TrafficClasses classes = TrafficClasses.defaults();
  private final double margin;

  public AccuracySweep(Config config) {
    this(config, 0.10);
  }

  /**
   * @param margin the attribution's regression margin (the API's default is 0.10)
   */
  public AccuracySweep(Config config, double margin) {
    this.config = config;
    this.margin = margin;
  }

  public Config config() {
    return config;
  }

  /**
   * Runs every seed at every intensity and returns every outcome, in seed and intensity order;
   * {@code each} sees the outcomes of each run as it finishes (from the sweep's threads).
   */
  public List<Outcome> run(Consumer<List<Outcome>> each) {
    List<long[]> runs = new ArrayList<>();
    for (long seed = config.firstSeed(); seed < config.firstSeed() + config.seeds(); seed++) {
      for (int i = 0; i < config.intensities().size(); i++) {
        runs.add(new long[] {seed, i});
      }
    }
    ExecutorService pool = Executors.newFixedThreadPool(config.threads());
    try {
      List<Future<List<Outcome>>> futures = new ArrayList<>();
      for (long[] r : runs) {
        double intensity = config.intensities().get((int) r[1]);
        boolean withHealthy = r[1] == 0; // healthy phases are the same at every intensity
        futures.add(
            pool.submit(
                () -> {
                  List<Outcome> out = runOne(r[0], intensity, withHealthy);
                  each.accept(out);
                  return out;
                }));
      }
      List<Outcome> all = new ArrayList<>();
      for (Future<List<Outcome>> f : futures) {
        all.addAll(f.get());
      }
      return all;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("a sweep run failed", e.getCause());
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * One seed at one intensity: one outcome per scenario (its faulted phase against the healthy
   * phase before it), then one per healthy phase after the first (against the one before it).
   */
  public List<Outcome> runSeed(long seed, double intensity) {
    return runOne(seed, intensity, true);
  }

  /**
   * One run: a healthy phase, then per scenario its faults (all at {@code intensity}) and a healthy
   * phase. Returns one outcome per scenario, then (with {@code withHealthy}) one per healthy phase
   * after the first.
   */
  List<Outcome> runOne(long seed, double intensity, boolean withHealthy) {
    List<FaultWindow> windows = new ArrayList<>();
    List<Duration> faultStarts = new ArrayList<>();
    List<Duration> healthyStarts = new ArrayList<>();
    healthyStarts.add(Duration.ZERO);
    Duration at = config.healthy();
    for (Scenario s : config.scenarios()) {
      faultStarts.add(at);
      for (FaultKind k : s.kinds()) {
        windows.add(new FaultWindow(k, at, config.faulted(), intensity));
      }
      at = at.plus(config.faulted());
      healthyStarts.add(at);
      at = at.plus(config.healthy());
    }
    InProcessPipeline pipeline = new InProcessPipeline(classes);
    SimulationConfig sim =
        SimulationConfig.builder()
            .seed(seed)
            .requestsPerSecond(config.requestsPerSecond())
            .classMix(mix(config.premiumShare()))
            .duration(at)
            .speed(0)
            .faults(FaultSchedule.of(windows))
            .build();
    Simulation.run(sim, Clock.fixed(START, ZoneOffset.UTC), pipeline);
    pipeline.finish();
    if (pipeline.lostSpans() > 0) {
      throw new IllegalStateException(
          "seed " + seed + ": " + pipeline.lostSpans() + " spans were not assembled");
    }

    // With the breakdowns, as the API has them: the evidence may name a backend.
    AttributionCalculator calculator =
        new AttributionCalculator(
            pipeline.store(),
            pipeline.store(),
            AttributionSettings.defaults().withRegressionMargin(margin));
    TrafficClass cls = classes.get(CLASS);
    List<Outcome> out = new ArrayList<>();
    for (int i = 0; i < config.scenarios().size(); i++) {
      Scenario scenario = config.scenarios().get(i);
      Instant faultFrom = START.plus(faultStarts.get(i)).plus(config.settle());
      Instant faultTo = START.plus(faultStarts.get(i)).plus(config.faulted());
      Instant baseFrom = START.plus(healthyStarts.get(i)).plus(config.settle());
      Instant baseTo = START.plus(healthyStarts.get(i)).plus(config.healthy());
      int exemplars = 0;
      int onTier = 0;
      if (scenario.expectedTiers().size() == 1 && scenario.kinds().size() == 1) {
        Map<Tier, Histogram> baseline = baseline(pipeline.store(), baseFrom, baseTo);
        String expected = scenario.expectedTiers().iterator().next();
        for (StoredExemplar e :
            pipeline.store().slowest(CoreSpans.TENANT, CLASS, faultFrom, faultTo, 1_000)) {
          RequestAttribution r = RequestAttribution.of(e.exemplar().breakdown(), baseline);
          exemplars++;
          onTier += r.tier() != null && r.tier().id().equals(expected) ? 1 : 0;
        }
      }
      out.add(
          new Outcome(
              seed,
              intensity,
              scenario,
              calculator.attribute(CoreSpans.TENANT, cls, faultFrom, faultTo, baseFrom, baseTo),
              exemplars,
              onTier));
    }
    if (withHealthy) {
      for (int i = 1; i < healthyStarts.size(); i++) {
        Instant from = START.plus(healthyStarts.get(i));
        Instant baseFrom = START.plus(healthyStarts.get(i - 1));
        out.add(
            new Outcome(
                seed,
                1.0,
                Scenario.healthy(),
                calculator.attribute(
                    CoreSpans.TENANT,
                    cls,
                    from.plus(config.settle()),
                    from.plus(config.healthy()),
                    baseFrom.plus(config.settle()),
                    baseFrom.plus(config.healthy()))));
      }
    }
    return out;
  }

  /** Per tier, the component values of the judged class in [from, to). */
  static Map<Tier, Histogram> baseline(InMemoryWindowStore store, Instant from, Instant to) {
    Map<Tier, Histogram> out = new EnumMap<>(Tier.class);
    Map<Metric, Histogram> h =
        store.merged(
            CoreSpans.TENANT, CLASS, EnumSet.of(Metric.EDGE, Metric.MESH, Metric.MODEL), from, to);
    for (Tier t : Tier.values()) {
      out.put(t, h.get(t.metric()));
    }
    return out;
  }

  private static Map<dev.tierscope.sdk.TrafficClass, Double> mix(double premium) {
    Map<dev.tierscope.sdk.TrafficClass, Double> m =
        new EnumMap<>(dev.tierscope.sdk.TrafficClass.class);
    double rest = 1 - premium;
    m.put(dev.tierscope.sdk.TrafficClass.INTERACTIVE_PREMIUM, premium);
    m.put(dev.tierscope.sdk.TrafficClass.STANDARD_INTERACTIVE, rest * 0.7);
    m.put(dev.tierscope.sdk.TrafficClass.DEFERRED_BATCH, rest * 0.3);
    return m;
  }
}
