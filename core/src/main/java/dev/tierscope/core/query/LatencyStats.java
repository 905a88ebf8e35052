package dev.tierscope.core.query;

import org.HdrHistogram.Histogram;

/**
 * Percentiles of one merged histogram, in microseconds.
 *
 * <p>Percentiles are HdrHistogram's: the highest value equivalent to the nearest-rank sample, so
 * within the histogram's relative precision (1% at 2 significant digits) of the exact value.
 *
 * @param count number of values
 * @param p50Micros median
 * @param p90Micros 90th percentile
 * @param p95Micros 95th percentile
 * @param p99Micros 99th percentile
 * @param maxMicros largest value (within precision)
 */
public record LatencyStats(
    long count, long p50Micros, long p90Micros, long p95Micros, long p99Micros, long maxMicros) {

  public static final LatencyStats EMPTY = new LatencyStats(0, 0, 0, 0, 0, 0);

  public static LatencyStats of(Histogram h) {
    if (h == null || h.getTotalCount() == 0) {
      return EMPTY;
    }
    return new LatencyStats(
        h.getTotalCount(),
        h.getValueAtPercentile(50),
        h.getValueAtPercentile(90),
        h.getValueAtPercentile(95),
        h.getValueAtPercentile(99),
        h.getMaxValue());
  }

  /**
   * Fraction of values at or below {@code thresholdMicros}; 1 when there are none (no request, no
   * bad request).
   */
  public static double goodRatio(Histogram h, long thresholdMicros) {
    if (h == null || h.getTotalCount() == 0) {
      return 1.0;
    }
    return (double) h.getCountBetweenValues(0, thresholdMicros) / h.getTotalCount();
  }
}
