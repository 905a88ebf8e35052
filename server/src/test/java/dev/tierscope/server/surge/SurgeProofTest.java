package dev.tierscope.server.surge;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The time bounds of the proof's server: a compressed run's spans must get through. */
class SurgeProofTest {

  @Test
  void aRealTimeRunKeepsTheDefaultTimeBounds() {
    assertThat(SurgeProof.lead(1)).isZero();
    assertThat(SurgeProof.serverProperties(1))
        .doesNotContainKeys(
            "tierscope.ingest.max-future-skew",
            "tierscope.aggregator.max-future-skew",
            "tierscope.aggregator.stream-time-tolerance");
  }

  @Test
  void aCompressedRunAllowsItsLeadOverTheWallClockInIngestAndAggregator() {
    double speed = SurgeProof.COMPRESSED_SPEED;
    // After the horizon of simulated time, a wall clock has seen horizon / speed of it.
    Duration horizon = SurgeProof.HORIZON;
    Duration wallElapsed = Duration.ofNanos(Math.round(horizon.toNanos() / speed));
    Duration lead = SurgeProof.lead(speed);
    assertThat(lead).isGreaterThanOrEqualTo(horizon.minus(wallElapsed));
    assertThat(lead).isLessThan(horizon.minus(wallElapsed).plusMinutes(1));
    assertThat(horizon)
        .isGreaterThanOrEqualTo(SurgeProof.HEALTHY.plus(SurgeProof.SURGE).plus(SurgeProof.AFTER));

    Map<String, String> p = SurgeProof.serverProperties(speed);
    String ahead = lead.toMinutes() + "m";
    assertThat(p)
        .containsEntry("tierscope.ingest.max-future-skew", ahead)
        .containsEntry("tierscope.aggregator.max-future-skew", ahead)
        .containsEntry("tierscope.aggregator.stream-time-tolerance", ahead);
  }
}
