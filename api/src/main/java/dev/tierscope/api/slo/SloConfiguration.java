package dev.tierscope.api.slo;

import dev.tierscope.core.slo.SloCalculator;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.store.PostgresWindowReader;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The SLO feature: the PostgreSQL window reader and the core calculator on top of it. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ApiProperties.class)
public class SloConfiguration {

  @Bean
  WindowReader windowReader(DataSource dataSource, ApiProperties properties) {
    return new PostgresWindowReader(dataSource, (int) properties.window().toSeconds());
  }

  @Bean
  SloCalculator sloCalculator(WindowReader reader) {
    return new SloCalculator(reader);
  }
}
