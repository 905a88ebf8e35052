package dev.tierscope.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.core.attribution.Tier;
import dev.tierscope.core.control.Action;
import dev.tierscope.core.control.ClassReading;
import dev.tierscope.core.control.ControlSignal;
import dev.tierscope.core.control.ControlState;
import dev.tierscope.core.control.ControlStore;
import dev.tierscope.core.control.Evidence;
import dev.tierscope.core.leader.LeaderElection;
import dev.tierscope.core.leader.Lease;
import dev.tierscope.core.store.FencedException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ControlStore} must do, fenced by the {@link LeaderElection} of the same
 * deployment: run against the in-memory reference and PostgreSQL.
 */
abstract class ControlStoreContract {

  private static final Instant T0 = Instant.parse("2026-12-01T10:00:00Z");
  private static final String ROLE = "control";

  /** A new instance's election, sharing the deployment of every other call. */
  protected abstract LeaderElection newElection();

  protected abstract ControlStore store();

  /** A tenant name no other test of the class uses (the PostgreSQL store is shared). */
  private static int tenants;

  private static synchronized String tenant() {
    return "t" + ++tenants + "-" + System.nanoTime();
  }

  private static ClassReading reading(String cls, long requests, double burn, double queue) {
    return new ClassReading(
        cls, requests, requests, 1_234_000, 800_000, burn, burn * 2, queue, queue / 2, null);
  }

  /** The state and signals of a tenant whose premium is queued: batch shed at rung 2. */
  private static Snapshot shedding(String tenant, Instant at) {
    ClassReading premium = reading("interactive_premium", 212, 3.5, 0.78);
    ClassReading batch = reading("deferred_batch", 40, 0, 0);
    Evidence base =
        new Evidence(
            2,
            10,
            "interactive_premium",
            Tier.MODEL,
            at.minusSeconds(20),
            at.plusSeconds(10),
            premium,
            null,
            59.5,
            20.25);
    Map<String, ControlState.ClassState> classes = new LinkedHashMap<>();
    classes.put("interactive_premium", new ControlState.ClassState(0, T0, Action.ADMIT, 0, T0));
    classes.put("deferred_batch", new ControlState.ClassState(0, T0, Action.SHED, 0, at));
    classes.put("standard_interactive", new ControlState.ClassState(1, at, Action.DEGRADE, 1, at));
    ControlState state =
        new ControlState(tenant, 2, at, "interactive_premium", Tier.MODEL, 20.25, classes);
    List<ControlSignal> signals =
        List.of(
            signal(tenant, "deferred_batch", Action.SHED, 0, at, with(base, batch)),
            signal(tenant, "interactive_premium", Action.ADMIT, 0, T0, with(base, premium)),
            signal(tenant, "standard_interactive", Action.DEGRADE, 1, at, with(base, null)));
    return new Snapshot(state, signals);
  }

  private record Snapshot(ControlState state, List<ControlSignal> signals) {}

  private static Evidence with(Evidence e, ClassReading own) {
    return new Evidence(
        e.rung(),
        e.rungs(),
        e.triggerClass(),
        e.cause(),
        e.windowFrom(),
        e.windowTo(),
        e.trigger(),
        own,
        e.requestsPerSecond(),
        e.baselineRequestsPerSecond());
  }

  private static ControlSignal signal(
      String tenant, String cls, Action a, int level, Instant since, Evidence e) {
    return new ControlSignal(
        tenant,
        cls,
        a,
        level,
        since,
        T0.plusSeconds(30),
        T0.plusSeconds(90),
        List.of("because " + cls, "second reason"),
        e);
  }

  @Test
  void savedSignalsAndStateReadBackAsSaved() {
    LeaderElection a = newElection();
    try {
      Lease lease = a.tryLead(ROLE).orElseThrow();
      ControlStore store = store();
      String tenant = tenant();
      Snapshot s = shedding(tenant, T0.plusSeconds(25));
      store.save(lease, s.state(), s.signals());

      assertThat(store.signals(tenant)).containsExactlyElementsOf(s.signals());
      assertThat(store.states().get(tenant)).isEqualTo(s.state());
      assertThat(store.signals(null)).containsAll(s.signals());
    } finally {
      a.close();
    }
  }

  @Test
  void aSaveReplacesTheTenantsSignalsAndLeavesOtherTenantsAlone() {
    LeaderElection a = newElection();
    try {
      Lease lease = a.tryLead(ROLE).orElseThrow();
      ControlStore store = store();
      String one = tenant();
      String two = tenant();
      Snapshot first = shedding(one, T0.plusSeconds(25));
      store.save(lease, first.state(), first.signals());
      Snapshot other = shedding(two, T0.plusSeconds(26));
      store.save(lease, other.state(), other.signals());

      Instant t = T0.plusSeconds(200);
      ControlState calm =
          new ControlState(
              one,
              0,
              t,
              "",
              null,
              0,
              Map.of("deferred_batch", new ControlState.ClassState(0, t, Action.ADMIT, 0, t)));
      ControlSignal admit =
          signal(
              one,
              "deferred_batch",
              Action.ADMIT,
              0,
              T0.plusSeconds(200),
              new Evidence(0, 10, "", null, T0, T0.plusSeconds(30), null, null, 20, 0));
      store.save(lease, calm, List.of(admit));

      assertThat(store.signals(one)).containsExactly(admit);
      assertThat(store.states().get(one)).isEqualTo(calm);
      assertThat(store.signals(two)).containsExactlyElementsOf(other.signals());
    } finally {
      a.close();
    }
  }

  @Test
  void aLeaderThatLostItsTermCannotWrite() {
    LeaderElection a = newElection();
    LeaderElection b = newElection();
    try {
      Lease old = a.tryLead(ROLE).orElseThrow();
      ControlStore store = store();
      String tenant = tenant();
      Snapshot first = shedding(tenant, T0.plusSeconds(25));
      store.save(old, first.state(), first.signals());
      a.close(); // steps down
      Lease next = b.tryLead(ROLE).orElseThrow();
      assertThat(next.term()).isGreaterThan(old.term());

      Snapshot stale = shedding(tenant, T0.plusSeconds(99));
      assertThatThrownBy(() -> store.save(old, stale.state(), stale.signals()))
          .isInstanceOf(FencedException.class)
          .hasMessageContaining("control state of term " + old.term() + " refused");
      assertThat(store.signals(tenant)).containsExactlyElementsOf(first.signals());

      store.save(next, stale.state(), stale.signals());
      assertThat(store.states().get(tenant)).isEqualTo(stale.state());
    } finally {
      a.close();
      b.close();
    }
  }
}
