package dev.tierscope.api.alerting;

import dev.tierscope.core.alerting.AlertPolicy;
import dev.tierscope.core.budget.AlertRule;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each class's {@link AlertPolicy} from {@code tierscope.api.alerting.*}, checked at start-up: the
 * classes named exist, every pair is a valid rule shorter than the SLO period. The one place
 * budgets, alerts, gauges and pushes take their alert windows from.
 */
public final class AlertPolicies {

  private final Map<String, AlertPolicy> byClass = new LinkedHashMap<>();

  /**
   * @param period the default SLO period ({@code tierscope.api.budget.period}); alert windows must
   *     be shorter
   */
  public AlertPolicies(AlertingProperties properties, TrafficClasses classes, Duration period) {
    for (String name : properties.classes().keySet()) {
      if (!classes.contains(name)) {
        throw new IllegalStateException(
            "tierscope.api.alerting.classes."
                + name
                + " names no configured class; known classes: "
                + classes.all().stream().map(TrafficClass::name).toList());
      }
    }
    for (TrafficClass cls : classes.all()) {
      AlertingProperties.ClassPolicy own = properties.classes().get(cls.name());
      String prefix = "tierscope.api.alerting.classes." + cls.name();
      List<AlertRule> rules;
      if (own != null && own.rules() != null && !own.rules().isEmpty()) {
        rules = rules(own.rules(), prefix + ".rules", period);
      } else if (!properties.rules().isEmpty()) {
        rules = rules(properties.rules(), "tierscope.api.alerting.rules", period);
      } else {
        rules = rules(workbook(), "the SRE workbook's alert pairs", period);
      }
      byClass.put(cls.name(), new AlertPolicy(own == null || own.enabled(), rules));
    }
  }

  /** The policy of a configured class. */
  public AlertPolicy of(String className) {
    AlertPolicy p = byClass.get(className);
    if (p == null) {
      throw new IllegalArgumentException("no configured class " + className);
    }
    return p;
  }

  private static List<AlertingProperties.Rule> workbook() {
    return AlertRule.WORKBOOK.stream()
        .map(
            r ->
                new AlertingProperties.Rule(
                    r.severity(), r.longWindow(), r.shortWindow(), r.threshold()))
        .toList();
  }

  private static List<AlertRule> rules(
      List<AlertingProperties.Rule> rules, String property, Duration period) {
    List<AlertRule> out = new ArrayList<>();
    for (int i = 0; i < rules.size(); i++) {
      AlertingProperties.Rule r = rules.get(i);
      String name = property + "[" + i + "]";
      if (r.longWindow() == null || r.shortWindow() == null) {
        throw new IllegalStateException(name + " needs long-window and short-window");
      }
      try {
        out.add(new AlertRule(r.severity(), r.longWindow(), r.shortWindow(), r.threshold()));
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(name + ": " + e.getMessage(), e);
      }
      if (r.longWindow().compareTo(period) >= 0) {
        throw new IllegalStateException(
            name
                + ": long-window "
                + r.longWindow()
                + " must be shorter than the period "
                + period);
      }
    }
    return out;
  }
}
