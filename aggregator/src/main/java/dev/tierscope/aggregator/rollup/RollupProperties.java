package dev.tierscope.aggregator.rollup;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tierscope.rollup.*}: the 10 s -> 1 min -> 1 h -> 1 d rollups and retention.
 *
 * @param enabled run the rollup job in this aggregator (any number of instances may; one runs at a
 *     time)
 * @param interval how often the job runs
 * @param delay a window is rolled up once it ended this long ago; keep it above the allowed
 *     lateness plus grace
 * @param rawRetention how long 10 s windows are kept
 * @param minuteRetention how long 1 min rollups are kept
 * @param hourRetention how long 1 h rollups are kept
 * @param dayRetention how long 1 d rollups are kept (long ranges, e.g. a 30-day SLO, read them)
 */
@ConfigurationProperties("tierscope.rollup")
public record RollupProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("30s") Duration interval,
    @DefaultValue("3m") Duration delay,
    @DefaultValue("2d") Duration rawRetention,
    @DefaultValue("35d") Duration minuteRetention,
    @DefaultValue("400d") Duration hourRetention,
    @DefaultValue("400d") Duration dayRetention) {}
