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
 * @param maxSpansPerTrace spans one request takes; further spans of its trace are refused and
 *     counted ({@link RequestAssembler.AddResult#TRACE_TOO_LARGE}), so one huge trace cannot take a
 *     partition's memory or time
 * @param maxBytesPerTrace serialized bytes (Kafka record values) one request takes, likewise
 */
public record AssemblyConfig(
    Duration grace,
    Duration maxAge,
    Duration allowedLateness,
    int maxInFlight,
    String fallbackClass,
    ClassRules classRules,
    int maxSpansPerTrace,
    long maxBytesPerTrace) {

  /** Spans one trace may have by default: a deep agent loop, not a runaway. */
  public static final int DEFAULT_MAX_SPANS_PER_TRACE = 10_000;

  /** Bytes one trace may have by default (Tempo's default per-trace limit, 5 MB). */
  public static final long DEFAULT_MAX_BYTES_PER_TRACE = 5L << 20;

  /** A configuration without class rules, with the default per-trace caps. */
  public AssemblyConfig(
      Duration grace,
      Duration maxAge,
      Duration allowedLateness,
      int maxInFlight,
      String fallbackClass) {
    this(grace, maxAge, allowedLateness, maxInFlight, fallbackClass, ClassRules.NONE);
  }

  /** A configuration with the default per-trace caps. */
  public AssemblyConfig(
      Duration grace,
      Duration maxAge,
      Duration allowedLateness,
      int maxInFlight,
      String fallbackClass,
      ClassRules classRules) {
    this(
        grace,
        maxAge,
        allowedLateness,
        maxInFlight,
        fallbackClass,
        classRules,
        DEFAULT_MAX_SPANS_PER_TRACE,
        DEFAULT_MAX_BYTES_PER_TRACE);
  }

  /** This configuration with these class rules. */
  public AssemblyConfig withClassRules(ClassRules rules) {
    return new AssemblyConfig(
        grace,
        maxAge,
        allowedLateness,
        maxInFlight,
        fallbackClass,
        rules,
        maxSpansPerTrace,
        maxBytesPerTrace);
  }

  /** This configuration with these per-trace caps. */
  public AssemblyConfig withTraceCaps(int maxSpans, long maxBytes) {
    return new AssemblyConfig(
        grace, maxAge, allowedLateness, maxInFlight, fallbackClass, classRules, maxSpans, maxBytes);
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
    if (maxSpansPerTrace < 1) {
      throw new IllegalArgumentException("maxSpansPerTrace must be >= 1, was " + maxSpansPerTrace);
    }
    if (maxBytesPerTrace < 1) {
      throw new IllegalArgumentException("maxBytesPerTrace must be >= 1, was " + maxBytesPerTrace);
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
