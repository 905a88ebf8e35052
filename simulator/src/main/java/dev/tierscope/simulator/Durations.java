package dev.tierscope.simulator;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads durations as people type them: {@code 500ms}, {@code 90s}, {@code 2m}, {@code 1h30m}. */
public final class Durations {

  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ms|s|m|h|d)");

  private Durations() {}

  /**
   * Parses {@code 500ms}, {@code 90s}, {@code 2m}, {@code 1h30m}, {@code 30d} or ISO-8601 ({@code
   * PT2M}); a bare number is seconds.
   *
   * @throws IllegalArgumentException for anything else, naming the value
   */
  public static Duration parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("empty duration");
    }
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.startsWith("p")) {
      try {
        return Duration.parse(t.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("invalid duration '" + text + "'", e);
      }
    }
    if (t.matches("\\d+(\\.\\d+)?")) {
      return Duration.ofNanos(Math.round(Double.parseDouble(t) * 1e9));
    }
    Matcher m = PART.matcher(t);
    int at = 0;
    double nanos = 0;
    while (m.find() && m.start() == at) {
      double n = Double.parseDouble(m.group(1));
      nanos +=
          n
              * switch (m.group(2)) {
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                case "h" -> 3600e9;
                default -> 86400e9;
              };
      at = m.end();
    }
    if (at != t.length() || at == 0) {
      throw new IllegalArgumentException(
          "invalid duration '" + text + "' (use e.g. 500ms, 90s, 2m, 1h30m, 30d)");
    }
    return Duration.ofNanos(Math.round(nanos));
  }

  /** {@code 1h02m03s}, {@code 2m05s}, {@code 45s}, {@code 850ms}: short and readable. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    long s = d.toSeconds();
    long h = s / 3600;
    long m = (s % 3600) / 60;
    long sec = s % 60;
    if (h > 0) {
      return String.format(Locale.ROOT, "%dh%02dm%02ds", h, m, sec);
    }
    if (m > 0) {
      return String.format(Locale.ROOT, "%dm%02ds", m, sec);
    }
    return sec + "s";
  }
}
