package dev.tierscope.api.web;

import dev.tierscope.core.query.TimeRange;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/** Parses the {@code from}/{@code to} parameters: ISO-8601 instants or epoch milliseconds. */
public final class TimeParameters {

  /** Earliest and latest instant accepted: what PostgreSQL's timestamptz and the plans handle. */
  static final Instant MIN = Instant.EPOCH;

  static final Instant MAX = Instant.parse("9999-12-31T23:59:59Z");

  private TimeParameters() {}

  /**
   * @param name the parameter's name, for the error
   * @param value ISO-8601 ({@code 2026-11-27T10:00:00Z}, offsets allowed) or epoch milliseconds
   * @throws BadParameterException naming the parameter when the value is neither
   */
  public static Instant parse(String name, String value) {
    if (value == null || value.isBlank()) {
      throw new BadParameterException(name, "'" + name + "' is required");
    }
    Instant t = parseUnchecked(name, value.trim());
    if (t.isBefore(MIN) || t.isAfter(MAX)) {
      throw new BadParameterException(
          name, "'" + name + "' must lie between " + MIN + " and " + MAX + ", was " + t);
    }
    return t;
  }

  private static Instant parseUnchecked(String name, String v) {
    if (v.chars().allMatch(ch -> ch >= '0' && ch <= '9') || (v.startsWith("-") && v.length() > 1)) {
      try {
        return Instant.ofEpochMilli(Long.parseLong(v));
      } catch (NumberFormatException e) {
        throw new BadParameterException(
            name, "'" + name + "' is not a valid epoch millisecond value: " + v);
      }
    }
    try {
      return OffsetDateTime.parse(v).toInstant();
    } catch (DateTimeParseException e) {
      throw new BadParameterException(
          name,
          "'"
              + name
              + "' must be an ISO-8601 instant (e.g. 2026-11-27T10:00:00Z) or epoch milliseconds,"
              + " was '"
              + v
              + "'");
    }
  }

  /** Like {@link #parse}, or {@code fallback} when the value is absent. */
  public static Instant parseOr(String name, String value, Instant fallback) {
    return value == null || value.isBlank() ? fallback : parse(name, value);
  }

  /**
   * The {@code from} and {@code to} parameters as a range; {@code from} must be before {@code to}.
   */
  public static TimeRange range(String from, String to) {
    return range("from", from, "to", to);
  }

  /**
   * Two parameters as a range, the first before the second.
   *
   * @throws BadParameterException naming the parameter that is invalid, the first when they are in
   *     the wrong order
   */
  public static TimeRange range(String fromName, String from, String toName, String to) {
    Instant f = parse(fromName, from);
    Instant t = parse(toName, to);
    if (!f.isBefore(t)) {
      throw new BadParameterException(
          fromName, "'" + fromName + "' (" + f + ") must be before '" + toName + "' (" + t + ")");
    }
    return new TimeRange(f, t);
  }
}
