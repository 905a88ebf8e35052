package dev.tierscope.server.surge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.sdk.TrafficClass;
import dev.tierscope.server.TestServers;
import dev.tierscope.server.TierscopeServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The proof against a surge, compressed: the scenario of {@code surge-proof} (6 minutes healthy, a
 * 3x surge for 5 minutes, 3 minutes healthy; C so that the healthy load uses half the model tier;
 * first in, first out) at {@value SurgeProof#COMPRESSED_SPEED}x, through the real pipeline, with
 * the checks of the full run. The open loop's table comes from the ground truth without sending its
 * spans (it never reads a signal), which halves the pipeline's load.
 */
class SurgeProofIT {

  @Test
  void theClosedLoopProtectsPremiumFromASurgeAndBatchPays() throws Exception {
    SurgeProof proof = new SurgeProof(1, SurgeProof.COMPRESSED_SPEED, false);
    try (TierscopeServer server =
        TestServers.start(
            "surge", SurgeProof.serverProperties(SurgeProof.COMPRESSED_SPEED), proof.clock())) {
      SurgeProof.Result r = proof.run(server, System.out);
      SurgeProof.print(r, System.out);

      SurgeProof.Row premiumClosed = r.closedRows().get(TrafficClass.INTERACTIVE_PREMIUM);
      SurgeProof.Row premiumOpen = r.openRows().get(TrafficClass.INTERACTIVE_PREMIUM);
      SurgeProof.Row batchClosed = r.closedRows().get(TrafficClass.DEFERRED_BATCH);
      assertThat(premiumClosed.ttftP95Ms())
          .as("closed loop: premium TTFT p95 at least 10% under its threshold")
          .isLessThanOrEqualTo(0.9 * premiumClosed.thresholdMs());
      assertThat(premiumOpen.ttftP95Ms())
          .as("open loop: premium breaches its threshold")
          .isGreaterThan(premiumOpen.thresholdMs());
      assertThat(premiumClosed.deferred() + premiumClosed.shed() + premiumClosed.degraded())
          .as("premium does not pay")
          .isZero();
      assertThat(batchClosed.deferred() + batchClosed.shed()).as("batch pays").isPositive();
      assertThat(r.reaction())
          .as("reaction")
          .isNotNull()
          .isLessThanOrEqualTo(Duration.ofSeconds(30));
      assertThat(r.closed().heard())
          .as("no signal change on the healthy traffic before the surge")
          .allMatch(h -> !h.at().isBefore(r.closed().start().plus(SurgeProof.HEALTHY)));
      assertThat(r.problems()).as("every check of the proof").isEmpty();
    }
  }
}
