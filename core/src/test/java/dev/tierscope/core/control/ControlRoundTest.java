package dev.tierscope.core.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.attribution.AttributionCalculator;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.leader.InMemoryLeaderElection;
import dev.tierscope.core.leader.Lease;
import dev.tierscope.core.store.FencedException;
import dev.tierscope.core.store.InMemoryWindowStore;
import dev.tierscope.core.testing.SummaryBuilder;
import dev.tierscope.core.window.WindowAggregator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Rounds of the control leader over in-memory windows, store and election, with a failover. */
class ControlRoundTest {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:05Z");

  private final TrafficClasses classes = TrafficClasses.defaults();
  private final ManualClock clock = new ManualClock(T0);
  private final InMemoryWindowStore windows = new InMemoryWindowStore();
  private final InMemoryLeaderElection.Registry deployment = new InMemoryLeaderElection.Registry();
  private final InMemoryControlStore store = new InMemoryControlStore(deployment);
  private final List<List<ControlSignal>> published = new ArrayList<>();
  private final ControlConfig config = ControlConfig.defaults(classes);
  private long trace;

  private ControlRound round() {
    ControlPolicy policy = new ControlPolicy(config, classes, clock);
    ControlInputsReader inputs =
        new ControlInputsReader(
            windows,
            new AttributionCalculator(windows, 0.1),
            classes,
            config,
            Duration.ofSeconds(10));
    return new ControlRound(
        policy, inputs, store, published::add, () -> Set.of("acme"), clock, Duration.ofSeconds(10));
  }

  /** {@code n} premium requests in the 10 s window holding {@code at}, queued {@code queueMs}. */
  private void premium(Instant at, int n, long queueMicros) {
    WindowAggregator w =
        new WindowAggregator(10_000, 2, c -> classes.get(c).objectives().ttftThresholdMicros());
    long windowStart = at.toEpochMilli() / 10_000 * 10_000_000;
    for (int i = 0; i < n; i++) {
      w.record(
          SummaryBuilder.request()
              .traceId(++trace)
              .tenant("acme")
              .trafficClass("interactive_premium")
              .eventTime(windowStart + i * 1000L)
              .clientTtft(50_000, 100_000, 150_000 + queueMicros)
              .modelQueue(queueMicros)
              .build());
    }
    windows.commit("g", 1, List.of(), w.drain());
  }

  private Lease lead(InMemoryLeaderElection e) {
    return e.tryLead("control").orElseThrow();
  }

  @Test
  void publishesEverySignalFirstThenChangesThenEverythingAgainAfterTheInterval() {
    InMemoryLeaderElection a = new InMemoryLeaderElection(deployment);
    ControlRound round = round();
    premium(T0, 100, 10_000);

    ControlRound.Result r = round.run(lead(a));
    assertThat(r.tenants()).isEqualTo(1);
    assertThat(published).hasSize(1);
    assertThat(published.get(0)).extracting(ControlSignal::decision).containsOnly("admit");
    assertThat(store.signals("acme")).hasSize(3);

    clock.advance(Duration.ofSeconds(1));
    assertThat(round.run(lead(a)).published()).isZero();

    premium(T0, 12, 2_000_000); // 12 of 112 queued 2 s: premium in distress, burn rate 2.1
    clock.advance(Duration.ofSeconds(1));
    r = round.run(lead(a));
    assertThat(r.published()).isEqualTo(1);
    assertThat(published.get(1))
        .extracting(ControlSignal::key)
        .containsExactly("acme/deferred_batch");
    assertThat(published.get(1).get(0).decision()).isEqualTo("shed");
    assertThat(r.transitions()).extracting(Transition::to).containsExactly("shed");

    clock.advance(Duration.ofSeconds(10));
    assertThat(round.run(lead(a)).published()).isEqualTo(3);
  }

  @Test
  void aSuccessorContinuesFromTheStoredStateAndTheOldLeaderIsFenced() {
    InMemoryLeaderElection a = new InMemoryLeaderElection(deployment);
    InMemoryLeaderElection b = new InMemoryLeaderElection(deployment);
    premium(T0, 100, 10_000);
    premium(T0, 12, 2_000_000);
    Lease leaseA = lead(a);
    round().run(leaseA);
    ControlSignal shed =
        store.signals("acme").stream()
            .filter(s -> s.trafficClass().equals("deferred_batch"))
            .findFirst()
            .orElseThrow();
    assertThat(shed.decision()).isEqualTo("shed");
    assertThat(shed.since()).isEqualTo(T0);

    a.crash();
    clock.advance(Duration.ofSeconds(5));
    ControlRound successor = round();
    ControlRound.Result r = successor.run(lead(b));
    assertThat(r.transitions()).isEmpty();
    ControlSignal still =
        store.signals("acme").stream()
            .filter(s -> s.trafficClass().equals("deferred_batch"))
            .findFirst()
            .orElseThrow();
    assertThat(still.decision()).isEqualTo("shed");
    assertThat(still.since()).as("the dwell did not restart").isEqualTo(T0);
    assertThat(still.evaluatedAt()).isEqualTo(T0.plusSeconds(5));

    assertThatThrownBy(() -> round().run(leaseA)).isInstanceOf(FencedException.class);
    assertThat(store.signals("acme")).allMatch(s -> s.evaluatedAt().equals(T0.plusSeconds(5)));
  }

  @Test
  void aTenantWithStoredStateIsEvaluatedAfterItsTrafficStops() {
    InMemoryLeaderElection a = new InMemoryLeaderElection(deployment);
    premium(T0, 100, 10_000);
    premium(T0, 12, 2_000_000);
    round().run(lead(a));
    ControlRound silent =
        new ControlRound(
            new ControlPolicy(config, classes, clock),
            new ControlInputsReader(
                windows,
                new AttributionCalculator(windows, 0.1),
                classes,
                config,
                Duration.ofSeconds(10)),
            store,
            published::add,
            Set::of,
            clock,
            Duration.ofSeconds(10));
    clock.advance(Duration.ofMinutes(10));
    ControlRound.Result r = silent.run(lead(a));
    assertThat(r.tenants()).isEqualTo(1);
    assertThat(r.transitions()).extracting(Transition::to).containsExactly("defer");
  }
}
