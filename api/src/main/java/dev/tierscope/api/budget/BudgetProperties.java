package dev.tierscope.api.budget;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code tierscope.api.budget.*}.
 *
 * @param period the rolling SLO period error budgets are computed over
 */
@ConfigurationProperties("tierscope.api.budget")
record BudgetProperties(@DefaultValue("30d") Duration period) {

  public BudgetProperties {
    if (period.isNegative() || period.isZero()) {
      throw new IllegalStateException(
          "tierscope.api.budget.period must be positive, was " + period);
    }
  }
}
