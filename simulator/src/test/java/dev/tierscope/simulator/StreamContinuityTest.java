package dev.tierscope.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.sdk.InterruptionCause;
import dev.tierscope.sdk.Outcome;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The simulator's streams have realistic gaps, some stalls, and a proxy timeout cuts at one time.
 */
class StreamContinuityTest {

  private static List<SimulatedRequest> run(Duration idleTimeout) {
    CollectingSink sink = new CollectingSink();
    Simulation.run(
        SimulationTest.fast(77)
            .duration(Duration.ofMinutes(6))
            .requestsPerSecond(25)
            .idleTimeout(idleTimeout)
            .build(),
        SimulationTest.START,
        sink);
    return List.copyOf(sink.requests);
  }

  @Test
  void streamsReportGapsAndAFewStallAndEveryInterruptionHasACause() {
    List<SimulatedRequest> rs = run(Duration.ZERO);
    List<SimulatedRequest> streamed =
        rs.stream().filter(r -> !r.refused() && r.model().outputTokens() >= 2).toList();
    assertThat(streamed).hasSizeGreaterThan(5_000);
    assertThat(streamed).allMatch(r -> r.maxGapMicros() > 0);
    // Inter-token gaps are tens of milliseconds; a stall is seconds.
    long stalled = streamed.stream().filter(r -> r.stalls() > 0).count();
    assertThat((double) stalled / streamed.size()).isBetween(0.005, 0.04);
    assertThat(streamed)
        .filteredOn(r -> r.stalls() > 0)
        .allMatch(r -> r.maxGapMicros() > 1_000_000);
    assertThat(streamed)
        .filteredOn(r -> r.stalls() == 0)
        .allMatch(r -> r.maxGapMicros() < 1_000_000 || r.outcome() != Outcome.COMPLETED);
    assertThat(rs)
        .filteredOn(r -> r.outcome() == Outcome.INTERRUPTED)
        .isNotEmpty()
        .allMatch(r -> r.interruptionCause() != null && r.cutAfterMicros() > 0);
    assertThat(rs)
        .filteredOn(r -> r.outcome() != Outcome.INTERRUPTED)
        .allMatch(r -> r.interruptionCause() == null);
    assertThat(rs).noneMatch(r -> r.interruptionCause() == InterruptionCause.IDLE_TIMEOUT);
  }

  @Test
  void aFixedIdleTimeoutCutsEveryLongerStreamAtOneDuration() {
    Duration timeout = Duration.ofSeconds(15);
    List<SimulatedRequest> healthy = run(Duration.ZERO);
    List<SimulatedRequest> cut = run(timeout);
    assertThat(cut).hasSameSizeAs(healthy);
    List<SimulatedRequest> timedOut =
        cut.stream().filter(r -> r.interruptionCause() == InterruptionCause.IDLE_TIMEOUT).toList();
    // The batch summaries stream for about 30 s: the proxy cuts them.
    assertThat(timedOut).hasSizeGreaterThan(100);
    assertThat(timedOut)
        .allMatch(r -> r.outcome() == Outcome.INTERRUPTED && r.cutAfterMicros() == 15_000_000);
    long longer =
        healthy.stream()
            .filter(
                r ->
                    !r.refused()
                        && r.clientEndMicros() - r.clientStartMicros() > 15_000_000
                        && r.clientFirstTokenMicros() - r.clientStartMicros() < 15_000_000)
            .count();
    assertThat(timedOut).hasSize((int) longer);
  }
}
