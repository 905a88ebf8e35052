package dev.tierscope.simulator;

import dev.tierscope.sdk.TrafficClass;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Everything a run depends on besides its start time: with the same configuration and start, a run
 * generates the same requests.
 *
 * @param seed seed of every random stream
 * @param requestsPerSecond base rate of requests (all classes), per simulated second, before the
 *     load shape and the multiplier
 * @param classMix share of each class (weights, normalised)
 * @param workflowMix per class, the share of each workflow (weights, normalised)
 * @param loadShape how the rate varies over {@code loadPeriod}
 * @param loadPeriod the period of the load shape
 * @param rateMultiplier scales the rate (2.0 = twice the traffic)
 * @param faults when which fault is on
 * @param duration simulated length of the run; {@link Duration#ZERO} runs until stopped
 * @param speed simulated seconds per real second (1 = real time); 0 runs as fast as the sink takes
 *     requests
 * @param clients number of distinct interactive clients
 * @param modelCapacity requests the model tier serves at once, the rest queued first in, first out
 *     ({@link ModelTier}); 0 for a model without a capacity limit, whose queue time is drawn per
 *     request
 * @param surge a surge of the rate and the class mix, or null
 * @param idSeed seed of the trace ids (the seed, unless two runs of the same traffic go to one
 *     Tierscope: then they need different trace ids)
 * @param idleTimeout a proxy in front of the gateway cuts every stream still running this long
 *     after the client sent it (a CRUD-era idle or response timeout): the client sees it
 *     interrupted, cause {@code idle_timeout}, at exactly this time into the stream; {@link
 *     Duration#ZERO} for none
 */
public record SimulationConfig(
    long seed,
    double requestsPerSecond,
    Map<TrafficClass, Double> classMix,
    Map<TrafficClass, Map<Workflow, Double>> workflowMix,
    LoadShape loadShape,
    Duration loadPeriod,
    double rateMultiplier,
    FaultSchedule faults,
    Duration duration,
    double speed,
    int clients,
    int modelCapacity,
    SurgeWindow surge,
    long idSeed,
    Duration idleTimeout) {

  public SimulationConfig {
    require(requestsPerSecond > 0 && Double.isFinite(requestsPerSecond), "rate must be positive");
    require(rateMultiplier > 0 && Double.isFinite(rateMultiplier), "multiplier must be positive");
    require(speed >= 0 && Double.isFinite(speed), "speed must be >= 0 (0 = as fast as possible)");
    require(clients >= 1, "clients must be at least 1");
    require(loadShape != null, "load shape must be set");
    require(
        loadPeriod != null && !loadPeriod.isNegative() && !loadPeriod.isZero(),
        "load period must be positive");
    require(duration != null && !duration.isNegative(), "duration must be >= 0");
    require(faults != null, "fault schedule must be set (FaultSchedule.none() for none)");
    require(modelCapacity >= 0, "model capacity must be >= 0 (0 = no limit)");
    idleTimeout = idleTimeout == null ? Duration.ZERO : idleTimeout;
    require(!idleTimeout.isNegative(), "idle timeout must be >= 0 (0 = none)");
    classMix = weights(classMix, "class mix");
    EnumMap<TrafficClass, Map<Workflow, Double>> wm = new EnumMap<>(TrafficClass.class);
    for (TrafficClass c : TrafficClass.values()) {
      Map<Workflow, Double> m = workflowMix == null ? null : workflowMix.get(c);
      wm.put(c, weights(m == null ? defaultWorkflows(c) : m, "workflow mix of " + c.value()));
    }
    workflowMix = Collections.unmodifiableMap(wm);
  }

  /** A builder with the defaults: 20 requests/s, steady, no faults, 10 minutes, real time. */
  public static Builder builder() {
    return new Builder();
  }

  /** The default class mix: 25% premium, 55% standard, 20% batch. */
  public static Map<TrafficClass, Double> defaultClassMix() {
    Map<TrafficClass, Double> m = new EnumMap<>(TrafficClass.class);
    m.put(TrafficClass.INTERACTIVE_PREMIUM, 0.25);
    m.put(TrafficClass.STANDARD_INTERACTIVE, 0.55);
    m.put(TrafficClass.DEFERRED_BATCH, 0.20);
    return m;
  }

  /**
   * The default workflows of a class: premium 50% chat, 30% RAG, 20% agent; standard 40/35/25;
   * batch 85% summarisation, 15% RAG.
   */
  public static Map<Workflow, Double> defaultWorkflows(TrafficClass c) {
    Map<Workflow, Double> m = new EnumMap<>(Workflow.class);
    switch (c) {
      case INTERACTIVE_PREMIUM -> {
        m.put(Workflow.CHAT, 0.5);
        m.put(Workflow.RAG, 0.3);
        m.put(Workflow.AGENT, 0.2);
      }
      case STANDARD_INTERACTIVE -> {
        m.put(Workflow.CHAT, 0.4);
        m.put(Workflow.RAG, 0.35);
        m.put(Workflow.AGENT, 0.25);
      }
      case DEFERRED_BATCH -> {
        m.put(Workflow.BATCH_SUMMARISATION, 0.85);
        m.put(Workflow.RAG, 0.15);
      }
    }
    return m;
  }

  /** The request rate at {@code offset}: base rate x multiplier x load shape (x the surge). */
  public double rateAt(Duration offset) {
    double r = requestsPerSecond * rateMultiplier * loadShape.multiplier(offset, loadPeriod);
    return surge != null && surge.activeAt(offset) ? r * surge.multiplier() : r;
  }

  /** The highest rate the run can reach (for thinning arrivals). */
  public double peakRate() {
    double r = requestsPerSecond * rateMultiplier * loadShape.peak();
    return surge != null ? r * Math.max(1, surge.multiplier()) : r;
  }

  /** The class mix at {@code offset}: the surge's while one with its own mix is on. */
  public Map<TrafficClass, Double> classMixAt(Duration offset) {
    if (surge != null && !surge.classMix().isEmpty() && surge.activeAt(offset)) {
      return surge.classMix();
    }
    return classMix;
  }

  /**
   * Seed of the sample {@link #capacityFor} measures the model's work on (fixed, not the run's).
   */
  static final long CAPACITY_CALIBRATION_SEED = 20_261_201L;

  /** Requests in that sample. */
  static final int CAPACITY_CALIBRATION_REQUESTS = 20_000;

  /**
   * The model capacity (slots) at which this configuration's base load, steady, without surge or
   * faults, uses {@code utilisation} of the tier: base rate x mean model time per request /
   * utilisation, rounded up. The mean model time (prefill and stream) comes from a fixed sample of
   * {@value #CAPACITY_CALIBRATION_REQUESTS} requests of this class and workflow mix, so the result
   * does not depend on the run's seed. With the defaults (20 requests/s) and 0.5, the proof's C.
   */
  public int capacityFor(double utilisation) {
    require(utilisation > 0 && utilisation <= 1, "utilisation must be in (0, 1]");
    RequestGenerator g =
        new RequestGenerator(
            CAPACITY_CALIBRATION_SEED,
            ClientPopulation.generate(CAPACITY_CALIBRATION_SEED, clients));
    java.util.SplittableRandom choice = new java.util.SplittableRandom(CAPACITY_CALIBRATION_SEED);
    double totalMicros = 0;
    for (int i = 0; i < CAPACITY_CALIBRATION_REQUESTS; i++) {
      TrafficClass c = Simulation.pick(classMix, choice);
      Workflow w = Simulation.pick(workflowMix.get(c), choice);
      RequestPlan p = g.plan(i, c, w, 0, java.util.List.of());
      totalMicros += p.serviceMicros(0);
    }
    double meanSeconds = totalMicros / CAPACITY_CALIBRATION_REQUESTS / 1e6;
    return (int) Math.ceil(requestsPerSecond * rateMultiplier * meanSeconds / utilisation);
  }

  /** Whether the model tier has a capacity limit. */
  public boolean capacityLimited() {
    return modelCapacity > 0;
  }

  /** Whether the run goes on until stopped. */
  public boolean unbounded() {
    return duration.isZero();
  }

  private static <K extends Enum<K>> Map<K, Double> weights(Map<K, Double> in, String what) {
    require(in != null && !in.isEmpty(), what + " must not be empty");
    double total = 0;
    Map<K, Double> out = null;
    for (Map.Entry<K, Double> e : in.entrySet()) {
      double w = e.getValue() == null ? 0 : e.getValue();
      require(w >= 0 && Double.isFinite(w), what + ": weight of " + e.getKey() + " must be >= 0");
      total += w;
    }
    require(total > 0, what + " needs a positive weight");
    for (Map.Entry<K, Double> e : in.entrySet()) {
      if (e.getValue() != null && e.getValue() > 0) {
        if (out == null) {
          out = new EnumMap<>(e.getKey().getDeclaringClass());
        }
        out.put(e.getKey(), e.getValue() / total);
      }
    }
    return Collections.unmodifiableMap(out);
  }

  private static void require(boolean ok, String problem) {
    if (!ok) {
      throw new IllegalArgumentException(problem);
    }
  }

  /** Builds a {@link SimulationConfig}; every setting has a default. */
  public static final class Builder {
    private long seed = 1;
    private double requestsPerSecond = 20;
    private Map<TrafficClass, Double> classMix = defaultClassMix();
    private final Map<TrafficClass, Map<Workflow, Double>> workflowMix =
        new EnumMap<>(TrafficClass.class);
    private LoadShape loadShape = LoadShape.STEADY;
    private Duration loadPeriod;
    private double rateMultiplier = 1;
    private FaultSchedule faults = FaultSchedule.none();
    private Duration duration = Duration.ofMinutes(10);
    private double speed = 1;
    private int clients = 500;
    private int modelCapacity;
    private SurgeWindow surge;
    private Long idSeed;
    private Duration idleTimeout = Duration.ZERO;

    private Builder() {}

    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    public Builder requestsPerSecond(double rate) {
      this.requestsPerSecond = rate;
      return this;
    }

    public Builder classMix(Map<TrafficClass, Double> mix) {
      this.classMix = mix;
      return this;
    }

    public Builder workflowMix(TrafficClass c, Map<Workflow, Double> mix) {
      this.workflowMix.put(c, mix);
      return this;
    }

    public Builder loadShape(LoadShape shape) {
      this.loadShape = shape;
      return this;
    }

    /** The load shape's period; its natural one ({@link LoadShape#defaultPeriod()}) if unset. */
    public Builder loadPeriod(Duration period) {
      this.loadPeriod = period;
      return this;
    }

    public Builder rateMultiplier(double multiplier) {
      this.rateMultiplier = multiplier;
      return this;
    }

    public Builder faults(FaultSchedule faults) {
      this.faults = faults;
      return this;
    }

    /** Simulated length; {@link Duration#ZERO} runs until stopped. */
    public Builder duration(Duration duration) {
      this.duration = duration;
      return this;
    }

    /** Simulated seconds per real second; 0 = as fast as possible. */
    public Builder speed(double speed) {
      this.speed = speed;
      return this;
    }

    public Builder clients(int clients) {
      this.clients = clients;
      return this;
    }

    /** Slots of the model tier; 0 (the default) for no limit. */
    public Builder modelCapacity(int slots) {
      this.modelCapacity = slots;
      return this;
    }

    /** Seed of the trace ids; the seed unless set. */
    public Builder idSeed(long idSeed) {
      this.idSeed = idSeed;
      return this;
    }

    /** A surge, or null for none. */
    /** A proxy's fixed idle timeout cutting long streams (see the record); zero for none. */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
      return this;
    }

    public Builder surge(SurgeWindow surge) {
      this.surge = surge;
      return this;
    }

    public SimulationConfig build() {
      return new SimulationConfig(
          seed,
          requestsPerSecond,
          classMix,
          workflowMix,
          loadShape,
          loadPeriod != null ? loadPeriod : loadShape == null ? null : loadShape.defaultPeriod(),
          rateMultiplier,
          faults,
          duration,
          speed,
          clients,
          modelCapacity,
          surge,
          idSeed == null ? seed : idSeed,
          idleTimeout);
    }
  }
}
