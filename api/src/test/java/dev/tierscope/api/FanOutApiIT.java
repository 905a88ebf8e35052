package dev.tierscope.api;

import static dev.tierscope.api.Scenarios.NOW;
import static dev.tierscope.api.Scenarios.PREMIUM;
import static dev.tierscope.api.Truth.assertPercentileMs;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.jayway.jsonpath.DocumentContext;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/v1/slo/series} for the end-to-end latency, the fan-out per request and missToFallback
 * (issue 19 point 3) against ground truth of the generated day: percentiles within 1%, counts,
 * means and ratios exact, from hourly rollups and raw windows alike.
 */
class FanOutApiIT {

  private static ApiFixture f;
  private static List<Req> premiumDay;

  @BeforeAll
  static void fixture() {
    f = ApiFixture.get();
    premiumDay = f.day.stream().filter(r -> r.trafficClass.equals(PREMIUM)).toList();
  }

  private static DocumentContext series(String sli, String stat, Instant from, String step) {
    return f.json(
        "/api/v1/slo/series?class=interactive_premium&tenant=day&sli="
            + sli
            + "&stat="
            + stat
            + "&step="
            + step
            + "&from="
            + from
            + "&to="
            + NOW);
  }

  @Test
  void endToEndP95PerHourIsTheExactPercentileWithinOnePercent() {
    Instant from = NOW.minus(Duration.ofHours(6));
    DocumentContext j = series("e2e", "p95", from, "1h");
    assertThat(j.read("$.unit", String.class)).isEqualTo("ms");
    for (int p = 0; p < 6; p++) {
      Instant s = from.plus(Duration.ofHours(p));
      List<Long> e2e =
          Truth.values(Truth.in(premiumDay, s, s.plus(Duration.ofHours(1))), r -> true, Req::e2e);
      assertPercentileMs(
          "e2e p95 hour " + p, j.read("$.points[" + p + "].value", Double.class), e2e, 95);
    }
  }

  @Test
  void retrievalsAndToolCallsPerRequestAreExactDistributions() {
    Instant from = NOW.minus(Duration.ofHours(3));
    DocumentContext mean = series("retrievalsPerRequest", "mean", from, "1h");
    DocumentContext max = series("toolCallsPerRequest", "max", from, "1h");
    DocumentContext count = series("toolCallsPerRequest", "count", from, "1h");
    assertThat(mean.read("$.unit", String.class)).isEqualTo("calls");
    assertThat(max.read("$.unit", String.class)).isEqualTo("calls");
    for (int p = 0; p < 3; p++) {
      Instant s = from.plus(Duration.ofHours(p));
      List<Req> rs = Truth.in(premiumDay, s, s.plus(Duration.ofHours(1)));
      assertThat(mean.read("$.points[" + p + "].value", Double.class))
          .isCloseTo((double) Truth.sum(rs, r -> r.retrievals) / rs.size(), within(1e-9));
      assertThat(max.read("$.points[" + p + "].value", Double.class))
          .isEqualTo((double) rs.stream().mapToInt(r -> r.toolCalls).max().orElseThrow());
      assertThat(count.read("$.points[" + p + "].value", Double.class))
          .isEqualTo((double) rs.size());
    }
  }

  @Test
  void missToFallbackRatioAndBudgetPerHourAreExact() {
    Instant from = NOW.minus(Duration.ofHours(4));
    DocumentContext ratio = series("missToFallback", "ratio", from, "1h");
    DocumentContext budget = series("missToFallback", "budget", from, "1h");
    assertThat(budget.read("$.unit", String.class)).isEqualTo("ratio");
    for (int p = 0; p < 4; p++) {
      Instant s = from.plus(Duration.ofHours(p));
      List<Req> rs = Truth.in(premiumDay, s, s.plus(Duration.ofHours(1)));
      long retrievals = Truth.sum(rs, r -> r.retrievals);
      long misses = Truth.sum(rs, r -> r.misses);
      long fallbacks = Truth.sum(rs, r -> r.fallbacks);
      Double r = ratio.read("$.points[" + p + "].value", Double.class);
      if (misses == 0) {
        assertThat(r).isNull();
      } else {
        assertThat(r).isCloseTo((double) fallbacks / misses, within(1e-12));
      }
      // premium's maximum fallback ratio in the fixture's classes: 0.02
      assertThat(budget.read("$.points[" + p + "].value", Double.class))
          .isCloseTo(fallbacks / (0.02 * retrievals), within(1e-9));
    }
  }

  @Test
  void theFanOutHasNoBreakdown() {
    HttpResponse<String> r =
        f.get(
            "/api/v1/slo/series?class=interactive_premium&tenant=day&sli=e2e&stat=p95&from="
                + NOW.minus(Duration.ofHours(1))
                + "&to="
                + NOW
                + "&breakdown=model");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.headers().firstValue("content-type"))
        .hasValueSatisfying(t -> assertThat(t).startsWith("application/problem+json"));
    assertThat(r.body()).contains("not kept per breakdown value");
  }
}
