package dev.tierscope.simulator;

import java.time.Duration;
import java.util.Locale;

/**
 * How the request rate varies over a run: a named profile giving a multiplier of the base rate at
 * each point of its period. Periods can be compressed (a "day" of 20 minutes) to see a whole
 * profile in a short run.
 */
public enum LoadShape {
  /** The base rate, always (multiplier 1). */
  STEADY(Duration.ofHours(24), 1.0) {
    @Override
    double multiplierAtPhase(double phase) {
      return 1.0;
    }
  },
  /**
   * A business day: peak 1.0 at 14:00, trough 0.3 at 02:00, a cosine between (the period is one
   * day).
   */
  DAILY_CYCLE(Duration.ofHours(24), 1.0) {
    @Override
    double multiplierAtPhase(double phase) {
      double hour = phase * 24;
      return 0.65 + 0.35 * Math.cos(2 * Math.PI * (hour - 14) / 24);
    }
  },
  /**
   * A month with a month-end surge: 1.0 for 27 days, rising smoothly over day 28 to 3.0, which
   * holds for the last two days (closing, reporting, billing runs). The period is one month (30
   * days).
   */
  MONTHLY_PEAK(Duration.ofDays(30), 3.0) {
    @Override
    double multiplierAtPhase(double phase) {
      double day = phase * 30;
      if (day < 27) {
        return 1.0;
      }
      if (day >= 28) {
        return 3.0;
      }
      double x = day - 27;
      return 1.0 + 2.0 * x * x * (3 - 2 * x); // smoothstep
    }
  },
  /**
   * An incident-time surge: 1.0 for the first half of the period, then a jump to 5.0 (retries,
   * users reloading) that decays back to 1.0 with a half-life of 5% of the period.
   */
  INCIDENT_SPIKE(Duration.ofHours(1), 5.0) {
    @Override
    double multiplierAtPhase(double phase) {
      if (phase < 0.5) {
        return 1.0;
      }
      return 1.0 + 4.0 * Math.pow(2, -(phase - 0.5) / 0.05);
    }
  };

  private final Duration defaultPeriod;
  private final double peak;

  LoadShape(Duration defaultPeriod, double peak) {
    this.defaultPeriod = defaultPeriod;
    this.peak = peak;
  }

  abstract double multiplierAtPhase(double phase);

  /** The multiplier at {@code offset} from the run's start, the profile repeating every period. */
  public double multiplier(Duration offset, Duration period) {
    long p = period.toNanos();
    double phase = (double) Math.floorMod(offset.toNanos(), p) / p;
    return multiplierAtPhase(phase);
  }

  /** The largest multiplier the profile reaches. */
  public double peak() {
    return peak;
  }

  /** The natural period: a day, a month (30 days), or an hour for the incident spike. */
  public Duration defaultPeriod() {
    return defaultPeriod;
  }

  /** The command-line name, e.g. {@code daily-cycle}. */
  public String value() {
    return name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The profile named {@code value} (command-line or enum name, any case). */
  public static LoadShape parse(String value) {
    String v = value.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    for (LoadShape s : values()) {
      if (s.name().equals(v)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "unknown load profile '" + value + "' (steady, daily-cycle, monthly-peak, incident-spike)");
  }
}
