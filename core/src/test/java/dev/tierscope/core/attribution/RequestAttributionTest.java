package dev.tierscope.core.attribution;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.window.Exemplar.Breakdown;
import java.util.EnumMap;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** The dominant tier of one request against the baseline's distributions. */
class RequestAttributionTest {

  /** Edge 40-60 ms, mesh 80-120 ms with a fifth at 300-450 ms, model 120-180 ms. */
  private static Map<Tier, Histogram> baseline() {
    Map<Tier, Histogram> m = new EnumMap<>(Tier.class);
    for (Tier t : Tier.values()) {
      m.put(t, new Histogram(2));
    }
    for (int i = 0; i < 1_000; i++) {
      m.get(Tier.EDGE).recordValue(40_000 + 20L * i);
      m.get(Tier.MESH).recordValue(i % 5 == 0 ? 300_000 + 150L * i : 80_000 + 40L * i);
      m.get(Tier.MODEL).recordValue(120_000 + 60L * i);
    }
    return m;
  }

  private static Breakdown breakdown(long edge, long mesh, long model, long queue) {
    return new Breakdown(edge, mesh, model, queue, "tool", "vpn", false, 0);
  }

  @Test
  void theMostUnusualTierWinsOverTheLargestPart() {
    // mesh 350 ms is a normal long tool chain; edge 200 ms is above every baseline edge
    RequestAttribution a =
        RequestAttribution.of(breakdown(200_000, 350_000, 150_000, 20_000), baseline());
    assertThat(a.tier()).isEqualTo(Tier.EDGE);
    assertThat(a.component()).isEqualTo("network");
    assertThat(a.percentile()).isEqualTo(100.0);
    assertThat(a.excessMicros()).isBetween(140_000L, 150_000L);
  }

  @Test
  void tiesAboveTheWholeBaselineGoToTheLargerExcess() {
    RequestAttribution a =
        RequestAttribution.of(breakdown(200_000, 350_000, 900_000, 700_000), baseline());
    assertThat(a.tier()).isEqualTo(Tier.MODEL);
    assertThat(a.component()).isEqualTo("queue");
  }

  @Test
  void componentsNameThePartOfTheTier() {
    Map<Tier, Histogram> none = Map.of();
    assertThat(
            RequestAttribution.of(new Breakdown(900_000, 1, 1, 0, "none", "", true, 0), none)
                .component())
        .isEqualTo("protocol_fallback");
    assertThat(
            RequestAttribution.of(new Breakdown(900_000, 1, 1, 0, "none", "", false, 2), none)
                .component())
        .isEqualTo("retransmits");
    assertThat(
            RequestAttribution.of(new Breakdown(1, 900_000, 1, 0, "none", "", false, 0), none)
                .component())
        .isEqualTo("gateway");
    assertThat(
            RequestAttribution.of(new Breakdown(1, 900_000, 1, 0, "retrieval", "", false, 0), none)
                .component())
        .isEqualTo("retrieval");
    assertThat(
            RequestAttribution.of(new Breakdown(1, 1, 900_000, 100_000, "none", "", false, 0), none)
                .component())
        .isEqualTo("prefill");
  }

  @Test
  void withoutABaselineTheLargestKnownPartWinsAndUnknownPartsAreSkipped() {
    RequestAttribution a =
        RequestAttribution.of(
            new Breakdown(-1, 300_000, 200_000, 10_000, "tool", "", false, 0), Map.of());
    assertThat(a.tier()).isEqualTo(Tier.MESH);
    assertThat(a.percentile()).isZero();
    assertThat(a.excessMicros()).isEqualTo(300_000);
    assertThat(RequestAttribution.of(Breakdown.UNKNOWN, baseline()))
        .isEqualTo(RequestAttribution.UNKNOWN);
  }
}
