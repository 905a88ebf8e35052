package dev.tierscope.core.attribution;

/**
 * How strict the attribution is. The defaults are the ones the accuracy table was measured with.
 *
 * @param regressionMargin TTFT's mean must exceed the baseline's by more than this fraction, on top
 *     of being significant (0: any significant growth counts)
 * @param regressionSignificance one-sided significance level of the test that TTFT's mean grew
 * @param tierSignificance family-wise one-sided significance level of the tests that a tier's
 *     component grew (split evenly over the tiers tested)
 * @param minShare a significant tier is found only when it carries at least this part of the found
 *     tiers' summed growth
 * @param minRequests the range and the baseline each need at least this many requests with a TTFT
 *     (and a tier this many with its component) to be tested
 * @param bootstrapReplicates replicates of the Poisson bootstrap behind confidences and intervals
 */
public record AttributionSettings(
    double regressionMargin,
    double regressionSignificance,
    double tierSignificance,
    double minShare,
    long minRequests,
    int bootstrapReplicates) {

  public AttributionSettings {
    if (!(regressionMargin >= 0 && regressionMargin < 10)) {
      throw new IllegalArgumentException(
          "regressionMargin must lie in [0, 10), was " + regressionMargin);
    }
    if (!(regressionSignificance > 0 && regressionSignificance < 0.5)) {
      throw new IllegalArgumentException(
          "regressionSignificance must lie in (0, 0.5), was " + regressionSignificance);
    }
    if (!(tierSignificance > 0 && tierSignificance < 0.5)) {
      throw new IllegalArgumentException(
          "tierSignificance must lie in (0, 0.5), was " + tierSignificance);
    }
    if (!(minShare >= 0 && minShare < 0.5)) {
      throw new IllegalArgumentException("minShare must lie in [0, 0.5), was " + minShare);
    }
    if (minRequests < 2) {
      throw new IllegalArgumentException("minRequests must be at least 2, was " + minRequests);
    }
    if (bootstrapReplicates < 20 || bootstrapReplicates > 10_000) {
      throw new IllegalArgumentException(
          "bootstrapReplicates must lie in [20, 10000], was " + bootstrapReplicates);
    }
  }

  /**
   * Margin 0, TTFT tested at 5%, tiers at 0.5% family-wise, minimum share 5%, at least 100
   * requests, 200 bootstrap replicates.
   */
  public static AttributionSettings defaults() {
    return new AttributionSettings(0.0, 0.05, 0.005, 0.05, 100, 200);
  }

  public AttributionSettings withRegressionMargin(double margin) {
    return new AttributionSettings(
        margin,
        regressionSignificance,
        tierSignificance,
        minShare,
        minRequests,
        bootstrapReplicates);
  }

  public AttributionSettings withMinRequests(long n) {
    return new AttributionSettings(
        regressionMargin,
        regressionSignificance,
        tierSignificance,
        minShare,
        n,
        bootstrapReplicates);
  }

  public AttributionSettings withBootstrapReplicates(int n) {
    return new AttributionSettings(
        regressionMargin, regressionSignificance, tierSignificance, minShare, minRequests, n);
  }
}
