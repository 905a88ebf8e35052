package dev.tierscope.api;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tierscope.api.*}: what every endpoint shares. The window size (the resolution of the raw
 * rows read) is the one of every deployable, {@code tierscope.spans.window}.
 *
 * @param defaultTenant tenant when a query names none
 * @param maxPoints most points a series may have; a range too large for its step is refused
 * @param rollupProgressTtl how long a read of the rollup progress is reused (0: every query)
 */
@ConfigurationProperties("tierscope.api")
public record ApiProperties(
    @DefaultValue("default") String defaultTenant,
    @DefaultValue("5000") int maxPoints,
    @DefaultValue("1s") Duration rollupProgressTtl) {

  public ApiProperties {
    if (maxPoints < 1) {
      throw new IllegalStateException("tierscope.api.max-points must be >= 1, was " + maxPoints);
    }
    if (rollupProgressTtl.isNegative()) {
      throw new IllegalStateException(
          "tierscope.api.rollup-progress-ttl must not be negative, was " + rollupProgressTtl);
    }
  }
}
