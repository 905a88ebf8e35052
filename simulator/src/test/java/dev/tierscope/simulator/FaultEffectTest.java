package dev.tierscope.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.sdk.ClientPath;
import dev.tierscope.sdk.Outcome;
import dev.tierscope.sdk.TrafficClass;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Each fault moves the component of its own tier and no other: the same seed is run healthy and
 * with the fault on for the whole run, and the two runs are compared request by request (the random
 * streams of the other tiers are untouched by a fault, so their values must be identical).
 */
class FaultEffectTest {

  private static final Duration RUN = Duration.ofMinutes(4);

  // Each run is computed once and shared by both tests.
  private static final java.util.Map<FaultKind, List<SimulatedRequest>> FAULTED =
      new java.util.concurrent.ConcurrentHashMap<>();
  private static List<SimulatedRequest> healthyRun;

  private static synchronized List<SimulatedRequest> healthy() {
    if (healthyRun == null) {
      healthyRun = run(FaultSchedule.none());
    }
    return healthyRun;
  }

  private static List<SimulatedRequest> faulted(FaultKind kind) {
    return FAULTED.computeIfAbsent(
        kind, k -> run(FaultSchedule.of(FaultWindow.of(k, Duration.ZERO, RUN.plusMinutes(5)))));
  }

  private static List<SimulatedRequest> run(FaultSchedule faults) {
    CollectingSink sink = new CollectingSink();
    Simulation.run(
        SimulationTest.fast(2024).duration(RUN).requestsPerSecond(25).faults(faults).build(),
        SimulationTest.START,
        sink);
    List<SimulatedRequest> out = new java.util.ArrayList<>(sink.requests);
    out.sort(java.util.Comparator.comparingLong(SimulatedRequest::index));
    return out;
  }

  private static ToLongFunction<SimulatedRequest> component(Tier tier) {
    return switch (tier) {
      case EDGE -> SimulatedRequest::edgeMicros;
      case MESH -> SimulatedRequest::meshMicros;
      case MODEL -> SimulatedRequest::modelMicros;
    };
  }

  /** Nearest-rank p95 of {@code f} over the interactive requests, microseconds. */
  private static long p95(List<SimulatedRequest> requests, ToLongFunction<SimulatedRequest> f) {
    long[] v =
        requests.stream()
            .filter(r -> r.trafficClass() != TrafficClass.DEFERRED_BATCH)
            .mapToLong(f)
            .sorted()
            .toArray();
    return v[(int) Math.ceil(0.95 * v.length) - 1];
  }

  private static double share(List<SimulatedRequest> requests, Predicate<SimulatedRequest> p) {
    return (double) requests.stream().filter(p).count() / requests.size();
  }

  @ParameterizedTest
  @EnumSource(FaultKind.class)
  void faultMovesItsOwnTierAndLeavesTheOthersUntouched(FaultKind kind) {
    List<SimulatedRequest> healthy = healthy();
    List<SimulatedRequest> faulted = faulted(kind);
    assertThat(faulted).hasSameSizeAs(healthy).hasSizeGreaterThan(4000);

    Tier tier = kind.tier();
    for (int i = 0; i < healthy.size(); i++) {
      SimulatedRequest h = healthy.get(i);
      SimulatedRequest f = faulted.get(i);
      assertThat(f.traceId()).isEqualTo(h.traceId());
      assertThat(f.faults()).extracting(FaultWindow::kind).containsExactly(kind);
      for (Tier other : Tier.values()) {
        long before = component(other).applyAsLong(h);
        long after = component(other).applyAsLong(f);
        if (other == tier && kind.movesTtft()) {
          assertThat(after).as("%s of request %d", other, i).isGreaterThanOrEqualTo(before);
        } else {
          assertThat(after).as("%s of request %d under %s", other, i, kind).isEqualTo(before);
        }
      }
    }

    if (kind.movesTtft()) {
      // A failover adds the distance to the standby region (a round trip of ~95 ms per call to
      // it), not the hundreds of milliseconds of a fault; it is measured over the requests that
      // made the call that moved.
      Predicate<SimulatedRequest> called =
          kind == FaultKind.RETRIEVAL_FAILOVER ? r -> r.retrieval() != null : r -> true;
      long bar = kind.failover() ? 60_000 : 150_000;
      long before = p95(healthy.stream().filter(called).toList(), component(tier));
      long after = p95(faulted.stream().filter(called).toList(), component(tier));
      assertThat(after - before)
          .as("p95 of the %s component under %s (%d -> %d us)", tier, kind, before, after)
          .isGreaterThan(bar);
      assertThat(p95(faulted, SimulatedRequest::ttftMicros))
          .isGreaterThan(p95(healthy, SimulatedRequest::ttftMicros));
    } else {
      assertThat(share(faulted, r -> r.outcome() == Outcome.INTERRUPTED))
          .isGreaterThan(0.05)
          .isGreaterThan(5 * share(healthy, r -> r.outcome() == Outcome.INTERRUPTED));
      assertThat(faulted)
          .filteredOn(r -> r.outcome() == Outcome.INTERRUPTED)
          .allMatch(r -> r.model().outcome() == Outcome.INTERRUPTED)
          .allMatch(r -> r.model().outputTokens() >= 1);
    }
  }

  @ParameterizedTest
  @EnumSource(FaultKind.class)
  void faultShowsInItsOwnSubSignal(FaultKind kind) {
    List<SimulatedRequest> healthy = healthy();
    List<SimulatedRequest> faulted = faulted(kind);
    switch (kind) {
      case EDGE_LOSS, EDGE_MTU_BLACKHOLE ->
          assertThat(faulted.stream().mapToLong(SimulatedRequest::retransmits).sum())
              .isGreaterThan(
                  10
                      * Math.max(
                          1, healthy.stream().mapToLong(SimulatedRequest::retransmits).sum()));
      case EDGE_PROTOCOL_FALLBACK ->
          assertThat(share(faulted, SimulatedRequest::protocolFallback))
              .isGreaterThan(10 * share(healthy, SimulatedRequest::protocolFallback));
      case EDGE_VPN -> {
        // Only the VPN clients slow down.
        for (int i = 0; i < healthy.size(); i++) {
          if (healthy.get(i).client().path() != ClientPath.VPN) {
            assertThat(faulted.get(i).edgeMicros()).isEqualTo(healthy.get(i).edgeMicros());
          }
        }
        assertThat(
                p95(
                    faulted.stream().filter(r -> r.client().path() == ClientPath.VPN).toList(),
                    SimulatedRequest::edgeMicros))
            .isGreaterThan(400_000);
      }
      case MESH_RETRIEVAL_MISS ->
          assertThat(share(faulted, r -> r.retrieval() != null && r.retrieval().fallback()))
              .isGreaterThan(
                  5 * share(healthy, r -> r.retrieval() != null && r.retrieval().fallback()));
      case MESH_TOOL_TIMEOUT ->
          assertThat(share(faulted, SimulatedRequest::toolchainFailed))
              .isGreaterThan(
                  10 * Math.max(0.001, share(healthy, SimulatedRequest::toolchainFailed)));
      case MODEL_QUEUE_SATURATION ->
          assertThat(p95(faulted, r -> r.model().queueMicros()))
              .isGreaterThan(p95(healthy, r -> r.model().queueMicros()) + 500_000);
      case MODEL_SLOW_PREFILL ->
          // Prefill, not the queue: queue times are identical.
          assertThat(faulted)
              .extracting(r -> r.model().queueMicros())
              .isEqualTo(healthy.stream().map(r -> r.model().queueMicros()).toList());
      case MODEL_FAILOVER -> {
        // Every model call moved to the standby runtime in the other region and paid one round
        // trip more before its first token; the queue it reports is its own, unchanged.
        assertThat(healthy).allMatch(r -> r.model().backend().equals(Backend.MODEL_PRIMARY));
        assertThat(faulted).allMatch(r -> r.model().backend().equals(Backend.MODEL_SECONDARY));
        for (int i = 0; i < healthy.size(); i++) {
          assertThat(faulted.get(i).modelMicros() - healthy.get(i).modelMicros())
              .isBetween(30_000L, 200_000L);
          assertThat(faulted.get(i).model().queueMicros())
              .isEqualTo(healthy.get(i).model().queueMicros());
        }
      }
      case RETRIEVAL_FAILOVER -> {
        // Every retrieval moved to the standby retriever and paid the round trip three times;
        // requests without a retrieval are untouched.
        for (int i = 0; i < healthy.size(); i++) {
          SimulatedRequest h = healthy.get(i);
          SimulatedRequest f = faulted.get(i);
          assertThat(f.model().backend()).isEqualTo(Backend.MODEL_PRIMARY);
          if (h.retrieval() == null) {
            assertThat(f.retrieval()).isNull();
            assertThat(f.meshMicros()).isEqualTo(h.meshMicros());
            continue;
          }
          assertThat(h.retrieval().backend()).isEqualTo(Backend.RETRIEVAL_PRIMARY);
          assertThat(f.retrieval().backend()).isEqualTo(Backend.RETRIEVAL_SECONDARY);
          assertThat(f.retrieval().durationMicros() - h.retrieval().durationMicros())
              .isEqualTo(f.meshMicros() - h.meshMicros())
              .isBetween(3 * 30_000L, 3 * 200_000L);
        }
      }
      case EDGE_LATENCY, MESH_RETRIEVAL_SLOWDOWN, MESH_POLICY_LATENCY, STREAM_INTERRUPTION -> {
        // Their sub-signal is the component itself (latency, retrieval, policy time) or the
        // outcome, checked above.
      }
    }
  }

  @org.junit.jupiter.api.Test
  void aPartialFailoverMovesItsShareOfTheCallsAndLeavesTheRestAsTheyWere() {
    List<SimulatedRequest> healthy = healthy();
    List<SimulatedRequest> half =
        run(
            FaultSchedule.of(
                new FaultWindow(FaultKind.MODEL_FAILOVER, Duration.ZERO, RUN.plusMinutes(5), 0.5)));
    assertThat(share(half, r -> r.model().backend().equals(Backend.MODEL_SECONDARY)))
        .isBetween(0.45, 0.55);
    for (int i = 0; i < healthy.size(); i++) {
      SimulatedRequest h = healthy.get(i);
      SimulatedRequest f = half.get(i);
      if (f.model().backend().equals(Backend.MODEL_PRIMARY)) {
        assertThat(f.ttftMicros()).isEqualTo(h.ttftMicros());
      } else {
        assertThat(f.modelMicros()).isGreaterThan(h.modelMicros());
      }
    }
  }
}
