package dev.tierscope.core.budget;

import dev.tierscope.core.slo.EventCounts;
import dev.tierscope.core.slo.Sli;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The error budget of one SLI of one class at one instant.
 *
 * @param trafficClass class
 * @param sli the SLI
 * @param at evaluation instant: every window ends at it (windows starting in [at - w, at))
 * @param period SLO period, rolling
 * @param target fraction of events that must be good
 * @param events good and total events over the period
 * @param budgetRemaining 1 - (bad ratio / (1 - target)): 1 untouched, 0 spent, negative overspent
 * @param burnRates per window (5 min ... 3 d), bad ratio / (1 - target); 0 without events, infinite
 *     when the target is 1 and an event was bad
 * @param alerts the multi-window alerts, firing or not
 */
public record BudgetReport(
    String trafficClass,
    Sli sli,
    Instant at,
    Duration period,
    double target,
    EventCounts events,
    double budgetRemaining,
    Map<Duration, Double> burnRates,
    List<Alert> alerts) {

  /**
   * @param rule the rule
   * @param burnRate burn rate over the long window
   * @param shortBurnRate burn rate over the short window
   * @param firing both exceed the threshold
   */
  public record Alert(AlertRule rule, double burnRate, double shortBurnRate, boolean firing) {}
}
