package dev.tierscope.api.exemplar;

import dev.tierscope.core.store.ExemplarReader;
import dev.tierscope.store.PostgresExemplarReader;
import javax.sql.DataSource;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Exemplars: the store's reader of the slowest requests kept per window. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ExemplarProperties.class)
class ExemplarConfiguration {

  @Bean
  ExemplarReader exemplarReader(DataSource dataSource) {
    return new PostgresExemplarReader(dataSource);
  }
}
