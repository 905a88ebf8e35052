package dev.tierscope.core.alerting;

import dev.tierscope.core.attribution.Attribution;
import dev.tierscope.core.attribution.AttributionCalculator;
import dev.tierscope.core.budget.AlertRule;
import dev.tierscope.core.budget.BudgetCalculator;
import dev.tierscope.core.budget.BudgetReport;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.slo.Sli;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;
import java.util.function.Function;

/**
 * Evaluates the burn-rate alerts of every enabled class of the given tenants at one instant, with
 * the annotations a page needs: burn rates over the alert windows, the windows and thresholds, the
 * objective and the remaining budget, and, for a firing alert, the tier attribution verdict over
 * its long window against the baseline before it.
 *
 * <pre>{@code
 * AlertEvaluator evaluator = new AlertEvaluator(classes, policies::of, budgets, attribution,
 *     Duration.ofHours(1));
 * List<AlertTracker.Evaluation> now = evaluator.evaluate(List.of("default"), clock.instant());
 * }</pre>
 */
public final class AlertEvaluator {

  private final TrafficClasses classes;
  private final Function<String, AlertPolicy> policies;
  private final BudgetCalculator budgets;
  private final AttributionCalculator attribution;
  private final Duration attributionBaseline;

  /**
   * @param policies per class name, its policy
   * @param attributionBaseline length of the baseline before a firing alert's long window
   */
  public AlertEvaluator(
      TrafficClasses classes,
      Function<String, AlertPolicy> policies,
      BudgetCalculator budgets,
      AttributionCalculator attribution,
      Duration attributionBaseline) {
    this.classes = classes;
    this.policies = policies;
    this.budgets = budgets;
    this.attribution = attribution;
    this.attributionBaseline = attributionBaseline;
  }

  /** An evaluation of every SLI and severity of every enabled class of every tenant. */
  public List<AlertTracker.Evaluation> evaluate(Collection<String> tenants, Instant at) {
    List<AlertTracker.Evaluation> out = new ArrayList<>();
    for (String tenant : tenants) {
      for (TrafficClass cls : classes.all()) {
        AlertPolicy policy = policies.apply(cls.name());
        if (!policy.enabled()) {
          continue;
        }
        Map<Sli, BudgetReport> reports = budgets.evaluate(tenant, cls, at, policy.rules());
        String verdict = null;
        for (Map.Entry<Sli, BudgetReport> e : reports.entrySet()) {
          for (String severity : policy.severities()) {
            List<BudgetReport.Alert> pairs =
                e.getValue().alerts().stream()
                    .filter(a -> a.rule().severity().equals(severity))
                    .toList();
            boolean firing = pairs.stream().anyMatch(BudgetReport.Alert::firing);
            Map<String, String> annotations = annotations(e.getValue(), severity, pairs);
            if (firing) {
              if (verdict == null) {
                verdict = verdict(tenant, cls, at, pairs);
              }
              annotations.put("attribution_verdict", verdict);
            }
            out.add(
                new AlertTracker.Evaluation(
                    new AlertKey(tenant, cls.name(), e.getKey(), severity), firing, annotations));
          }
        }
      }
    }
    return out;
  }

  private String verdict(
      String tenant, TrafficClass cls, Instant at, List<BudgetReport.Alert> pairs) {
    Duration window =
        pairs.stream()
            .filter(BudgetReport.Alert::firing)
            .map(a -> a.rule().longWindow())
            .max(Duration::compareTo)
            .orElseThrow();
    Instant from = at.minus(window);
    Attribution a =
        attribution.attribute(tenant, cls, from, at, from.minus(attributionBaseline), from);
    return a.verdict() == null ? "none" : a.verdict().id();
  }

  private static Map<String, String> annotations(
      BudgetReport r, String severity, List<BudgetReport.Alert> pairs) {
    Map<String, String> out = new LinkedHashMap<>();
    BudgetReport.Alert worst =
        pairs.stream()
            .filter(BudgetReport.Alert::firing)
            .findFirst()
            .orElse(pairs.isEmpty() ? null : pairs.get(0));
    String name = r.trafficClass() + " " + r.sli().id();
    if (worst != null) {
      out.put(
          "summary",
          String.format(
              Locale.ROOT,
              "%s burns its error budget %s times too fast over %s and %s times over %s (%s)",
              name,
              rate(worst.burnRate()),
              AlertRule.windowName(worst.rule().longWindow()),
              rate(worst.shortBurnRate()),
              AlertRule.windowName(worst.rule().shortWindow()),
              severity));
    }
    StringJoiner burn = new StringJoiner(" ");
    StringJoiner windows = new StringJoiner(" ");
    for (BudgetReport.Alert a : pairs) {
      burn.add(AlertRule.windowName(a.rule().longWindow()) + "=" + rate(a.burnRate()));
      burn.add(AlertRule.windowName(a.rule().shortWindow()) + "=" + rate(a.shortBurnRate()));
      windows.add(
          AlertRule.windowName(a.rule().longWindow())
              + "/"
              + AlertRule.windowName(a.rule().shortWindow())
              + ">"
              + rate(a.rule().threshold())
              + (a.firing() ? "(firing)" : ""));
    }
    out.put("burn_rates", burn.toString());
    out.put("windows", windows.toString());
    out.put("objective", String.format(Locale.ROOT, "%.4g", r.target()));
    out.put(
        "error_budget_remaining",
        Double.isFinite(r.budgetRemaining())
            ? String.format(Locale.ROOT, "%.4f", r.budgetRemaining())
            : "-inf");
    out.put(
        "description",
        String.format(
            Locale.ROOT,
            "%s: %d of %d events good over the %s SLO period (objective %s); burn rates %s;"
                + " alert pairs %s",
            name,
            r.events().good(),
            r.events().total(),
            AlertRule.windowName(r.period()),
            out.get("objective"),
            burn,
            windows));
    return out;
  }

  private static String rate(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "inf";
  }
}
