package dev.tierscope.simulator;

import dev.tierscope.sdk.Admission;
import dev.tierscope.sdk.TrafficClass;
import dev.tierscope.sdk.admission.Advice;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Generates always-on AI traffic on a simulated clock and delivers it to a {@link RequestSink}.
 *
 * <p>Why a simulated clock: every hop's latency is computed, not waited for, and the spans carry
 * explicit timestamps, so a run is reproducible from its seed and can be as fast as the sink takes
 * it. The simulation sleeps only to pace itself ({@link SimulationConfig#speed()}: 1 = real time, 0
 * = as fast as possible).
 *
 * <p>Arrivals are a Poisson process whose rate follows the load shape (by thinning). Each arrival
 * picks a class and a workflow by the configured mix, and {@link RequestGenerator} computes its
 * timeline under the faults active at its start. A request reaches the sink when its client span
 * ends in simulated time (as an exporter would send it), interleaved in time order with the fault
 * switches.
 *
 * <pre>{@code
 * SimulationConfig config = SimulationConfig.builder()
 *     .seed(7).requestsPerSecond(50).duration(Duration.ofMinutes(10)).speed(0)
 *     .faults(FaultSchedule.of(FaultWindow.parse("edge-vpn@4m+3m")))
 *     .build();
 * try (TierscopeSink spans = TierscopeSink.create(7, b -> b.endpoint("http://127.0.0.1:4318"));
 *     GroundTruthWriter truth = GroundTruthWriter.toFile(Path.of("truth.jsonl"))) {
 *   SimulationResult result = Simulation.run(config, Clock.systemUTC(), RequestSink.of(spans, truth));
 * }
 * }</pre>
 */
public final class Simulation {

  private static final long MAX_SLEEP_NANOS = TimeUnit.MILLISECONDS.toNanos(200);

  private final SimulationConfig config;
  private final Clock clock;
  private final RequestSink sink;
  private final RequestGenerator generator;
  private Consumer<Progress> progressListener;
  private long progressEveryNanos;
  private volatile boolean stopped;

  /** Epoch microseconds the run has reached; Long.MIN_VALUE before it starts. */
  private volatile long reachedMicros = Long.MIN_VALUE;

  private long startMicrosOfRun;
  private AdmissionGate gate;
  private ModelTier tier;
  private final Map<TrafficClass, Advice> advice = new EnumMap<>(TrafficClass.class);
  private final List<AdviceChange> adviceChanges = new ArrayList<>();

  /**
   * A simulation starting at {@code clock.instant()} (truncated to microseconds).
   *
   * @param config what to generate
   * @param clock gives the simulated start time only; simulated time then advances by itself
   * @param sink where requests and fault switches go
   */
  public Simulation(SimulationConfig config, Clock clock, RequestSink sink) {
    this.config = config;
    this.clock = clock;
    this.sink = sink;
    this.generator =
        new RequestGenerator(
            config.seed(),
            config.idSeed(),
            ClientPopulation.generate(config.seed(), config.clients()),
            config.idleTimeout().toNanos() / 1_000);
  }

  /** Runs {@code config} from {@code clock.instant()} into {@code sink}; see {@link #run()}. */
  public static SimulationResult run(SimulationConfig config, Clock clock, RequestSink sink) {
    return new Simulation(config, clock, sink).run();
  }

  /** Calls {@code listener} about every {@code every} of wall-clock time while running. */
  public Simulation onProgress(Duration every, Consumer<Progress> listener) {
    this.progressEveryNanos = every.toNanos();
    this.progressListener = listener;
    return this;
  }

  /**
   * Puts the gateway under admission control: it follows {@code gate}'s advice (closed loop). Needs
   * a capacity-limited model tier ({@link SimulationConfig#modelCapacity()}). A gate fed in real
   * time (an {@link dev.tierscope.sdk.admission.AdmissionAdvisor}) needs a paced run (speed above
   * 0), since the advice is read as the run goes; a scripted gate can follow {@link
   * AdmissionGate#observe simulated time} at any speed.
   *
   * @throws IllegalStateException without a capacity-limited model tier
   */
  public Simulation gate(AdmissionGate gate) {
    if (!config.capacityLimited()) {
      throw new IllegalStateException("admission control needs a capacity-limited model tier");
    }
    this.gate = gate;
    return this;
  }

  /**
   * Stops a running simulation from another thread: requests in flight are delivered at once and
   * {@link #run()} returns.
   */
  public void stop() {
    stopped = true;
  }

  /**
   * Generates until the configured duration has passed in simulated time (or {@link #stop()}), then
   * delivers the requests still in flight and returns what was generated. Does not close the sink.
   */
  public SimulationResult run() {
    Instant start = clock.instant().truncatedTo(ChronoUnit.MICROS);
    long startMicros = epochMicros(start);
    startMicrosOfRun = startMicros;
    reachedMicros = startMicros;
    long realStart = System.nanoTime();
    sink.runStarted(config, start);

    SplittableRandom arrivals = Rng.stream(config.seed(), -1, Rng.ARRIVALS);
    double peakRate = config.peakRate();
    tier = config.capacityLimited() ? new ModelTier(config.modelCapacity(), generator) : null;
    for (TrafficClass c : TrafficClass.values()) {
      advice.put(c, Advice.admit(c.value()));
    }
    long durationNanos = config.duration().toNanos();
    PriorityQueue<SimulatedRequest> inFlight =
        new PriorityQueue<>(
            Comparator.comparingLong(SimulatedRequest::clientEndMicros)
                .thenComparingLong(SimulatedRequest::index));
    Counts counts = new Counts();
    long offsetNanos = 0;
    long deliveredUpTo = -1; // nanos offset up to which fault switches were delivered
    long index = 0;
    long nextProgress = realStart + progressEveryNanos;

    while (!stopped) {
      // Next candidate of the Poisson process at the peak rate; kept with p = rate(t) / peak.
      offsetNanos += Math.max(1, (long) (-Math.log(1 - arrivals.nextDouble()) / peakRate * 1e9));
      double u = arrivals.nextDouble();
      if (!config.unbounded() && offsetNanos >= durationNanos) {
        break;
      }
      Duration offset = Duration.ofNanos(offsetNanos);
      if (gate != null) {
        pace(realStart, offsetNanos); // decisions are taken on the advice of their real time
      }
      deliverUntil(
          offsetNanos, deliveredUpTo, offsetNanos, startMicros, realStart, inFlight, counts);
      deliveredUpTo = offsetNanos;
      long nowMicros = startMicros + offsetNanos / 1000;
      if (gate != null) {
        followAdvice(offset, nowMicros, inFlight);
      }
      if (u * peakRate >= config.rateAt(offset)) {
        continue;
      }
      List<FaultWindow> faults = config.faults().activeAt(offset);
      SplittableRandom choice = Rng.stream(config.seed(), index, Rng.CHOICE);
      TrafficClass cls = pick(config.classMixAt(offset), choice);
      Workflow workflow = pick(config.workflowMix().get(cls), choice);
      if (tier == null) {
        inFlight.add(generator.generate(index, cls, workflow, nowMicros, faults));
      } else {
        RequestPlan plan = generator.plan(index, cls, workflow, nowMicros, faults);
        Advice a = gate == null ? null : advice.get(cls);
        if (a != null && !a.admits()) {
          inFlight.add(plan.refused(plan.gatewayStartMicros, a.admission()));
        } else {
          tier.submit(
              plan, a == null ? 0 : a.degradationLevel(), a == null ? null : Admission.ADMITTED);
        }
      }
      index++;
      counts.generated(cls);

      if (progressListener != null) {
        long now = System.nanoTime();
        if (now >= nextProgress) {
          nextProgress = now + progressEveryNanos;
          reportProgress(offset, now - realStart, counts, inFlight.size(), faults);
        }
      }
    }

    // The model serves what it still holds; then deliver: paced to its end, or at once when
    // stopped.
    if (tier != null) {
      while (tier.nextEventMicros() != Long.MAX_VALUE) {
        tier.processNext(this::refuses, this::refusal, inFlight::add);
      }
    }
    long endNanos;
    if (stopped) {
      endNanos = offsetNanos;
      deliverUntil(Long.MAX_VALUE, deliveredUpTo, endNanos, startMicros, -1, inFlight, counts);
    } else {
      endNanos = durationNanos;
      for (SimulatedRequest r : inFlight) {
        endNanos = Math.max(endNanos, (r.clientEndMicros() - startMicros) * 1000);
      }
      deliverUntil(endNanos, deliveredUpTo, endNanos, startMicros, realStart, inFlight, counts);
    }
    SimulationResult result =
        new SimulationResult(
            start,
            Duration.ofNanos(endNanos),
            Duration.ofNanos(System.nanoTime() - realStart),
            counts.delivered,
            counts.byClass(),
            counts.byWorkflow(),
            counts.byOutcome,
            counts.byFault,
            stopped,
            adviceChanges,
            tier == null ? 0 : tier.peakWaiting());
    sink.runEnded(result);
    sink.flush();
    return result;
  }

  /**
   * Delivers, in time order, the fault switches in {@code (fromNanos, switchesUntilNanos]} and the
   * requests that end by {@code untilNanos} (offsets in nanoseconds), pacing each to its simulated
   * time (no pacing when {@code realStart} is -1).
   */
  private void deliverUntil(
      long untilNanos,
      long fromNanos,
      long switchesUntilNanos,
      long startMicros,
      long realStart,
      PriorityQueue<SimulatedRequest> inFlight,
      Counts counts) {
    List<FaultSchedule.Transition> switches =
        config
            .faults()
            .transitionsBetween(Duration.ofNanos(fromNanos), Duration.ofNanos(switchesUntilNanos));
    int s = 0;
    while (true) {
      if (tier != null) {
        long t = tier.nextEventMicros();
        long tNanos = t == Long.MAX_VALUE ? Long.MAX_VALUE : (t - startMicros) * 1000;
        SimulatedRequest head = inFlight.peek();
        long headNanos =
            head == null ? Long.MAX_VALUE : (head.clientEndMicros() - startMicros) * 1000;
        if (tNanos <= untilNanos && tNanos <= headNanos) {
          tier.processNext(this::refuses, this::refusal, inFlight::add);
          continue;
        }
      }
      SimulatedRequest next = inFlight.peek();
      long nextRequestNanos =
          next == null ? Long.MAX_VALUE : (next.clientEndMicros() - startMicros) * 1000;
      if (nextRequestNanos > untilNanos) {
        nextRequestNanos = Long.MAX_VALUE;
      }
      long nextSwitchNanos = s < switches.size() ? switches.get(s).at().toNanos() : Long.MAX_VALUE;
      if (nextRequestNanos == Long.MAX_VALUE && nextSwitchNanos == Long.MAX_VALUE) {
        return;
      }
      if (nextSwitchNanos <= nextRequestNanos) {
        FaultSchedule.Transition t = switches.get(s++);
        pace(realStart, nextSwitchNanos);
        Instant at = instant(startMicros + nextSwitchNanos / 1000);
        if (t.on()) {
          sink.faultStarted(t.window(), at);
        } else {
          sink.faultEnded(t.window(), at);
        }
      } else {
        inFlight.poll();
        pace(realStart, nextRequestNanos);
        sink.request(next);
        counts.delivered(next);
      }
    }
  }

  /**
   * Reads the gate's advice for every class; on a change, records it and acts on the model tier at
   * once: a deferred class gives back its queued requests, a shed class also has its running ones
   * cancelled.
   */
  private void followAdvice(
      Duration offset, long nowMicros, PriorityQueue<SimulatedRequest> inFlight) {
    gate.observe(instant(nowMicros));
    for (TrafficClass c : TrafficClass.values()) {
      Advice next = gate.advise(c);
      Advice prev = advice.put(c, next);
      if (prev.decision().equals(next.decision())) {
        continue;
      }
      AdviceChange change =
          new AdviceChange(offset, instant(nowMicros), c, prev.decision(), next.decision());
      adviceChanges.add(change);
      sink.adviceChanged(change);
      if (next.action() == Advice.Action.DEFER || next.action() == Advice.Action.SHED) {
        tier.withdraw(c, nowMicros, next.admission(), inFlight::add);
      }
      if (next.action() == Advice.Action.SHED) {
        tier.cancel(
            c,
            nowMicros,
            Admission.SHED,
            (before, after) -> {
              inFlight.remove(before);
              inFlight.add(after);
            },
            inFlight::add);
      }
    }
  }

  private Map<TrafficClass, String> adviceNow() {
    Map<TrafficClass, String> m = new EnumMap<>(TrafficClass.class);
    if (gate != null) {
      advice.forEach((c, a) -> m.put(c, a.decision()));
    }
    return m;
  }

  private boolean refuses(TrafficClass c) {
    return gate != null && !advice.get(c).admits();
  }

  private Admission refusal(TrafficClass c) {
    return advice.get(c).admission();
  }

  private void reach(long offsetNanos) {
    long t = startMicrosOfRun + offsetNanos / 1000;
    if (t > reachedMicros) {
      reachedMicros = t;
    }
  }

  /**
   * The simulated time the run has reached: what it generated and delivered is up to this instant
   * (null before {@link #run()} started). A paced run that falls behind the wall clock (a loaded
   * machine) falls behind here too, so whatever follows the simulation by this clock sees its
   * traffic as it happens in simulated time.
   */
  public Instant reached() {
    long t = reachedMicros;
    return t == Long.MIN_VALUE ? null : instant(t);
  }

  /** Sleeps until {@code offsetNanos} of simulated time is due in real time at the set speed. */
  private void pace(long realStart, long offsetNanos) {
    if (config.speed() == 0 || realStart == -1 || stopped) {
      reach(offsetNanos);
      return;
    }
    long due = realStart + (long) (offsetNanos / config.speed());
    while (!stopped) {
      long wait = due - System.nanoTime();
      if (wait <= 0) {
        reach(offsetNanos);
        return;
      }
      try {
        TimeUnit.NANOSECONDS.sleep(Math.min(wait, MAX_SLEEP_NANOS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopped = true;
        return;
      }
    }
  }

  private void reportProgress(
      Duration offset, long realNanos, Counts counts, int inFlight, List<FaultWindow> faults) {
    double multiplier = config.rateAt(offset) / config.requestsPerSecond();
    progressListener.accept(
        new Progress(
            offset,
            Duration.ofNanos(realNanos),
            counts.generated,
            counts.byClassGenerated(),
            inFlight,
            config.rateAt(offset),
            multiplier,
            faults,
            tier == null ? 0 : tier.running(),
            tier == null ? 0 : tier.waiting(),
            adviceNow()));
    sink.flush();
  }

  static <K> K pick(Map<K, Double> weights, SplittableRandom r) {
    double u = r.nextDouble();
    K last = null;
    for (Map.Entry<K, Double> e : weights.entrySet()) {
      last = e.getKey();
      u -= e.getValue();
      if (u < 0) {
        return last;
      }
    }
    return last; // rounding: the last one
  }

  /** Microseconds since the epoch. */
  public static long epochMicros(Instant t) {
    return TimeUnit.SECONDS.toMicros(t.getEpochSecond()) + t.getNano() / 1000;
  }

  /** The instant of {@code epochMicros}. */
  public static Instant instant(long epochMicros) {
    return Instant.ofEpochSecond(
        Math.floorDiv(epochMicros, 1_000_000), Math.floorMod(epochMicros, 1_000_000) * 1000L);
  }

  /** Counters of one run (one thread). */
  private static final class Counts {
    long generated;
    long delivered;
    final long[] generatedByClass = new long[TrafficClass.values().length];
    final long[] deliveredByClass = new long[TrafficClass.values().length];
    final long[] byWorkflow = new long[Workflow.values().length];
    final Map<String, Long> byOutcome = new TreeMap<>();
    final Map<String, Long> byFault = new TreeMap<>();

    void generated(TrafficClass c) {
      generated++;
      generatedByClass[c.ordinal()]++;
    }

    void delivered(SimulatedRequest r) {
      delivered++;
      deliveredByClass[r.trafficClass().ordinal()]++;
      byWorkflow[r.workflow().ordinal()]++;
      String outcome = r.outcome().streamOutcome();
      if (outcome == null) {
        outcome = r.admission() == null ? "failed" : r.admission().value();
      }
      byOutcome.merge(outcome, 1L, Long::sum);
      byFault.merge(r.faultLabel(), 1L, Long::sum);
    }

    Map<TrafficClass, Long> byClassGenerated() {
      return toMap(TrafficClass.class, TrafficClass.values(), generatedByClass);
    }

    Map<TrafficClass, Long> byClass() {
      return toMap(TrafficClass.class, TrafficClass.values(), deliveredByClass);
    }

    Map<Workflow, Long> byWorkflow() {
      return toMap(Workflow.class, Workflow.values(), byWorkflow);
    }

    private static <E extends Enum<E>> Map<E, Long> toMap(Class<E> type, E[] keys, long[] n) {
      Map<E, Long> m = new EnumMap<>(type);
      for (E k : keys) {
        m.put(k, n[k.ordinal()]);
      }
      return m;
    }
  }
}
