package dev.tierscope.api.attribution;

import dev.tierscope.core.attribution.AttributionCalculator;
import dev.tierscope.core.store.WindowReader;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Tier attribution: core's calculator with the configured settings. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AttributionProperties.class)
class AttributionConfiguration {

  @Bean
  AttributionCalculator attributionCalculator(
      WindowReader reader, AttributionProperties properties) {
    return new AttributionCalculator(reader, properties.settings());
  }
}
