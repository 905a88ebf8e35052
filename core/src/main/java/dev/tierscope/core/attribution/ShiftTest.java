package dev.tierscope.core.attribution;

import dev.tierscope.core.attribution.Sample.Moments;

/**
 * The attribution's decision from the moments of TTFT and of each tier's component in the range and
 * the baseline: did TTFT regress, which tiers' components grew, what part of the growth each
 * carries and which tier dominates.
 *
 * <p>Why means over all requests rather than over the slow ones: a request is slow because of the
 * sum of its components, so among slow requests every component is larger than usual, whichever
 * tier degraded (a selection effect). Comparing slow requests now with all requests of the baseline
 * therefore blamed an unchanged tier whenever a fault pushed requests with a naturally slow mesh
 * (long tool chains) over the threshold; the accuracy sweep named the mesh for 3% packet loss on
 * the edge in 4 of 20 seeds. An unchanged tier's component has the same distribution in both
 * ranges, so its mean does not move beyond noise, and a one-sided Welch test on the means tells a
 * changed tier from an unchanged one with a known false-alarm rate. A fault that hits a few
 * requests hard (tool timeouts, one client path) moves the mean a lot, where a rank test barely
 * moves.
 */
final class ShiftTest {

  /** The decision and the numbers behind it; arrays are indexed by {@link Tier#ordinal()}. */
  record Result(
      Verdict verdict,
      boolean regressed,
      double ttftGrowth,
      double ttftZ,
      double[] growth,
      double[] z,
      boolean[] tested,
      boolean[] found,
      double[] shares) {

    /** Found tiers, or none when TTFT did not regress. */
    boolean named(Tier t) {
      return regressed && found[t.ordinal()];
    }
  }

  private static final int TIERS = Tier.values().length;

  private final AttributionSettings settings;
  private final double regressionZ;

  /** Critical z of one tier's test when {@code k + 1} tiers are tested (Bonferroni). */
  private final double[] tierZ = new double[TIERS];

  ShiftTest(AttributionSettings settings) {
    this.settings = settings;
    this.regressionZ = inverseNormal(1 - settings.regressionSignificance());
    for (int k = 0; k < TIERS; k++) {
      tierZ[k] = inverseNormal(1 - settings.tierSignificance() / (k + 1));
    }
  }

  /** Critical z of the TTFT test. */
  double regressionZ() {
    return regressionZ;
  }

  /** Critical z of each tier's test when {@code tested} tiers are tested. */
  double tierZ(int tested) {
    return tierZ[Math.max(1, tested) - 1];
  }

  /**
   * @param cur per tier, the range's moments (n below the minimum: not tested)
   * @param base per tier, the baseline's moments
   */
  Result decide(Moments ttftCur, Moments ttftBase, Moments[] cur, Moments[] base) {
    double ttftGrowth = ttftCur.mean() - ttftBase.mean();
    double ttftZ = z(ttftCur, ttftBase);
    boolean regressed =
        ttftZ >= regressionZ && ttftGrowth > settings.regressionMargin() * ttftBase.mean();

    double[] growth = new double[TIERS];
    double[] z = new double[TIERS];
    boolean[] tested = new boolean[TIERS];
    int testedCount = 0;
    for (int t = 0; t < TIERS; t++) {
      tested[t] = cur[t].n() >= settings.minRequests() && base[t].n() >= settings.minRequests();
      if (tested[t]) {
        testedCount++;
        growth[t] = cur[t].mean() - base[t].mean();
        z[t] = z(cur[t], base[t]);
      }
    }
    double critical = tierZ(testedCount);
    boolean[] found = new boolean[TIERS];
    double sum = 0;
    for (int t = 0; t < TIERS; t++) {
      found[t] = tested[t] && growth[t] > 0 && z[t] >= critical;
      sum += found[t] ? growth[t] : 0;
    }
    // A significant but negligible growth next to a large one is not a finding.
    double kept = 0;
    for (int t = 0; t < TIERS; t++) {
      if (found[t] && growth[t] < settings.minShare() * sum) {
        found[t] = false;
      }
      kept += found[t] ? growth[t] : 0;
    }
    double[] shares = new double[TIERS];
    int top = -1;
    for (int t = 0; t < TIERS; t++) {
      if (regressed && found[t]) {
        shares[t] = growth[t] / kept;
        if (top < 0 || growth[t] > growth[top]) {
          top = t;
        }
      }
    }
    Verdict verdict = top < 0 ? Verdict.NONE : Verdict.of(Tier.values()[top]);
    return new Result(verdict, regressed, ttftGrowth, ttftZ, growth, z, tested, found, shares);
  }

  /** Welch's z of the growth of the mean from {@code base} to {@code cur}; 0 without data. */
  static double z(Moments cur, Moments base) {
    if (cur.n() < 2 || base.n() < 2) {
      return 0;
    }
    double growth = cur.mean() - base.mean();
    // population variances over n - 1: the unbiased variance over n
    double se = Math.sqrt(cur.variance() / (cur.n() - 1) + base.variance() / (base.n() - 1));
    if (se == 0) {
      return growth > 0 ? Double.POSITIVE_INFINITY : growth < 0 ? Double.NEGATIVE_INFINITY : 0;
    }
    return growth / se;
  }

  /**
   * The standard normal quantile of {@code p} in (0, 1) (Acklam's rational approximation, relative
   * error below 1.2e-9).
   */
  static double inverseNormal(double p) {
    if (!(p > 0 && p < 1)) {
      throw new IllegalArgumentException("p must lie in (0, 1), was " + p);
    }
    final double[] a = {
      -3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
      1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00
    };
    final double[] b = {
      -5.447609879822406e+01,
      1.615858368580409e+02,
      -1.556989798598866e+02,
      6.680131188771972e+01,
      -1.328068155288572e+01
    };
    final double[] c = {
      -7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
      -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00
    };
    final double[] d = {
      7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00
    };
    double low = 0.02425;
    if (p < low) {
      double q = Math.sqrt(-2 * Math.log(p));
      return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
          / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - low) {
      return -inverseNormal(1 - p);
    }
    double q = p - 0.5;
    double r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5])
        * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
}
