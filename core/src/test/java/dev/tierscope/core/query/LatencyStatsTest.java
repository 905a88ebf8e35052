package dev.tierscope.core.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** Percentiles and good ratios read from a merged histogram. */
class LatencyStatsTest {

  /** Exact nearest-rank percentile of sorted values. */
  private static long nearestRank(long[] sorted, double percentile) {
    int rank = (int) Math.ceil(percentile / 100.0 * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }

  @Test
  void percentilesAreWithinOnePercentOfTheExactNearestRank() {
    Random random = new Random(7);
    long[] values = new long[9_973];
    Histogram h = new Histogram(2);
    for (int i = 0; i < values.length; i++) {
      // log-uniform from 1 ms to 30 s, like TTFTs across the three classes
      values[i] = (long) Math.exp(Math.log(1_000) + random.nextDouble() * Math.log(30_000));
      h.recordValue(values[i]);
    }
    Arrays.sort(values);

    LatencyStats stats = LatencyStats.of(h);

    assertThat(stats.count()).isEqualTo(values.length);
    assertWithinOnePercent(stats.p50Micros(), nearestRank(values, 50));
    assertWithinOnePercent(stats.p90Micros(), nearestRank(values, 90));
    assertWithinOnePercent(stats.p95Micros(), nearestRank(values, 95));
    assertWithinOnePercent(stats.p99Micros(), nearestRank(values, 99));
    assertWithinOnePercent(stats.maxMicros(), values[values.length - 1]);
  }

  @Test
  void percentilesOfASmallKnownSet() {
    Histogram h = new Histogram(2);
    for (long ms = 1; ms <= 100; ms++) {
      h.recordValue(ms * 10_000); // 10 ms .. 1 000 ms
    }

    LatencyStats stats = LatencyStats.of(h);

    assertThat(stats.count()).isEqualTo(100);
    assertWithinOnePercent(stats.p50Micros(), 500_000);
    assertWithinOnePercent(stats.p90Micros(), 900_000);
    assertWithinOnePercent(stats.p95Micros(), 950_000);
    assertWithinOnePercent(stats.p99Micros(), 990_000);
    assertWithinOnePercent(stats.maxMicros(), 1_000_000);
    assertThat(stats.p95Micros()).isGreaterThanOrEqualTo(950_000);
  }

  private static void assertWithinOnePercent(long actual, long exact) {
    assertThat((double) actual).isCloseTo(exact, within(exact * 0.01));
  }

  @Test
  void goodRatioIsTheFractionAtOrBelowTheThreshold() {
    Histogram h = new Histogram(2);
    for (long ms = 100; ms <= 1_000; ms += 100) {
      h.recordValue(ms * 1_000);
    }

    assertThat(LatencyStats.goodRatio(h, 450_000)).isEqualTo(0.4);
    assertThat(LatencyStats.goodRatio(h, 99_000)).isEqualTo(0.0);
    assertThat(LatencyStats.goodRatio(h, 1_000_000)).isEqualTo(1.0);
    assertThat(LatencyStats.goodRatio(h, 800_000)).as("threshold itself is good").isEqualTo(0.8);
  }

  @Test
  void valueEqualToTheThresholdIsGood() {
    Histogram h = new Histogram(2);
    for (long us = 1; us <= 10; us++) {
      h.recordValue(us); // small values are recorded exactly
    }

    assertThat(LatencyStats.goodRatio(h, 5)).isEqualTo(0.5);
    assertThat(LatencyStats.goodRatio(h, 4)).isEqualTo(0.4);
  }

  @Test
  void goodRatioWithoutValuesIsOne() {
    assertThat(LatencyStats.goodRatio(null, 800_000)).isEqualTo(1.0);
    assertThat(LatencyStats.goodRatio(new Histogram(2), 800_000)).isEqualTo(1.0);
  }

  @Test
  void statsOfNoValuesAreEmpty() {
    assertThat(LatencyStats.of(null)).isSameAs(LatencyStats.EMPTY);
    assertThat(LatencyStats.of(new Histogram(2))).isSameAs(LatencyStats.EMPTY);
    assertThat(LatencyStats.EMPTY.count()).isZero();
  }
}
