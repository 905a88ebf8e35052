package dev.tierscope.api.attribution;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tierscope.api.attribution.*}.
 *
 * @param regressionMargin TTFT p95 must exceed the baseline's by more than this fraction for a
 *     verdict other than {@code none}
 * @param baseline length of the default baseline, which ends where the range starts
 */
@ConfigurationProperties("tierscope.api.attribution")
public record AttributionProperties(
    @DefaultValue("0.10") double regressionMargin, @DefaultValue("1h") Duration baseline) {

  public AttributionProperties {
    if (!(regressionMargin >= 0 && regressionMargin < 10)) {
      throw new IllegalStateException(
          "tierscope.api.attribution.regression-margin must lie in [0, 10), was "
              + regressionMargin);
    }
    if (baseline.isNegative() || baseline.isZero()) {
      throw new IllegalStateException(
          "tierscope.api.attribution.baseline must be positive, was " + baseline);
    }
  }
}
