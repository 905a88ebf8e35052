package dev.tierscope.core.query;

import java.time.Duration;

/** Durations as the API and its messages print them: {@code 30d}, {@code 6h}, {@code 10s}. */
public final class ShortDuration {

  private ShortDuration() {}

  /** The shortest exact form: {@code 30d}, {@code 6h}, {@code 5m}, {@code 10s}, {@code 250ms}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 86_400_000 == 0) {
      return ms / 86_400_000 + "d";
    }
    if (ms % 3_600_000 == 0) {
      return ms / 3_600_000 + "h";
    }
    if (ms % 60_000 == 0) {
      return ms / 60_000 + "m";
    }
    if (ms % 1000 == 0) {
      return ms / 1000 + "s";
    }
    return ms + "ms";
  }
}
