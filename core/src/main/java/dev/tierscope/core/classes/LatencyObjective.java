package dev.tierscope.core.classes;

import java.time.Duration;

/**
 * A latency objective: at least {@code target} of the events at or under {@code threshold}. Used
 * for the TTFT components, which have no objective unless a spec file gives one.
 *
 * @param threshold good at or under this
 * @param target fraction that must be good, in (0, 1)
 */
public record LatencyObjective(Duration threshold, double target) {

  public LatencyObjective {
    if (threshold == null || threshold.isNegative() || threshold.isZero()) {
      throw new IllegalArgumentException("threshold must be a positive duration, was " + threshold);
    }
    if (!(target > 0 && target < 1)) {
      throw new IllegalArgumentException("target must lie in (0, 1), was " + target);
    }
  }

  /** Threshold in microseconds, the unit of the histograms. */
  public long thresholdMicros() {
    return threshold.toNanos() / 1_000;
  }
}
