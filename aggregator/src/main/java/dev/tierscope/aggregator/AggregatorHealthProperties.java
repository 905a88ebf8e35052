package dev.tierscope.aggregator;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tierscope.aggregator.health.*}: when the aggregator's health says it is not live or not
 * ready.
 *
 * @param checkpointAgeLimit readiness is down when a loop's last successful checkpoint is older
 *     than this (PostgreSQL unreachable, a fenced or reload loop)
 * @param maxLag readiness is down while a loop reads records older than this (it is catching up)
 * @param stallTimeout liveness is down when a loop has not reported for this long (its thread is
 *     stuck); every blocking call of a loop is bounded well below it
 */
@ConfigurationProperties("tierscope.aggregator.health")
public record AggregatorHealthProperties(
    @DefaultValue("60s") Duration checkpointAgeLimit,
    @DefaultValue("30s") Duration maxLag,
    @DefaultValue("5m") Duration stallTimeout) {

  public AggregatorHealthProperties {
    for (var e :
        java.util.Map.of(
                "checkpoint-age-limit", checkpointAgeLimit,
                "max-lag", maxLag,
                "stall-timeout", stallTimeout)
            .entrySet()) {
      if (e.getValue().isNegative() || e.getValue().isZero()) {
        throw new IllegalArgumentException(
            "tierscope.aggregator.health." + e.getKey() + " must be > 0, was " + e.getValue());
      }
    }
  }
}
