package dev.tierscope.api;

import dev.tierscope.boot.SpansProperties;
import dev.tierscope.core.store.TotalsReader;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.store.PostgresTotalsReader;
import dev.tierscope.store.PostgresWindowReader;
import dev.tierscope.store.WindowReadMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What every endpoint reads through: the PostgreSQL window reader (raw windows and rollups), its
 * metrics ({@code tierscope.api.window.rows}, tagged by resolution), the class totals reader and
 * the clock that says "now".
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ApiProperties.class)
class ApiConfiguration {

  @Bean
  @ConditionalOnMissingBean
  Clock clock() {
    return Clock.systemUTC();
  }

  @Bean
  TotalsReader totalsReader(DataSource dataSource) {
    return new PostgresTotalsReader(dataSource);
  }

  @Bean
  WindowReader windowReader(
      DataSource dataSource,
      ApiProperties properties,
      SpansProperties spans,
      MeterRegistry registry,
      Clock clock) {
    Map<Integer, Counter> rows = new ConcurrentHashMap<>();
    WindowReadMetrics metrics =
        (resolution, n) ->
            rows.computeIfAbsent(
                    resolution,
                    r ->
                        Counter.builder("tierscope.api.window.rows")
                            .description("stored window rows read, by resolution in seconds")
                            .tag("resolution", Integer.toString(r))
                            .register(registry))
                .increment(n);
    return new PostgresWindowReader(
        dataSource,
        (int) spans.window().toSeconds(),
        properties.rollupProgressTtl(),
        metrics,
        clock);
  }
}
