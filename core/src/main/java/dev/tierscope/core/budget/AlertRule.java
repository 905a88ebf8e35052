package dev.tierscope.core.budget;

import java.time.Duration;
import java.util.List;

/**
 * One multi-window burn-rate alert of the SRE workbook: it fires when the error budget burns faster
 * than {@code threshold} times the sustainable rate over both the long and the short window (the
 * short one makes it stop soon after the burn stops).
 *
 * @param severity {@code page} or {@code ticket}
 * @param longWindow the long window, e.g. 1 h
 * @param shortWindow the short window, e.g. 5 min
 * @param threshold burn rate both windows must exceed
 */
public record AlertRule(
    String severity, Duration longWindow, Duration shortWindow, double threshold) {

  /**
   * The workbook's pairs for a 30-day SLO: page on 2% of the budget in 1 h (14.4) or 5% in 6 h (6);
   * ticket on 10% in 1 d (3) or 10% in 3 d (1).
   */
  public static final List<AlertRule> WORKBOOK =
      List.of(
          new AlertRule("page", Duration.ofHours(1), Duration.ofMinutes(5), 14.4),
          new AlertRule("page", Duration.ofHours(6), Duration.ofMinutes(30), 6),
          new AlertRule("ticket", Duration.ofDays(1), Duration.ofHours(2), 3),
          new AlertRule("ticket", Duration.ofDays(3), Duration.ofHours(6), 1));

  public AlertRule {
    if (!"page".equals(severity) && !"ticket".equals(severity)) {
      throw new IllegalArgumentException("severity must be page or ticket, was " + severity);
    }
    if (shortWindow.compareTo(longWindow) >= 0
        || shortWindow.isNegative()
        || shortWindow.isZero()) {
      throw new IllegalArgumentException("need 0 < shortWindow < longWindow");
    }
    if (!(threshold > 0)) {
      throw new IllegalArgumentException("threshold must be positive, was " + threshold);
    }
  }

  /**
   * The shortest exact name of a window, in the unit syntax Prometheus reads: {@code 3d}, {@code
   * 6h}, {@code 5m}, {@code 30s}, {@code 250ms}.
   */
  public static String windowName(Duration d) {
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
