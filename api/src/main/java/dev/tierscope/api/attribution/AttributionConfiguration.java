package dev.tierscope.api.attribution;

import dev.tierscope.core.attribution.AttributionCalculator;
import dev.tierscope.core.store.SliceReader;
import dev.tierscope.core.store.WindowReader;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Tier attribution: core's calculator with the configured settings. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AttributionProperties.class)
class AttributionConfiguration {

  @Bean
  AttributionCalculator attributionCalculator(
      WindowReader reader, ObjectProvider<SliceReader> slices, AttributionProperties properties) {
    // The breakdowns let the evidence name the backend (model runtime, retriever) that explains a
    // regression; the window reader reads them too when it is the PostgreSQL or in-memory one.
    SliceReader sliceReader =
        slices.getIfAvailable(() -> reader instanceof SliceReader s ? s : null);
    return new AttributionCalculator(reader, sliceReader, properties.settings());
  }
}
