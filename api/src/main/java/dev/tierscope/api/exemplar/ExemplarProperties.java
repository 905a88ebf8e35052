package dev.tierscope.api.exemplar;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tierscope.api.exemplars.*}.
 *
 * @param defaultLimit exemplars returned when a query names no {@code limit}
 * @param maxLimit the largest {@code limit} accepted
 */
@ConfigurationProperties("tierscope.api.exemplars")
record ExemplarProperties(
    @DefaultValue("20") int defaultLimit, @DefaultValue("1000") int maxLimit) {

  public ExemplarProperties {
    if (maxLimit < 1) {
      throw new IllegalStateException(
          "tierscope.api.exemplars.max-limit must be >= 1, was " + maxLimit);
    }
    if (defaultLimit < 1 || defaultLimit > maxLimit) {
      throw new IllegalStateException(
          "tierscope.api.exemplars.default-limit must lie in [1, max-limit], was " + defaultLimit);
    }
  }
}
