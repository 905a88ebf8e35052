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
 * @param earlyCompletion complete a request before the grace once its root span, its model span,
 *     the span under a client root and every span named as a parent by one of its spans have
 *     arrived and no span of it arrived for {@code earlySettle} of stream time; off: every request
 *     waits for the grace
 * @param earlySettle stream time without a new span of the request before it completes early;
 *     shorter than {@code grace} when early completion is on
 */
public record AssemblyConfig(
    Duration grace,
    Duration maxAge,
    Duration allowedLateness,
    int maxInFlight,
    String fallbackClass,
    ClassRules classRules,
    int maxSpansPerTrace,
    long maxBytesPerTrace,
    boolean earlyCompletion,
    Duration earlySettle) {

  /** Spans one trace may have by default: a deep agent loop, not a runaway. */
  public static final int DEFAULT_MAX_SPANS_PER_TRACE = 10_000;

  /** Bytes one trace may have by default (Tempo's default per-trace limit, 5 MB). */
  public static final long DEFAULT_MAX_BYTES_PER_TRACE = 5L << 20;

  /** Settle time of early completion by default, stream time. */
  public static final Duration DEFAULT_EARLY_SETTLE = Duration.ofSeconds(1);

  /** A configuration without early completion (every request waits for the grace). */
  public AssemblyConfig(
      Duration grace,
      Duration maxAge,
      Duration allowedLateness,
      int maxInFlight,
      String fallbackClass,
      ClassRules classRules,
      int maxSpansPerTrace,
      long maxBytesPerTrace) {
    this(
        grace,
        maxAge,
        allowedLateness,
        maxInFlight,
        fallbackClass,
        classRules,
        maxSpansPerTrace,
        maxBytesPerTrace,
        false,
        DEFAULT_EARLY_SETTLE);
  }

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
        maxBytesPerTrace,
        earlyCompletion,
        earlySettle);
  }

  /** This configuration with these per-trace caps. */
  public AssemblyConfig withTraceCaps(int maxSpans, long maxBytes) {
    return new AssemblyConfig(
        grace,
        maxAge,
        allowedLateness,
        maxInFlight,
        fallbackClass,
        classRules,
        maxSpans,
        maxBytes,
        earlyCompletion,
        earlySettle);
  }

  /**
   * This configuration with early completion after {@code settle} of stream time (see {@link
   * RequestAssembler}, "Early completion").
   */
  public AssemblyConfig withEarlyCompletion(Duration settle) {
    return new AssemblyConfig(
        grace,
        maxAge,
        allowedLateness,
        maxInFlight,
        fallbackClass,
        classRules,
        maxSpansPerTrace,
        maxBytesPerTrace,
        true,
        settle);
  }

  /** This configuration without early completion: every request waits for the grace. */
  public AssemblyConfig withoutEarlyCompletion() {
    return new AssemblyConfig(
        grace,
        maxAge,
        allowedLateness,
        maxInFlight,
        fallbackClass,
        classRules,
        maxSpansPerTrace,
        maxBytesPerTrace,
        false,
        earlySettle);
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
    if (earlySettle == null || earlySettle.isNegative()) {
      throw new IllegalArgumentException("earlySettle must be >= 0, was " + earlySettle);
    }
    if (earlyCompletion && earlySettle.compareTo(grace) >= 0) {
      throw new IllegalArgumentException(
          "earlySettle must be shorter than grace ("
              + grace
              + ") when early completion is on, was "
              + earlySettle);
    }
  }

  /**
   * Grace 5 s, max age 10 min, lateness 2 min, 100 000 in flight, fallback standard class, no early
   * completion (the aggregator turns it on by default: {@code
   * tierscope.aggregator.early-completion}).
   */
  public static AssemblyConfig defaults() {
    return new AssemblyConfig(
        Duration.ofSeconds(5),
        Duration.ofMinutes(10),
        Duration.ofMinutes(2),
        100_000,
        "standard_interactive");
  }
}
