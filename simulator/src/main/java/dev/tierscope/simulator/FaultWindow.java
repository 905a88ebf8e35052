package dev.tierscope.simulator;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One fault switched on for a while, relative to the start of the run.
 *
 * @param kind the fault
 * @param start offset from the run's start at which it switches on
 * @param duration how long it stays on
 * @param intensity scales the fault's effect; 1.0 is the default strength, must be positive
 */
public record FaultWindow(FaultKind kind, Duration start, Duration duration, double intensity) {

  private static final Pattern SPEC =
      Pattern.compile(
          "\\s*([a-zA-Z_-]+)\\s*@\\s*([^+*\\s]+)\\s*\\+\\s*([^*\\s]+)\\s*(?:\\*\\s*([0-9.]+))?\\s*");

  public FaultWindow {
    if (kind == null || start == null || duration == null) {
      throw new IllegalArgumentException("a fault window needs a kind, a start and a duration");
    }
    if (start.isNegative() || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(
          "fault " + kind.value() + ": start must be >= 0 and duration > 0");
    }
    if (!(intensity > 0) || Double.isInfinite(intensity)) {
      throw new IllegalArgumentException(
          "fault " + kind.value() + ": intensity must be positive, got " + intensity);
    }
  }

  /** A window of default intensity. */
  public static FaultWindow of(FaultKind kind, Duration start, Duration duration) {
    return new FaultWindow(kind, start, duration, 1.0);
  }

  /**
   * Parses {@code KIND@START+DURATION[*INTENSITY]}, e.g. {@code edge-latency@2m+3m} or {@code
   * model-queue-saturation@30s+1m*1.5}.
   */
  public static FaultWindow parse(String spec) {
    Matcher m = SPEC.matcher(spec);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "invalid fault '" + spec + "': use KIND@START+DURATION[*INTENSITY], e.g. edge-vpn@2m+3m");
    }
    double intensity = m.group(4) == null ? 1.0 : Double.parseDouble(m.group(4));
    return new FaultWindow(
        FaultKind.parse(m.group(1)),
        Durations.parse(m.group(2)),
        Durations.parse(m.group(3)),
        intensity);
  }

  /** Offset at which it switches off. */
  public Duration end() {
    return start.plus(duration);
  }

  /** Whether it is on at {@code offset} (start inclusive, end exclusive). */
  public boolean activeAt(Duration offset) {
    return offset.compareTo(start) >= 0 && offset.compareTo(end()) < 0;
  }

  /** The spec that {@link #parse(String)} reads back. */
  @Override
  public String toString() {
    String s = kind.value() + "@" + Durations.format(start) + "+" + Durations.format(duration);
    return intensity == 1.0 ? s : s + String.format(Locale.ROOT, "*%s", intensity);
  }
}
