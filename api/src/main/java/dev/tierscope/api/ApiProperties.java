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
 * @param readThreads threads that read an SLO report's counters while the request's own thread
 *     reads its histograms (two statements at once); 0 reads them one after the other
 */
@ConfigurationProperties("tierscope.api")
public record ApiProperties(
    @DefaultValue("default") String defaultTenant,
    @DefaultValue("5000") int maxPoints,
    @DefaultValue("1s") Duration rollupProgressTtl,
    @DefaultValue("4") int readThreads) {

  public ApiProperties {
    if (maxPoints < 1) {
      throw new IllegalStateException("tierscope.api.max-points must be >= 1, was " + maxPoints);
    }
    if (readThreads < 0) {
      throw new IllegalStateException(
          "tierscope.api.read-threads must be >= 0, was " + readThreads);
    }
    if (rollupProgressTtl.isNegative()) {
      throw new IllegalStateException(
          "tierscope.api.rollup-progress-ttl must not be negative, was " + rollupProgressTtl);
    }
  }
}
