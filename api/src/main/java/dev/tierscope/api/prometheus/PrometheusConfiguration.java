package dev.tierscope.api.prometheus;

import dev.tierscope.api.alerting.AlertPolicies;
import dev.tierscope.core.budget.BudgetCalculator;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.store.TotalsReader;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The SLI scrape endpoint: an {@link SloExporter} over the store's class totals. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(PrometheusProperties.class)
public class PrometheusConfiguration {

  @Bean
  SloExporter sloExporter(
      TotalsReader totals,
      TrafficClasses classes,
      BudgetCalculator budgets,
      AlertPolicies policies,
      PrometheusProperties properties) {
    return new SloExporter(
        totals,
        classes,
        budgets,
        policies::of,
        properties.latencyBuckets(),
        properties.toolchainBuckets(),
        properties.budgetGauges());
  }
}
