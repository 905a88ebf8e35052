package dev.tierscope.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FreshnessTest {

  private static final long MS = 1_000_000L;

  @Test
  void theKthAcknowledgedRequestIsMatchedWithTheFirstPollCountingK() {
    // two exports of 2 requests at 0 ms and 100 ms; the API counts 1 at 5000, 3 at 5100, 4 at 5300
    List<Freshness.Ack> acks = List.of(new Freshness.Ack(0, 2), new Freshness.Ack(100 * MS, 2));
    List<Freshness.Count> counts =
        List.of(
            new Freshness.Count(4900 * MS, 0),
            new Freshness.Count(5000 * MS, 1),
            new Freshness.Count(5100 * MS, 3),
            new Freshness.Count(5300 * MS, 4));

    Freshness.Summary s = Freshness.of(acks, 0, counts);

    // ranks 1..4: 5000-0, 5100-0, 5100-100, 5300-100
    assertThat(s.requests()).isEqualTo(4);
    assertThat(s.uncounted()).isZero();
    assertThat(s.p50Ms()).isEqualTo(5000.0);
    assertThat(s.p99Ms()).isEqualTo(5200.0);
    assertThat(s.maxMs()).isEqualTo(5200.0);
    assertThat(s.meanMs()).isEqualTo((5000 + 5100 + 5000 + 5200) / 4.0);
  }

  @Test
  void ranksStartAfterTheRequestsOfEarlierStepsAndUncountedOnesAreReported() {
    List<Freshness.Ack> acks = List.of(new Freshness.Ack(1000 * MS, 3));
    List<Freshness.Count> counts =
        List.of(new Freshness.Count(900 * MS, 10), new Freshness.Count(7000 * MS, 12));

    Freshness.Summary s = Freshness.of(acks, 10, counts);

    // ranks 11 and 12 were counted by the poll at 7000 ms; rank 13 by none
    assertThat(s.requests()).isEqualTo(2);
    assertThat(s.uncounted()).isEqualTo(1);
    assertThat(s.maxMs()).isEqualTo(6000.0);
  }

  @Test
  void aPollBeforeTheAcknowledgementCountsAsTheAcknowledgementItself() {
    Freshness.Summary s =
        Freshness.of(
            List.of(new Freshness.Ack(500 * MS, 1)), 0, List.of(new Freshness.Count(400 * MS, 1)));

    assertThat(s.p99Ms()).isZero();
  }
}
