package dev.tierscope.core.classes;

import java.time.Duration;

/**
 * One objective of a spec file: an OpenSLO {@code SLO} object, mapped onto a class and an
 * indicator.
 *
 * @param className the class ({@code spec.service} of the SLO)
 * @param indicator what it is about
 * @param threshold latency threshold for {@link Indicator.Shape#LATENCY}, null for ratios
 * @param target fraction of events that must be good, in (0, 1); for a failure ratio the allowed
 *     bad fraction is {@code 1 - target}
 * @param timeWindow rolling window of the error budget, null to use the configured default
 * @param sloName {@code metadata.name} of the SLO
 * @param source where the SLO is in the file
 */
public record SpecObjective(
    String className,
    Indicator indicator,
    Duration threshold,
    double target,
    Duration timeWindow,
    String sloName,
    ObjectiveSource source) {

  public SpecObjective {
    if (className == null || indicator == null || sloName == null || source == null) {
      throw new IllegalArgumentException("class, indicator, name and source are required");
    }
    if ((indicator.shape() == Indicator.Shape.LATENCY) != (threshold != null)) {
      throw new IllegalArgumentException(
          "a latency objective needs a threshold, a ratio objective none: " + indicator.id());
    }
    if (!(target > 0 && target < 1)) {
      throw new IllegalArgumentException("target must lie in (0, 1), was " + target);
    }
    if (timeWindow != null && (timeWindow.isNegative() || timeWindow.isZero())) {
      throw new IllegalArgumentException("timeWindow must be positive, was " + timeWindow);
    }
  }
}
