package dev.tierscope.core.alerting;

import dev.tierscope.core.budget.AlertRule;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * How one traffic class alerts: whether its alerts are pushed at all, and its multi-window
 * burn-rate pairs (the SRE workbook's by default). A severity without a pair never alerts.
 *
 * @param enabled false: the class is evaluated for its gauges but never pushed
 * @param rules the alert pairs, at least one
 */
public record AlertPolicy(boolean enabled, List<AlertRule> rules) {

  public AlertPolicy {
    if (rules == null || rules.isEmpty()) {
      throw new IllegalArgumentException("an alert policy needs at least one rule");
    }
    rules = List.copyOf(rules);
  }

  /** Enabled, with the workbook's pairs. */
  public static AlertPolicy workbook() {
    return new AlertPolicy(true, AlertRule.WORKBOOK);
  }

  /** The severities the rules alert with, in rule order. */
  public Set<String> severities() {
    Set<String> out = new LinkedHashSet<>();
    rules.forEach(r -> out.add(r.severity()));
    return out;
  }
}
