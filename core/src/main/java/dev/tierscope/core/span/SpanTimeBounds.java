package dev.tierscope.core.span;

import java.time.Duration;

/**
 * How far a span's times may lie from a reference clock: its end at most {@code maxFutureSkew}
 * ahead, its start at most {@code maxAge} behind. The ingest checks every span against its own
 * clock; the aggregator checks every record against the time Kafka stamped it with (when it was
 * produced), so a replay of an old topic judges each span as the ingest did.
 *
 * <p>Why both sides: one span stamped two days ahead (a client with a wrong clock) would carry a
 * partition's stream time with it, and every later span would look late; one stamped long ago would
 * land in a window that retention has already dropped.
 *
 * <pre>{@code
 * SpanTimeBounds bounds = new SpanTimeBounds(Duration.ofMinutes(5), Duration.ofDays(2));
 * SpanDefect defect = bounds.check(span.startEpochNanos(), span.endEpochNanos(), clock.millis());
 * if (defect != null) reject(defect, bounds.problem(start, end, now));
 * }</pre>
 *
 * @param maxFutureSkew how far the end may lie ahead of the reference clock; positive
 * @param maxAge how far the start may lie behind the reference clock; positive
 */
public record SpanTimeBounds(Duration maxFutureSkew, Duration maxAge) {

  /** Ends up to 5 minutes ahead, starts up to 2 days behind (the raw windows' retention). */
  public static final SpanTimeBounds DEFAULTS =
      new SpanTimeBounds(Duration.ofMinutes(5), Duration.ofDays(2));

  public SpanTimeBounds {
    if (maxFutureSkew == null || maxFutureSkew.isNegative() || maxFutureSkew.isZero()) {
      throw new IllegalArgumentException("maxFutureSkew must be positive, was " + maxFutureSkew);
    }
    if (maxAge == null || maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive, was " + maxAge);
    }
  }

  /**
   * The bound a span with these times breaks, or null when it lies within both.
   *
   * @param startEpochNanos span start, epoch nanoseconds
   * @param endEpochNanos span end, epoch nanoseconds
   * @param nowEpochMillis the reference clock, epoch milliseconds
   */
  public SpanDefect check(long startEpochNanos, long endEpochNanos, long nowEpochMillis) {
    long now = nowEpochMillis * 1_000_000;
    if (endEpochNanos > saturatedAdd(now, nanos(maxFutureSkew))) {
      return SpanDefect.TOO_FAR_IN_FUTURE;
    }
    if (startEpochNanos < now - nanos(maxAge)) {
      return SpanDefect.TOO_OLD;
    }
    return null;
  }

  /** The English detail of what {@link #check} found, e.g. {@code ends 2d0h ahead of ...}. */
  public String problem(long startEpochNanos, long endEpochNanos, long nowEpochMillis) {
    SpanDefect defect = check(startEpochNanos, endEpochNanos, nowEpochMillis);
    if (defect == null) {
      return "";
    }
    long now = nowEpochMillis * 1_000_000;
    return defect == SpanDefect.TOO_FAR_IN_FUTURE
        ? "ends "
            + human(endEpochNanos - now)
            + " ahead of the receiver's clock (at most "
            + human(nanos(maxFutureSkew))
            + " allowed)"
        : "starts "
            + human(now - startEpochNanos)
            + " before the receiver's clock (at most "
            + human(nanos(maxAge))
            + " allowed)";
  }

  private static long nanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private static long saturatedAdd(long a, long b) {
    long sum = a + b;
    return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
  }

  /** A duration in nanoseconds the way people say it: {@code 2d3h}, {@code 4m10s}, {@code 1.5s}. */
  static String human(long nanos) {
    if (nanos < 0) {
      return "-" + human(-nanos);
    }
    long s = nanos / 1_000_000_000L;
    if (s >= 86_400) {
      return s / 86_400 + "d" + (s % 86_400) / 3600 + "h";
    }
    if (s >= 3600) {
      return s / 3600 + "h" + (s % 3600) / 60 + "m";
    }
    if (s >= 60) {
      return s / 60 + "m" + s % 60 + "s";
    }
    long ms = nanos / 1_000_000;
    return ms % 1000 == 0 ? s + "s" : String.format(java.util.Locale.ROOT, "%.3fs", ms / 1000.0);
  }
}
