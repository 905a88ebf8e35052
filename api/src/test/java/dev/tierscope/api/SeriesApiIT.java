package dev.tierscope.api;

import static dev.tierscope.api.Scenarios.NOW;
import static dev.tierscope.api.Scenarios.PREMIUM;
import static dev.tierscope.api.Scenarios.PREMIUM_TOOLCHAIN_MICROS;
import static dev.tierscope.api.Scenarios.PREMIUM_TTFT_MICROS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.jayway.jsonpath.DocumentContext;
import dev.tierscope.core.span.StreamOutcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/v1/slo/series}: every point equals the exact statistic of the requests in its step
 * (percentiles within 1%, counts and ratios exact), whether the step is read from hourly or minute
 * rollups or from raw windows, aligned or not.
 */
class SeriesApiIT {

  private static ApiFixture f;
  private static List<Req> premiumDay;

  @BeforeAll
  static void fixture() {
    f = ApiFixture.get();
    premiumDay = f.day.stream().filter(r -> r.trafficClass.equals(PREMIUM)).toList();
  }

  @Test
  void hourlyTtftP95OverADayEqualsExactPerHourPercentilesFromHourlyRollups() {
    long hours = f.rowsRead(3600);
    long raw = f.rowsRead(10);
    DocumentContext j =
        assertSeries(
            "ttft",
            "p95",
            NOW.minus(Duration.ofDays(1)),
            NOW,
            "1h",
            24,
            percentile(Req::ttft, 95),
            true);
    assertThat(j.read("$.unit", String.class)).isEqualTo("ms");
    assertThat(f.rowsRead(3600) - hours).as("hourly rollup rows read").isEqualTo(23);
    assertThat(f.rowsRead(10) - raw).as("raw rows: the last 3 minutes only").isBetween(1L, 18L);
  }

  @Test
  void goodRatioPerStepIsExactAtThresholdsBetweenBucketEdges() {
    assertSeries(
        "ttft",
        "ratio",
        NOW.minus(Duration.ofDays(1)),
        NOW,
        "1h",
        24,
        rs -> ratio(rs, r -> true, r -> r.ttft() <= PREMIUM_TTFT_MICROS),
        false);
    assertSeries(
        "toolchainLatency",
        "ratio",
        NOW.minus(Duration.ofDays(1)),
        NOW,
        "3h",
        8,
        rs ->
            ratio(
                rs,
                r -> r.toolCalls > 0,
                r -> !r.toolFailed && r.toolchain <= PREMIUM_TOOLCHAIN_MICROS),
        false);
  }

  @Test
  void countsAndCounterRatiosPerStepAreExact() {
    assertSeries(
        "ttft",
        "count",
        NOW.minus(Duration.ofHours(6)),
        NOW,
        "15m",
        24,
        rs -> (double) rs.size(),
        false);
    assertSeries(
        "streamInterruption",
        "rate",
        NOW.minus(Duration.ofDays(1)),
        NOW,
        "1h",
        24,
        rs -> ratio(rs, r -> r.streamed, r -> r.outcome == StreamOutcome.INTERRUPTED),
        false);
    assertSeries(
        "retrievalFallback",
        "ratio",
        NOW.minus(Duration.ofDays(1)),
        NOW,
        "2h",
        12,
        rs -> {
          long retrievals = Truth.sum(rs, r -> r.retrievals);
          return retrievals == 0 ? null : (double) Truth.sum(rs, r -> r.fallbacks) / retrievals;
        },
        false);
    assertSeries(
        "retrievalFallback",
        "count",
        NOW.minus(Duration.ofDays(1)),
        NOW,
        "2h",
        12,
        rs -> (double) Truth.sum(rs, r -> r.retrievals),
        false);
  }

  @Test
  void rawWindowsAfterTheRollupsAreOnePointEach() {
    assertSeries(
        "edge",
        "p99",
        NOW.minus(Duration.ofMinutes(3)),
        NOW,
        "10s",
        18,
        rs -> {
          List<Long> v = Truth.values(rs, r -> r.client, r -> r.edge);
          return v.isEmpty() ? null : (double) Truth.percentile(v, 99);
        },
        true);
  }

  @Test
  void unalignedStepsMixResolutionsAndStayExact() {
    assertSeries(
        "mesh",
        "p50",
        NOW.minus(Duration.ofHours(5)).plusSeconds(5),
        NOW.minus(Duration.ofMinutes(7)),
        "1h",
        5,
        rs -> {
          List<Long> v = Truth.values(rs, r -> true, r -> r.mesh);
          return v.isEmpty() ? null : (double) Truth.percentile(v, 50);
        },
        true);
    assertSeries(
        "modelQueue",
        "max",
        NOW.minus(Duration.ofMinutes(100)),
        NOW,
        "7m",
        15,
        percentile(r -> r.queue, 100),
        true);
  }

  @Test
  void stepsWithoutDataHaveNullPercentilesAndZeroCounts() {
    Instant from = NOW.minus(Duration.ofHours(26));
    Instant to = NOW.minus(Duration.ofHours(22));
    assertSeries("ttft", "p99", from, to, "1h", 4, percentile(Req::ttft, 99), true);
    DocumentContext j =
        f.json(
            "/api/v1/slo/series?class=interactive_premium&tenant=day&sli=ttft&stat=count&from="
                + from
                + "&to="
                + to
                + "&step=1h");
    assertThat(j.read("$.points[0].value", Double.class)).isEqualTo(0.0);
    assertThat(j.read("$.points[3].value", Double.class)).isGreaterThan(0.0);
  }

  @Test
  void defaultStepKeepsASeriesShort() {
    DocumentContext j =
        f.json(
            "/api/v1/slo/series?class=interactive_premium&tenant=day&sli=ttft&stat=p50&from="
                + NOW.minus(Duration.ofDays(1))
                + "&to="
                + NOW);
    assertThat(j.read("$.step", String.class)).isEqualTo("5m");
    assertThat(j.read("$.points.length()", Integer.class)).isEqualTo(288);
  }

  private static Function<List<Req>, Double> percentile(
      java.util.function.ToLongFunction<Req> value, double p) {
    return rs -> {
      List<Long> v = Truth.values(rs, r -> true, value);
      return v.isEmpty() ? null : (double) Truth.percentile(v, p);
    };
  }

  private static Double ratio(
      List<Req> rs,
      java.util.function.Predicate<Req> event,
      java.util.function.Predicate<Req> counted) {
    long n = Truth.count(rs, event);
    return n == 0 ? null : (double) Truth.count(rs, r -> event.test(r) && counted.test(r)) / n;
  }

  /**
   * Asks for a series of premium in tenant day and compares every point with {@code truth} of the
   * requests in its step; latencies (microseconds in the truth) within 1%, the rest exactly.
   */
  private static DocumentContext assertSeries(
      String sli,
      String stat,
      Instant from,
      Instant to,
      String step,
      int points,
      Function<List<Req>, Double> truth,
      boolean latency) {
    DocumentContext j =
        f.json(
            "/api/v1/slo/series?class=interactive_premium&tenant=day&sli="
                + sli
                + "&stat="
                + stat
                + "&from="
                + from
                + "&to="
                + to.toEpochMilli()
                + "&step="
                + step);
    assertThat(j.read("$.sli", String.class)).isEqualTo(sli);
    assertThat(j.read("$.stat", String.class)).isEqualTo(stat);
    assertThat(j.read("$.step", String.class)).isEqualTo(step);
    assertThat(j.read("$.points.length()", Integer.class)).isEqualTo(points);
    // The first step starts at from, the others at multiples of the step since the epoch.
    long stepMillis = Duration.parse("PT" + step.toUpperCase()).toMillis();
    List<Instant> bounds = new ArrayList<>(List.of(from));
    for (long t = Math.floorDiv(from.toEpochMilli(), stepMillis) * stepMillis + stepMillis;
        t < to.toEpochMilli();
        t += stepMillis) {
      bounds.add(Instant.ofEpochMilli(t));
    }
    bounds.add(to);
    assertThat(bounds).hasSize(points + 1);
    for (int i = 0; i < points; i++) {
      Instant start = bounds.get(i);
      Instant end = bounds.get(i + 1);
      String at = sli + " " + stat + " point " + i + " [" + start + ", " + end + ")";
      assertThat(Instant.parse(j.read("$.points[" + i + "].t", String.class)))
          .as(at)
          .isEqualTo(start);
      Double expected = truth.apply(Truth.in(premiumDay, start, end));
      Double actual = j.read("$.points[" + i + "].value", Double.class);
      if (expected == null) {
        assertThat(actual).as(at).isNull();
      } else if (latency) {
        double ms = expected / 1000.0;
        assertThat(actual).as(at).isNotNull().isCloseTo(ms, within(ms * 0.01 + 0.001));
      } else {
        assertThat(actual).as(at).isNotNull().isCloseTo(expected, within(1e-12));
      }
    }
    return j;
  }
}
