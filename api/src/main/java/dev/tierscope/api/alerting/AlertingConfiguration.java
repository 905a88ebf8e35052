package dev.tierscope.api.alerting;

import dev.tierscope.core.budget.BudgetCalculator;
import dev.tierscope.core.classes.TrafficClasses;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Burn-rate alerting: the per-class alert pairs every budget reader shares. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(AlertingProperties.class)
public class AlertingConfiguration {

  @Bean
  AlertPolicies alertPolicies(
      AlertingProperties properties, TrafficClasses classes, BudgetCalculator budgets) {
    return new AlertPolicies(properties, classes, budgets.period());
  }
}
