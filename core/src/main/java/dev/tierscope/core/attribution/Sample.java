package dev.tierscope.core.attribution;

import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/**
 * The recorded values of one merged histogram as (value, count) pairs, for moments and the Poisson
 * bootstrap.
 *
 * <p>Why a Poisson bootstrap: the store keeps histograms, not requests. Resampling requests with
 * replacement gives each request a Poisson(1) weight in the limit, so a bucket holding {@code c}
 * requests gets a Poisson({@code c}) count; a replicate then costs one draw per non-empty bucket,
 * not per request, whatever the range's traffic.
 */
final class Sample {

  /** Count, mean and variance (population) of a set of values, in the histogram's unit. */
  record Moments(long n, double mean, double variance) {
    static final Moments EMPTY = new Moments(0, 0, 0);
  }

  private final double[] values;
  private final long[] counts;
  private final Moments moments;

  private Sample(double[] values, long[] counts) {
    this.values = values;
    this.counts = counts;
    this.moments = moments(values, counts, null);
  }

  /** The values of {@code h} (null or empty: no values). */
  static Sample of(Histogram h) {
    if (h == null || h.getTotalCount() == 0) {
      return new Sample(new double[0], new long[0]);
    }
    int n = 0;
    for (HistogramIterationValue ignored : h.recordedValues()) {
      n++;
    }
    double[] values = new double[n];
    long[] counts = new long[n];
    int i = 0;
    for (HistogramIterationValue v : h.recordedValues()) {
      values[i] = h.medianEquivalentValue(v.getValueIteratedTo());
      counts[i] = v.getCountAtValueIteratedTo();
      i++;
    }
    return new Sample(values, counts);
  }

  Moments moments() {
    return moments;
  }

  /** The moments of one Poisson bootstrap replicate. */
  Moments resample(SplittableRandom random) {
    return moments(values, counts, random);
  }

  private static Moments moments(double[] values, long[] counts, SplittableRandom random) {
    long n = 0;
    double sum = 0;
    double sumSquares = 0;
    for (int i = 0; i < values.length; i++) {
      long c = random == null ? counts[i] : poisson(random, counts[i]);
      n += c;
      sum += c * values[i];
      sumSquares += c * values[i] * values[i];
    }
    if (n == 0) {
      return Moments.EMPTY;
    }
    double mean = sum / n;
    return new Moments(n, mean, Math.max(0, sumSquares / n - mean * mean));
  }

  /** e^-k for the exact draws, so that a draw costs one uniform and no exponential. */
  private static final double[] EXP_NEG = new double[30];

  static {
    for (int k = 0; k < EXP_NEG.length; k++) {
      EXP_NEG[k] = Math.exp(-k);
    }
  }

  /**
   * A Poisson draw of mean {@code lambda}: exact below 30 (inversion: one uniform, then the
   * cumulative probabilities from 0 up), normal approximation from 30 on.
   */
  static long poisson(SplittableRandom random, long lambda) {
    if (lambda < EXP_NEG.length) {
      double u = random.nextDouble();
      double p = EXP_NEG[(int) lambda];
      double cumulative = p;
      long k = 0;
      // The cap only guards against rounding: the tail beyond it is below 1e-16.
      while (u > cumulative && k < 200) {
        k++;
        p *= (double) lambda / k;
        cumulative += p;
      }
      return k;
    }
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * gaussian(random)));
  }

  private static double gaussian(SplittableRandom random) {
    // Box-Muller; one of the pair is enough here.
    double u = 1 - random.nextDouble();
    double v = random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
