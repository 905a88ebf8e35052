package dev.tierscope.core.assembly;

import dev.tierscope.core.classes.ClassRules;
import java.time.Duration;

/**
 * How requests are assembled from their spans.
 *
 * @param grace stream time to wait after the root span ended for late child spans
 * @param maxAge stream time after a request's first span when it is emitted anyway, as partial
 * @param allowedLateness a span whose end is older than stream time minus this, for a request no
 *     longer in flight, is counted as late instead of assembled
 * @param maxInFlight cap on requests held in memory per partition; beyond it the oldest is emitted
 *     as partial and counted as overflow
 * @param fallbackClass class of requests that report none or an unknown one and match no rule
 * @param classRules applied to a request's root span when no span names a class
 */
public record AssemblyConfig(
    Duration grace,
    Duration maxAge,
    Duration allowedLateness,
    int maxInFlight,
    String fallbackClass,
    ClassRules classRules) {

  /** A configuration without class rules. */
  public AssemblyConfig(
      Duration grace,
      Duration maxAge,
      Duration allowedLateness,
      int maxInFlight,
      String fallbackClass) {
    this(grace, maxAge, allowedLateness, maxInFlight, fallbackClass, ClassRules.NONE);
  }

  /** This configuration with these class rules. */
  public AssemblyConfig withClassRules(ClassRules rules) {
    return new AssemblyConfig(grace, maxAge, allowedLateness, maxInFlight, fallbackClass, rules);
  }

  public AssemblyConfig {
    if (grace == null || grace.isNegative()) {
      throw new IllegalArgumentException("grace must be >= 0, was " + grace);
    }
    if (maxAge == null || maxAge.compareTo(grace) <= 0) {
      throw new IllegalArgumentException("maxAge must be longer than grace, was " + maxAge);
    }
    if (allowedLateness == null || allowedLateness.isNegative()) {
      throw new IllegalArgumentException("allowedLateness must be >= 0, was " + allowedLateness);
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be >= 1, was " + maxInFlight);
    }
    if (fallbackClass == null || fallbackClass.isEmpty()) {
      throw new IllegalArgumentException("fallbackClass must be set");
    }
    if (classRules == null) {
      classRules = ClassRules.NONE;
    }
  }

  /** Grace 5 s, max age 10 min, lateness 2 min, 100 000 in flight, fallback standard class. */
  public static AssemblyConfig defaults() {
    return new AssemblyConfig(
        Duration.ofSeconds(5),
        Duration.ofMinutes(10),
        Duration.ofMinutes(2),
        100_000,
        "standard_interactive");
  }
}
