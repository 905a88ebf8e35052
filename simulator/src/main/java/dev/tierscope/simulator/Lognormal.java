package dev.tierscope.simulator;

import java.util.SplittableRandom;

/**
 * A lognormal latency distribution given by its median and the standard deviation of its log: the
 * long right tail of real network and service latencies. The p95 is {@code median * exp(1.645 *
 * sigma)}.
 *
 * @param medianMicros the median, microseconds
 * @param sigma standard deviation of the natural log (0 gives the median every time)
 */
public record Lognormal(double medianMicros, double sigma) {

  public Lognormal {
    if (!(medianMicros >= 0) || !(sigma >= 0)) {
      throw new IllegalArgumentException(
          "lognormal needs a median >= 0 and sigma >= 0, got " + medianMicros + ", " + sigma);
    }
  }

  /** A distribution with the median in milliseconds. */
  public static Lognormal ofMillis(double medianMillis, double sigma) {
    return new Lognormal(medianMillis * 1000, sigma);
  }

  /** One sample, microseconds, rounded (at least 0). */
  public long sample(SplittableRandom random) {
    return Math.round(value(random));
  }

  /** One sample, unrounded: for factors and counts, where the median is not a time. */
  public double value(SplittableRandom random) {
    return medianMicros * Math.exp(sigma * gaussian(random));
  }

  /** This distribution with its median scaled by {@code factor}. */
  public Lognormal times(double factor) {
    return new Lognormal(medianMicros * factor, sigma);
  }

  /** A standard normal sample (Box-Muller; one draw per call keeps the streams simple). */
  static double gaussian(SplittableRandom random) {
    double u1 = 1.0 - random.nextDouble(); // (0, 1]: log is finite
    double u2 = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}
