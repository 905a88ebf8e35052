package dev.tierscope.core.query;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A stretch of time a query covers, {@code [from, to)}: it holds every window starting at or after
 * {@code from} and before {@code to}.
 *
 * @param from first instant, inclusive
 * @param to end, exclusive, strictly after {@code from}
 */
public record TimeRange(Instant from, Instant to) {

  public TimeRange {
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (!from.isBefore(to)) {
      throw new IllegalArgumentException("from (" + from + ") must be before to (" + to + ")");
    }
  }

  /** {@code to - from}, positive. */
  public Duration length() {
    return Duration.between(from, to);
  }

  /**
   * The range of {@code length} that ends where this one starts, e.g. the default baseline of an
   * attribution ("the hour before").
   */
  public TimeRange before(Duration length) {
    return new TimeRange(from.minus(length), from);
  }
}
