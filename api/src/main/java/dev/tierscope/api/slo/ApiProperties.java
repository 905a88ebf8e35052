package dev.tierscope.api.slo;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tierscope.api.*}.
 *
 * @param window the aggregator's window size (the resolution of the raw rows read)
 * @param defaultTenant tenant when a query names none
 */
@ConfigurationProperties("tierscope.api")
public record ApiProperties(
    @DefaultValue("10s") Duration window, @DefaultValue("default") String defaultTenant) {}
