package dev.tierscope.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.sdk.Admission;
import dev.tierscope.sdk.Outcome;
import dev.tierscope.sdk.TrafficClass;
import dev.tierscope.sdk.admission.Advice;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * The capacity-limited model tier and the gateway that follows admission advice: capacity, first in
 * first out, degradation, and what deferring and shedding do to queued and running requests.
 */
class ModelTierTest {

  private static final Instant START = Instant.parse("2026-12-01T10:00:00Z");
  private static final long START_MICROS = Simulation.epochMicros(START);
  private static final long THRESHOLD_PREMIUM_MICROS = 800_000;

  /** The proof's C: the default healthy load (20 requests/s, default mix) uses half of it. */
  private static final int C = SimulationConfig.builder().build().capacityFor(0.5);

  private static SimulationConfig.Builder surge(Duration surgeStart, Duration surgeLength) {
    return SimulationConfig.builder()
        .seed(11)
        .speed(0)
        .modelCapacity(C)
        .duration(surgeStart.plus(surgeLength).plusMinutes(1))
        .surge(new SurgeWindow(surgeStart, surgeLength, 3, SurgeWindow.proofMix()));
  }

  private static CollectingSink run(SimulationConfig config, AdmissionGate gate) {
    CollectingSink sink = new CollectingSink();
    Simulation s = new Simulation(config, Clock.fixed(START, ZoneOffset.UTC), sink);
    if (gate != null) {
      s.gate(gate);
    }
    s.run();
    return sink;
  }

  /** A gate giving fixed advice per class from a moment of simulated time on. */
  private static final class ScriptedGate implements AdmissionGate {
    private final Instant from;
    private final Map<TrafficClass, Advice> after;
    private Instant now;

    ScriptedGate(Instant from, Map<TrafficClass, Advice> after) {
      this.from = from;
      this.after = after;
    }

    @Override
    public void observe(Instant simulatedNow) {
      now = simulatedNow;
    }

    @Override
    public Advice advise(TrafficClass cls) {
      if (now.isBefore(from) || !after.containsKey(cls)) {
        return Advice.admit(cls.value());
      }
      return after.get(cls);
    }
  }

  private static Advice advice(TrafficClass c, Advice.Action a, int level) {
    return new Advice(c.value(), a, level, null, Instant.MAX, List.of());
  }

  private static long p95Ttft(List<SimulatedRequest> rs, Predicate<SimulatedRequest> which) {
    long[] v =
        rs.stream()
            .filter(which)
            .filter(r -> !r.refused())
            .mapToLong(SimulatedRequest::ttftMicros)
            .sorted()
            .toArray();
    return v[(int) Math.ceil(v.length * 0.95) - 1];
  }

  private static Predicate<SimulatedRequest> startedIn(TrafficClass c, Duration from, Duration to) {
    return r ->
        r.trafficClass() == c
            && r.clientStartMicros() >= START_MICROS + from.toNanos() / 1000
            && r.clientStartMicros() < START_MICROS + to.toNanos() / 1000;
  }

  @Test
  void theDefaultHealthyLoadUsesHalfTheCapacityAndBarelyQueues() {
    assertThat(C).isBetween(400, 520);
    assertThat(SimulationConfig.builder().build().capacityFor(0.5)).isEqualTo(C);

    SimulationConfig config =
        SimulationConfig.builder()
            .seed(3)
            .speed(0)
            .modelCapacity(C)
            .duration(Duration.ofMinutes(10))
            .build();
    CollectingSink sink = run(config, null);

    List<SimulatedRequest> rs = sink.requests;
    // Little's law over the middle 8 minutes: slot time handed out / elapsed ~ 0.5 C.
    long from = START_MICROS + 60_000_000L;
    long to = START_MICROS + 540_000_000L;
    double busy = 0;
    for (SimulatedRequest r : rs) {
      long s = r.model().startMicros() + r.model().queueMicros();
      long e = r.model().endMicros();
      busy += Math.max(0, Math.min(e, to) - Math.max(s, from));
    }
    double utilisation = busy / (to - from) / C;
    assertThat(utilisation).isBetween(0.40, 0.60);
    long queued = rs.stream().filter(r -> r.model().queueMicros() > 0).count();
    assertThat(queued).isLessThan(rs.size() / 100);
    assertThat(rs).allMatch(r -> r.admission() == null && r.degradationLevel() == 0);
  }

  @Test
  void servesAtMostCAtOnceInOrderOfArrival() {
    CollectingSink sink = run(surge(Duration.ofMinutes(1), Duration.ofMinutes(2)).build(), null);
    List<SimulatedRequest> rs = new ArrayList<>(sink.requests);

    // First in, first out: by arrival at the model, service starts never go backwards.
    rs.sort(
        Comparator.comparingLong((SimulatedRequest r) -> r.model().startMicros())
            .thenComparingLong(SimulatedRequest::index));
    long last = Long.MIN_VALUE;
    for (SimulatedRequest r : rs) {
      long service = r.model().startMicros() + r.model().queueMicros();
      assertThat(service).isGreaterThanOrEqualTo(last);
      last = service;
    }
    // Never more than C in service.
    TreeMap<Long, Integer> delta = new TreeMap<>();
    for (SimulatedRequest r : rs) {
      delta.merge(r.model().startMicros() + r.model().queueMicros(), 1, Integer::sum);
      delta.merge(r.model().endMicros(), -1, Integer::sum);
    }
    int busy = 0;
    int peak = 0;
    for (int d : delta.values()) {
      busy += d;
      peak = Math.max(peak, busy);
    }
    assertThat(peak).isEqualTo(C);
  }

  @Test
  void openLoopASurgeQueuesEveryClassAndPremiumBreachesItsThreshold() {
    Duration s = Duration.ofMinutes(1);
    Duration len = Duration.ofMinutes(2);
    CollectingSink sink = run(surge(s, len).build(), null);
    List<SimulatedRequest> rs = sink.requests;
    long before = p95Ttft(rs, startedIn(TrafficClass.INTERACTIVE_PREMIUM, Duration.ZERO, s));
    long during = p95Ttft(rs, startedIn(TrafficClass.INTERACTIVE_PREMIUM, s, s.plus(len)));
    assertThat(before).isLessThan(THRESHOLD_PREMIUM_MICROS);
    assertThat(during).isGreaterThan(10 * THRESHOLD_PREMIUM_MICROS);
    // the surge's mix: 20/40/40 over three times the rate
    long surgeRequests =
        rs.stream().filter(r -> startedIn(r.trafficClass(), s, s.plus(len)).test(r)).count();
    long premium =
        rs.stream().filter(startedIn(TrafficClass.INTERACTIVE_PREMIUM, s, s.plus(len))).count();
    assertThat(surgeRequests).isBetween(60L * 120 * 9 / 10, 60L * 120 * 11 / 10);
    assertThat(premium / (double) surgeRequests).isBetween(0.17, 0.23);
  }

  @Test
  void degradationCutsModelTimeToEightySixtyAndFortyPercent() {
    SimulationConfig config =
        SimulationConfig.builder()
            .seed(5)
            .speed(0)
            .modelCapacity(C)
            .duration(Duration.ofMinutes(1))
            .build();
    Map<TrafficClass, Advice> m = new EnumMap<>(TrafficClass.class);
    m.put(
        TrafficClass.INTERACTIVE_PREMIUM,
        advice(TrafficClass.INTERACTIVE_PREMIUM, Advice.Action.DEGRADE, 1));
    m.put(
        TrafficClass.STANDARD_INTERACTIVE,
        advice(TrafficClass.STANDARD_INTERACTIVE, Advice.Action.DEGRADE, 3));
    CollectingSink open = run(config, null);
    CollectingSink degraded = run(config, new ScriptedGate(START, m));
    Map<Long, SimulatedRequest> byIndex = new TreeMap<>();
    open.requests.forEach(r -> byIndex.put(r.index(), r));
    int checked = 0;
    for (SimulatedRequest d : degraded.requests) {
      SimulatedRequest o = byIndex.get(d.index());
      long openModel = o.model().endMicros() - (o.model().startMicros() + o.model().queueMicros());
      long degModel = d.model().endMicros() - (d.model().startMicros() + d.model().queueMicros());
      double expected =
          switch (d.trafficClass()) {
            case INTERACTIVE_PREMIUM -> 0.8;
            case STANDARD_INTERACTIVE -> 0.4;
            case DEFERRED_BATCH -> 1.0;
          };
      assertThat((double) degModel)
          .isCloseTo(openModel * expected, org.assertj.core.data.Offset.offset(2.0));
      assertThat(d.degradationLevel())
          .isEqualTo(
              d.trafficClass() == TrafficClass.INTERACTIVE_PREMIUM
                  ? 1
                  : d.trafficClass() == TrafficClass.STANDARD_INTERACTIVE ? 3 : 0);
      assertThat(d.admission()).isEqualTo(Admission.ADMITTED);
      checked++;
    }
    assertThat(checked).isGreaterThan(1000);
  }

  @Test
  void shedWithdrawsQueuedCancelsRunningAndRefusesNewRequestsOfThatClassOnly() {
    Duration s = Duration.ofMinutes(1);
    Instant shedAt = START.plus(s).plusSeconds(20);
    long shedMicros;
    Map<TrafficClass, Advice> m = new EnumMap<>(TrafficClass.class);
    m.put(TrafficClass.DEFERRED_BATCH, advice(TrafficClass.DEFERRED_BATCH, Advice.Action.SHED, 0));
    CollectingSink sink = run(surge(s, Duration.ofMinutes(2)).build(), new ScriptedGate(shedAt, m));

    List<SimulatedRequest> batch =
        sink.requests.stream()
            .filter(r -> r.trafficClass() == TrafficClass.DEFERRED_BATCH)
            .toList();
    // Running at the shed: cut there, interrupted.
    assertThat(sink.advice).hasSize(1);
    AdviceChange change = sink.advice.get(0);
    assertThat(change.from()).isEqualTo("admit");
    assertThat(change.to()).isEqualTo("shed");
    assertThat(change.trafficClass()).isEqualTo(TrafficClass.DEFERRED_BATCH);
    // applied at the gateway's next decision after the advice changed: within one arrival gap
    assertThat(Duration.between(shedAt, change.at()))
        .isBetween(Duration.ZERO, Duration.ofMillis(500));
    shedMicros = Simulation.epochMicros(change.at());
    long cutMicros = shedMicros;
    List<SimulatedRequest> cut =
        batch.stream().filter(r -> !r.refused() && r.admission() == Admission.SHED).toList();
    assertThat(cut).isNotEmpty();
    assertThat(cut)
        .allMatch(r -> r.outcome() == Outcome.INTERRUPTED && r.model().endMicros() == cutMicros);
    // Waiting at the shed, or arriving after it: refused, without a model call.
    List<SimulatedRequest> refused = batch.stream().filter(SimulatedRequest::refused).toList();
    assertThat(refused)
        .isNotEmpty()
        .allMatch(
            r ->
                r.admission() == Admission.SHED
                    && r.ttftMicros() == -1
                    && r.outcome() == Outcome.FAILED);
    assertThat(refused).allMatch(r -> r.gatewayEndMicros() >= shedMicros);
    // Served batch requests all got their slot before the shed.
    assertThat(batch.stream().filter(r -> r.admission() == Admission.ADMITTED))
        .allMatch(r -> r.model().startMicros() + r.model().queueMicros() < shedMicros);
    // Nothing else was refused or cut.
    assertThat(sink.requests.stream().filter(r -> r.trafficClass() != TrafficClass.DEFERRED_BATCH))
        .allMatch(r -> r.admission() == Admission.ADMITTED && !r.refused());
    assertThat(sink.events.stream().filter(e -> e instanceof AdviceChange))
        .isEmpty(); // sink records requests only
  }

  @Test
  void deferWithdrawsQueuedButLetsRunningStreamsFinish() {
    Duration s = Duration.ofMinutes(1);
    Instant deferAt = START.plus(s).plusSeconds(20);
    Map<TrafficClass, Advice> m = new EnumMap<>(TrafficClass.class);
    m.put(TrafficClass.DEFERRED_BATCH, advice(TrafficClass.DEFERRED_BATCH, Advice.Action.DEFER, 0));
    CollectingSink sink =
        run(surge(s, Duration.ofMinutes(2)).build(), new ScriptedGate(deferAt, m));
    long at = Simulation.epochMicros(sink.advice.get(0).at());
    List<SimulatedRequest> batch =
        sink.requests.stream()
            .filter(r -> r.trafficClass() == TrafficClass.DEFERRED_BATCH)
            .toList();
    List<SimulatedRequest> refused = batch.stream().filter(SimulatedRequest::refused).toList();
    assertThat(refused).isNotEmpty().allMatch(r -> r.admission() == Admission.DEFERRED);
    // withdrawn from the queue at the change: they had reached the model before it
    assertThat(
            refused.stream().filter(r -> r.gatewayEndMicros() == at + RequestPlan.REFUSAL_MICROS))
        .isNotEmpty();
    List<SimulatedRequest> served = batch.stream().filter(r -> !r.refused()).toList();
    assertThat(served).allMatch(r -> r.admission() == Admission.ADMITTED);
    // streams that were running at the change end on their own, none is cut there
    assertThat(served.stream().filter(r -> r.model().endMicros() > at)).isNotEmpty();
    assertThat(served).noneMatch(r -> r.model().endMicros() == at);
  }

  @Test
  void withAnInstantReactionPremiumKeepsItsThresholdAndBatchPays() {
    // The tier's physics with a gateway that sheds batch 15 s into the surge (no signal path):
    // the FIFO queue built before the reaction drains at once, and premium stays under 720 ms.
    Duration s = Duration.ofMinutes(1);
    Duration len = Duration.ofMinutes(5);
    Map<TrafficClass, Advice> m = new EnumMap<>(TrafficClass.class);
    m.put(TrafficClass.DEFERRED_BATCH, advice(TrafficClass.DEFERRED_BATCH, Advice.Action.SHED, 0));
    CollectingSink sink =
        run(surge(s, len).build(), new ScriptedGate(START.plus(s).plusSeconds(15), m));
    long premium =
        p95Ttft(sink.requests, startedIn(TrafficClass.INTERACTIVE_PREMIUM, s, s.plus(len)));
    assertThat(premium).isLessThan(720_000);
    long shed = sink.requests.stream().filter(r -> r.admission() == Admission.SHED).count();
    assertThat(shed).isGreaterThan(5000);
  }

  @Test
  void aGateNeedsACapacityLimit() {
    Simulation s =
        new Simulation(
            SimulationConfig.builder().build(),
            Clock.fixed(START, ZoneOffset.UTC),
            new CollectingSink());
    assertThatThrownBy(() -> s.gate(c -> Advice.admit(c.value())))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("capacity-limited model tier");
  }
}
