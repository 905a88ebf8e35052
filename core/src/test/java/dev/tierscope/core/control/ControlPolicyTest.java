package dev.tierscope.core.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.attribution.Tier;
import dev.tierscope.core.classes.TrafficClasses;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The admission policy, tick by tick on a manual clock. */
class ControlPolicyTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final String PREMIUM = "interactive_premium";
  private static final String STANDARD = "standard_interactive";
  private static final String BATCH = "deferred_batch";

  private final TrafficClasses classes = TrafficClasses.defaults();
  private final ManualClock clock = new ManualClock(T0);
  private final ControlPolicy policy =
      new ControlPolicy(ControlConfig.defaults(classes), classes, clock);

  private ControlState state;
  private final List<Transition> transitions = new ArrayList<>();

  @BeforeEach
  void start() {
    state = ControlState.initial("acme", T0);
  }

  /** Healthy readings of every class; tests replace one. */
  private Map<String, ClassReading> healthy() {
    Map<String, ClassReading> m = new LinkedHashMap<>();
    m.put(PREMIUM, reading(PREMIUM, 800_000, 0.2, 0.0, null));
    m.put(STANDARD, reading(STANDARD, 1_500_000, 0.1, 0.0, null));
    m.put(BATCH, reading(BATCH, 30_000_000, 0.0, 0.0, null));
    return m;
  }

  private static ClassReading reading(
      String cls, long threshold, double burn, double queueShare, Tier verdict) {
    return new ClassReading(
        cls,
        200,
        200,
        Math.round(threshold * (0.7 + burn / 10)),
        threshold,
        burn,
        burn,
        queueShare,
        queueShare,
        verdict);
  }

  /**
   * One evaluation at the clock's instant. The fast window is the 30 s ending at the next 10 s
   * boundary, as the inputs reader aligns it.
   */
  private ControlPolicy.Evaluation tick(Map<String, ClassReading> readings, double rate) {
    Instant now = clock.instant();
    Instant to = Instant.ofEpochSecond((now.getEpochSecond() / 10 + 1) * 10);
    ControlPolicy.Evaluation e =
        policy.evaluate(
            state, new ControlInputs("acme", to.minusSeconds(30), to, readings, rate, 20.0));
    state = e.state();
    transitions.addAll(e.transitions());
    return e;
  }

  private Map<String, ClassReading> premiumQueued(double burn) {
    Map<String, ClassReading> m = healthy();
    m.put(PREMIUM, reading(PREMIUM, 800_000, burn, 0.7, null));
    return m;
  }

  private static String decision(ControlPolicy.Evaluation e, String cls) {
    return e.signal(cls).decision();
  }

  @Test
  void healthyTrafficAdmitsEveryClassWithoutTransitions() {
    for (int i = 0; i < 600; i++) {
      ControlPolicy.Evaluation e = tick(healthy(), 20);
      assertThat(e.signals()).extracting(ControlSignal::decision).containsOnly("admit");
      clock.advance(Duration.ofSeconds(1));
    }
    assertThat(transitions).isEmpty();
    assertThat(state.rung()).isZero();
  }

  @Test
  void theLadderPutsBatchFirstThenStandardAndPremiumLast() {
    assertThat(policy.ladder())
        .containsExactly(
            "deferred_batch:defer",
            "deferred_batch:shed",
            "standard_interactive:degrade-1",
            "standard_interactive:degrade-2",
            "standard_interactive:degrade-3",
            "standard_interactive:defer",
            "standard_interactive:shed",
            "interactive_premium:degrade-1",
            "interactive_premium:degrade-2",
            "interactive_premium:degrade-3");
  }

  @Test
  void aModelQueueInPremiumShedsBatchAtOnceAndLeavesPremiumAndStandardAdmitted() {
    ControlPolicy.Evaluation e = tick(premiumQueued(1.2), 60);

    assertThat(decision(e, BATCH)).isEqualTo("shed");
    assertThat(decision(e, STANDARD)).isEqualTo("admit");
    assertThat(decision(e, PREMIUM)).isEqualTo("admit");
    assertThat(state.rung()).isEqualTo(2);
    assertThat(state.triggerClass()).isEqualTo(PREMIUM);
    assertThat(state.cause()).isEqualTo(Tier.MODEL);
    assertThat(state.baselineRequestsPerSecond()).isEqualTo(20.0);
    ControlSignal batch = e.signal(BATCH);
    assertThat(batch.since()).isEqualTo(T0);
    assertThat(batch.expiresAt()).isEqualTo(T0.plusSeconds(60));
    assertThat(batch.reasons().get(0))
        .startsWith("shed: deferred_batch gives way (rung 2 of 10): interactive_premium TTFT p95")
        .contains("model queue 70% of slow requests' TTFT");
    assertThat(batch.evidence().trigger().trafficClass()).isEqualTo(PREMIUM);
    assertThat(batch.evidence().cause()).isEqualTo(Tier.MODEL);
    assertThat(e.signal(PREMIUM).reasons().get(0))
        .isEqualTo(
            "admit: deferred_batch gives way (rung 2 of 10), raised for interactive_premium");
    assertThat(transitions)
        .extracting(t -> t.trafficClass() + " " + t.from() + "->" + t.to())
        .containsExactly("deferred_batch admit->shed");
  }

  @Test
  void aModelQueueActsOnTheFreshestWindowButAMeshSlowdownWaitsForTheWholeFastWindow() {
    Map<String, ClassReading> m = healthy();
    m.put(PREMIUM, new ClassReading(PREMIUM, 200, 200, 700_000, 800_000, 0.6, 3, 0.1, 0.6, null));
    assertThat(decision(tick(m, 60), BATCH)).isEqualTo("shed");

    state = ControlState.initial("acme", T0);
    m.put(
        PREMIUM,
        new ClassReading(PREMIUM, 200, 200, 700_000, 800_000, 0.6, 3, 0.02, 0.02, Tier.MESH));
    ControlPolicy.Evaluation e = tick(m, 20);
    assertThat(e.signals()).extracting(ControlSignal::decision).containsOnly("admit");
  }

  @Test
  void theLadderWaitsForRequestsThatStartedAfterItsLastStepBeforeClimbingAgain() {
    tick(premiumQueued(1.2), 60);
    // Still in distress, but the fast window holds requests from before the step: hold.
    for (int s = 1; s < 20; s++) {
      clock.set(T0.plusSeconds(s));
      ControlPolicy.Evaluation e = tick(premiumQueued(5), 60);
      assertThat(state.rung()).as("at +%ds", s).isEqualTo(2);
      assertThat(e.signal(BATCH).reasons())
          .contains("held at rung 2: waiting for requests that started after the last step");
    }
    // The window [T0+30s, T0+60s) starts after the step: still in distress, one more rung.
    clock.set(T0.plusSeconds(50));
    ControlPolicy.Evaluation e = tick(premiumQueued(1.5), 60);
    assertThat(state.rung()).isEqualTo(3);
    assertThat(decision(e, STANDARD)).isEqualTo("degrade-1");
    assertThat(decision(e, BATCH)).isEqualTo("shed");
    assertThat(decision(e, PREMIUM)).isEqualTo("admit");
  }

  @Test
  void severityClimbsOneRungPerDoublingOfTheBurnRate() {
    // Slow prefill: model verdict without a queue, so no jump to shed.
    Map<String, ClassReading> m = healthy();
    m.put(PREMIUM, reading(PREMIUM, 800_000, 4.5, 0.05, Tier.MODEL));
    ControlPolicy.Evaluation e = tick(m, 20);
    assertThat(state.rung()).isEqualTo(3); // 1 + floor(log2(4.5))
    assertThat(decision(e, BATCH)).isEqualTo("shed");
    assertThat(decision(e, STANDARD)).isEqualTo("degrade-1");

    state = ControlState.initial("acme", T0);
    m.put(PREMIUM, reading(PREMIUM, 800_000, 1.5, 0.05, Tier.MODEL));
    e = tick(m, 20);
    assertThat(state.rung()).isEqualTo(1);
    assertThat(decision(e, BATCH)).isEqualTo("defer");
  }

  @Test
  void premiumDegradesOnlyOnceBatchAndStandardHaveGivenWayCompletely() {
    ControlPolicy.Evaluation e = null;
    for (int i = 0; i < 40; i++) {
      clock.set(T0.plusSeconds(40L * i));
      e = tick(premiumQueued(1.5), 60);
    }
    assertThat(state.rung()).isEqualTo(10);
    assertThat(decision(e, BATCH)).isEqualTo("shed");
    assertThat(decision(e, STANDARD)).isEqualTo("shed");
    assertThat(decision(e, PREMIUM)).isEqualTo("degrade-3");
    List<String> premium =
        transitions.stream()
            .filter(t -> t.trafficClass().equals(PREMIUM))
            .map(Transition::to)
            .toList();
    assertThat(premium).containsExactly("degrade-1", "degrade-2", "degrade-3");
    Transition firstPremium =
        transitions.stream().filter(t -> t.trafficClass().equals(PREMIUM)).findFirst().get();
    Transition standardShed =
        transitions.stream()
            .filter(t -> t.trafficClass().equals(STANDARD) && t.to().equals("shed"))
            .findFirst()
            .get();
    assertThat(firstPremium.at()).isAfter(standardShed.at());
  }

  @Test
  void standardInDistressNeverTouchesPremium() {
    Map<String, ClassReading> m = healthy();
    m.put(STANDARD, reading(STANDARD, 1_500_000, 3, 0.8, null));
    for (int i = 0; i < 40; i++) {
      clock.set(T0.plusSeconds(40L * i));
      tick(m, 60);
    }
    assertThat(state.rung()).isEqualTo(7);
    assertThat(state.classes().get(PREMIUM).action()).isEqualTo(Action.ADMIT);
    assertThat(state.classes().get(STANDARD).action()).isEqualTo(Action.SHED);
  }

  @Test
  void relaxesOneRungPerDwellOnceHealthyAndTheRateIsBack() {
    tick(premiumQueued(2), 60);
    assertThat(state.rung()).isEqualTo(2);

    // Healthy but the surge goes on: held by the request rate.
    clock.set(T0.plusSeconds(120));
    ControlPolicy.Evaluation e = tick(healthy(), 60);
    assertThat(state.rung()).isEqualTo(2);
    assertThat(e.signal(BATCH).reasons().get(1))
        .isEqualTo(
            "held at rung 2: the request rate 60.0/s is still above 25.0/s (20.0/s before the"
                + " first step + 25%)");

    // The rate is back: one rung down (shed -> defer), then nothing for a dwell.
    clock.set(T0.plusSeconds(130));
    e = tick(healthy(), 21);
    assertThat(state.rung()).isEqualTo(1);
    assertThat(decision(e, BATCH)).isEqualTo("defer");
    clock.set(T0.plusSeconds(185));
    e = tick(healthy(), 21);
    assertThat(state.rung()).isEqualTo(1);
    assertThat(e.signal(BATCH).reasons().get(1))
        .isEqualTo("held at rung 1: dwell: held 55 s of 60 s");
    clock.set(T0.plusSeconds(190));
    e = tick(healthy(), 21);
    assertThat(state.rung()).isZero();
    assertThat(e.signals()).extracting(ControlSignal::decision).containsOnly("admit");
    assertThat(state.triggerClass()).isEmpty();
    assertThat(state.baselineRequestsPerSecond()).isZero();
    assertThat(transitions)
        .extracting(t -> t.trafficClass() + " " + t.from() + "->" + t.to())
        .containsExactly(
            "deferred_batch admit->shed",
            "deferred_batch shed->defer",
            "deferred_batch defer->admit");
  }

  @Test
  void betweenTheTriggerAndTheRecoveryBurnRateNothingMoves() {
    tick(premiumQueued(2), 60);
    Map<String, ClassReading> m = healthy();
    m.put(PREMIUM, reading(PREMIUM, 800_000, 0.8, 0.1, null)); // below trigger, above recovery
    for (int s = 60; s < 600; s += 10) {
      clock.set(T0.plusSeconds(s));
      tick(m, 20);
      assertThat(state.rung()).isEqualTo(2);
    }
  }

  @Test
  void aMeshSlowdownDegradesTheSlowClassItselfUpToLevelTwo() {
    Map<String, ClassReading> m = healthy();
    m.put(PREMIUM, reading(PREMIUM, 800_000, 2, 0.02, Tier.MESH));
    ControlPolicy.Evaluation e = tick(m, 20);
    assertThat(decision(e, PREMIUM)).isEqualTo("degrade-1");
    assertThat(decision(e, BATCH)).isEqualTo("admit");
    assertThat(decision(e, STANDARD)).isEqualTo("admit");
    assertThat(state.rung()).isZero();
    assertThat(e.signal(PREMIUM).reasons().get(0))
        .isEqualTo(
            "degrade-1: interactive_premium is slow in the mesh tier, where only degradation"
                + " helps");
    clock.set(T0.plusSeconds(5));
    assertThat(decision(tick(m, 20), PREMIUM)).isEqualTo("degrade-1"); // not fresh yet
    for (int s = 40; s < 400; s += 40) {
      clock.set(T0.plusSeconds(s));
      e = tick(m, 20);
    }
    assertThat(decision(e, PREMIUM)).isEqualTo("degrade-2");
    // Healthy again: one level per dwell.
    clock.set(T0.plusSeconds(500));
    assertThat(decision(tick(healthy(), 20), PREMIUM)).isEqualTo("degrade-1");
    clock.set(T0.plusSeconds(530));
    assertThat(decision(tick(healthy(), 20), PREMIUM)).isEqualTo("degrade-1");
    clock.set(T0.plusSeconds(560));
    assertThat(decision(tick(healthy(), 20), PREMIUM)).isEqualTo("admit");
  }

  @Test
  void anEdgeSlowdownChangesNothingAndSaysWhy() {
    Map<String, ClassReading> m = healthy();
    m.put(PREMIUM, reading(PREMIUM, 800_000, 3, 0.01, Tier.EDGE));
    for (int s = 0; s < 300; s += 10) {
      clock.set(T0.plusSeconds(s));
      ControlPolicy.Evaluation e = tick(m, 20);
      assertThat(e.signals()).extracting(ControlSignal::decision).containsOnly("admit");
      assertThat(e.signal(PREMIUM).reasons().get(0))
          .isEqualTo(
              "admit: interactive_premium is slow (verdict edge), where neither admission nor"
                  + " degradation helps");
    }
    assertThat(transitions).isEmpty();
  }

  @Test
  void aClassWithTooFewRequestsIsNotJudged() {
    Map<String, ClassReading> m = healthy();
    m.put(PREMIUM, new ClassReading(PREMIUM, 29, 29, 2_000_000, 800_000, 20, 20, 0.9, 0.9, null));
    ControlPolicy.Evaluation e = tick(m, 20);
    assertThat(e.signals()).extracting(ControlSignal::decision).containsOnly("admit");
    assertThat(e.signal(PREMIUM).reasons().get(0))
        .isEqualTo("admit: too few requests to judge (29 < 30)");
  }

  @Test
  void aNewPolicyContinuesFromTheStoredStateAsIfNothingHappened() {
    tick(premiumQueued(2), 60);
    ControlState stored = state;
    // A new leader (a new policy object) 30 s later, healthy readings, rate back to normal: the
    // dwell started at T0 still holds it.
    ControlPolicy successor = new ControlPolicy(ControlConfig.defaults(classes), classes, clock);
    clock.set(T0.plusSeconds(40));
    ControlPolicy.Evaluation e =
        successor.evaluate(
            stored,
            new ControlInputs("acme", T0.plusSeconds(20), T0.plusSeconds(50), healthy(), 20, 20));
    assertThat(e.state().rung()).isEqualTo(2);
    assertThat(e.signal(BATCH).since()).isEqualTo(T0);
    assertThat(e.transitions()).isEmpty();
  }

  @Test
  void configurationErrorsNameTheProblem() {
    ControlConfig d = ControlConfig.defaults(classes);
    assertThatThrownBy(
            () ->
                new ControlConfig(
                        List.of("gold"),
                        d.steps(),
                        d.tiers(),
                        1,
                        0.5,
                        0.25,
                        30,
                        d.dwell(),
                        0.25,
                        d.fastWindow(),
                        d.loadWindow(),
                        d.baselineWindow(),
                        d.signalTtl())
                    .validate(classes))
        .hasMessageContaining("give-way order names unknown class 'gold'");
    assertThatThrownBy(
            () ->
                new ControlConfig(
                    d.giveWay(),
                    Map.of(BATCH, List.of(Step.shed(), Step.defer())),
                    d.tiers(),
                    1,
                    0.5,
                    0.25,
                    30,
                    d.dwell(),
                    0.25,
                    d.fastWindow(),
                    d.loadWindow(),
                    d.baselineWindow(),
                    d.signalTtl()))
        .hasMessageContaining("defer must come before shed");
    assertThatThrownBy(
            () ->
                new ControlConfig(
                    d.giveWay(),
                    d.steps(),
                    d.tiers(),
                    1,
                    1,
                    0.25,
                    30,
                    d.dwell(),
                    0.25,
                    d.fastWindow(),
                    d.loadWindow(),
                    d.baselineWindow(),
                    d.signalTtl()))
        .hasMessageContaining("recover burn rate >= 0 and below the trigger burn rate");
    assertThat(Step.parse("degrade-2")).isEqualTo(Step.degrade(2));
    assertThatThrownBy(() -> Step.parse("degrade-4"))
        .hasMessageContaining("degradation level must be 1 to 3");
    assertThatThrownBy(() -> Step.parse("pause")).hasMessageContaining("invalid step 'pause'");
  }
}
