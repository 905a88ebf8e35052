package dev.tierscope.api.attribution;

import dev.tierscope.core.attribution.AttributionSettings;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tierscope.api.attribution.*}.
 *
 * @param regressionMargin TTFT's mean must exceed the baseline's by more than this fraction, on top
 *     of a significant growth, for a verdict other than {@code none} (0: any significant growth)
 * @param regressionSignificance one-sided significance level of the test that TTFT's mean grew
 * @param tierSignificance family-wise one-sided significance level of the tests that a tier's
 *     component grew
 * @param minShare a significant tier is reported only when it carries at least this part of the
 *     found tiers' growth
 * @param minRequests requests with a first token needed in the range and in the baseline, else the
 *     verdict is {@code insufficient_data}
 * @param bootstrapReplicates replicates of the bootstrap behind confidences and share intervals
 * @param baseline length of the default baseline, which ends where the range starts
 */
@ConfigurationProperties("tierscope.api.attribution")
public record AttributionProperties(
    @DefaultValue("0") double regressionMargin,
    @DefaultValue("0.05") double regressionSignificance,
    @DefaultValue("0.005") double tierSignificance,
    @DefaultValue("0.05") double minShare,
    @DefaultValue("100") long minRequests,
    @DefaultValue("200") int bootstrapReplicates,
    @DefaultValue("1h") Duration baseline) {

  private static final String PREFIX = "tierscope.api.attribution.";

  public AttributionProperties {
    check(
        regressionMargin >= 0 && regressionMargin < 10,
        "regression-margin",
        "[0, 10)",
        regressionMargin);
    check(
        regressionSignificance > 0 && regressionSignificance < 0.5,
        "regression-significance",
        "(0, 0.5)",
        regressionSignificance);
    check(
        tierSignificance > 0 && tierSignificance < 0.5,
        "tier-significance",
        "(0, 0.5)",
        tierSignificance);
    check(minShare >= 0 && minShare < 0.5, "min-share", "[0, 0.5)", minShare);
    check(minRequests >= 2, "min-requests", "[2, ...)", minRequests);
    check(
        bootstrapReplicates >= 20 && bootstrapReplicates <= 10_000,
        "bootstrap-replicates",
        "[20, 10000]",
        bootstrapReplicates);
    if (baseline.isNegative() || baseline.isZero()) {
      throw new IllegalStateException(PREFIX + "baseline must be positive, was " + baseline);
    }
  }

  private static void check(boolean ok, String name, String range, Object value) {
    if (!ok) {
      throw new IllegalStateException(PREFIX + name + " must lie in " + range + ", was " + value);
    }
  }

  /** The core settings these properties describe. */
  public AttributionSettings settings() {
    return new AttributionSettings(
        regressionMargin,
        regressionSignificance,
        tierSignificance,
        minShare,
        minRequests,
        bootstrapReplicates);
  }
}
