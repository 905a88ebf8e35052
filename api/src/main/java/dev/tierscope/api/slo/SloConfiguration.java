package dev.tierscope.api.slo;

import dev.tierscope.core.slo.SeriesCalculator;
import dev.tierscope.core.slo.SloCalculator;
import dev.tierscope.core.store.SliceReader;
import dev.tierscope.core.store.WindowReader;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The SLO feature: the core calculators of a range and of a series over the window reader, with
 * breakdowns from the slice reader (the window reader itself when it is one).
 */
@Configuration(proxyBeanMethods = false)
class SloConfiguration {

  @Bean
  SloCalculator sloCalculator(WindowReader reader, ObjectProvider<SliceReader> slices) {
    return new SloCalculator(reader, slices.getIfAvailable(() -> sliceReaderOf(reader)));
  }

  @Bean
  SeriesCalculator seriesCalculator(WindowReader reader, ObjectProvider<SliceReader> slices) {
    return new SeriesCalculator(reader, slices.getIfAvailable(() -> sliceReaderOf(reader)));
  }

  /** The window reader itself when it reads breakdowns too (the PostgreSQL and in-memory ones). */
  private static SliceReader sliceReaderOf(WindowReader reader) {
    return reader instanceof SliceReader s ? s : null;
  }
}
