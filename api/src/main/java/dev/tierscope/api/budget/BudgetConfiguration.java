package dev.tierscope.api.budget;

import dev.tierscope.core.budget.AlertRule;
import dev.tierscope.core.budget.BudgetCalculator;
import dev.tierscope.core.store.WindowReader;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Error budgets and burn-rate alerts: core's calculator with the SRE workbook's alert pairs. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(BudgetProperties.class)
class BudgetConfiguration {

  @Bean
  BudgetCalculator budgetCalculator(WindowReader reader, BudgetProperties properties) {
    return new BudgetCalculator(reader, properties.period(), AlertRule.WORKBOOK);
  }
}
