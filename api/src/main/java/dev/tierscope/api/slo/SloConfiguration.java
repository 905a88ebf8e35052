package dev.tierscope.api.slo;

import dev.tierscope.core.slo.SeriesCalculator;
import dev.tierscope.core.slo.SloCalculator;
import dev.tierscope.core.store.WindowReader;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The SLO feature: the core calculators of a range and of a series over the window reader. */
@Configuration(proxyBeanMethods = false)
class SloConfiguration {

  @Bean
  SloCalculator sloCalculator(WindowReader reader) {
    return new SloCalculator(reader);
  }

  @Bean
  SeriesCalculator seriesCalculator(WindowReader reader) {
    return new SeriesCalculator(reader);
  }
}
