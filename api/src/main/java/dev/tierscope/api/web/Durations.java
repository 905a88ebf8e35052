package dev.tierscope.api.web;

import dev.tierscope.core.query.ShortDuration;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses and prints the short durations of the API ({@code 10s}, {@code 5m}, {@code 1h}, {@code
 * 3d}).
 */
public final class Durations {

  private static final Pattern SHORT = Pattern.compile("(\\d{1,9})(ms|s|m|h|d|w)?");

  private Durations() {}

  /**
   * @param name the parameter's name, for the error
   * @param value {@code 90s}, {@code 5m}, {@code 1h}, {@code 1d}, {@code 1w}, plain seconds, or
   *     ISO-8601 ({@code PT5M})
   * @throws BadParameterException naming the parameter when the value is none of these or not
   *     positive
   */
  public static Duration parse(String name, String value) {
    String v = value.trim();
    Duration d;
    Matcher m = SHORT.matcher(v);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      String unit = m.group(2) == null ? "s" : m.group(2);
      d =
          switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> Duration.ofDays(7 * n);
          };
    } else {
      try {
        d = Duration.parse(v);
      } catch (DateTimeParseException e) {
        throw new BadParameterException(
            name,
            "'" + name + "' must be a duration such as 10s, 5m, 1h, 1d or PT5M, was '" + v + "'");
      }
    }
    if (d.isZero() || d.isNegative()) {
      throw new BadParameterException(name, "'" + name + "' must be positive, was '" + v + "'");
    }
    return d;
  }

  /** The shortest exact form: {@code 30d}, {@code 6h}, {@code 5m}, {@code 10s}, {@code 250ms}. */
  public static String format(Duration d) {
    return ShortDuration.format(d);
  }
}
