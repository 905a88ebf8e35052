package dev.tierscope.core.classes;

import java.time.Duration;

/**
 * The objectives of one traffic class; every one is a good/total ratio, so that error budgets and
 * burn rates work alike for all of them (docs/slo-spec.md).
 *
 * @param ttftThreshold a request is good when its time to first token is at most this
 * @param ttftTarget fraction of requests that must be good, in (0, 1)
 * @param maxInterruptionRate highest acceptable fraction of started streams that broke, in [0, 1]
 * @param toolchainThreshold a tool chain is good when it completes within this
 * @param toolchainTarget fraction of tool chains that must be good, in (0, 1)
 * @param maxFallbackRatio highest acceptable fraction of retrievals served by a fallback, in [0, 1]
 */
public record ClassObjectives(
    Duration ttftThreshold,
    double ttftTarget,
    double maxInterruptionRate,
    Duration toolchainThreshold,
    double toolchainTarget,
    double maxFallbackRatio) {

  public ClassObjectives {
    requirePositive(ttftThreshold, "ttftThreshold");
    requirePositive(toolchainThreshold, "toolchainThreshold");
    requireTarget(ttftTarget, "ttftTarget");
    requireTarget(toolchainTarget, "toolchainTarget");
    requireRate(maxInterruptionRate, "maxInterruptionRate");
    requireRate(maxFallbackRatio, "maxFallbackRatio");
  }

  /** TTFT threshold in microseconds, the unit of the histograms. */
  public long ttftThresholdMicros() {
    return ttftThreshold.toNanos() / 1_000;
  }

  /** Tool-chain threshold in microseconds, the unit of the histograms. */
  public long toolchainThresholdMicros() {
    return toolchainThreshold.toNanos() / 1_000;
  }

  private static void requirePositive(Duration d, String name) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, was " + d);
    }
  }

  private static void requireTarget(double v, String name) {
    if (!(v > 0 && v < 1)) {
      throw new IllegalArgumentException(name + " must lie in (0, 1), was " + v);
    }
  }

  private static void requireRate(double v, String name) {
    if (!(v >= 0 && v <= 1)) {
      throw new IllegalArgumentException(name + " must lie in [0, 1], was " + v);
    }
  }
}
