package dev.tierscope.api.budget;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tierscope.api.web.Durations;
import dev.tierscope.core.budget.BudgetReport;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * JSON of {@code GET /api/v1/budget}.
 *
 * @param at evaluation instant; every window ends there
 * @param period the rolling SLO period, e.g. {@code 30d}
 * @param periodFrom start of the period
 * @param target fraction of events that must be good
 * @param good good events over the period
 * @param total events over the period
 * @param goodRatio good / total over the period (1 without events)
 * @param budgetRemaining 1 - (1 - goodRatio) / (1 - target): 1 untouched, 0 spent, below 0
 *     overspent; null when the target is 1 and an event was bad
 * @param burnRates per window (5m to 3d and the class's alert windows), (1 - goodRatio) / (1 -
 *     target) over it; null when infinite
 * @param alerts the class's alert pairs (the four workbook pairs by default), firing or not
 */
record BudgetResponse(
    String tenant,
    @JsonProperty("class") String trafficClass,
    String sli,
    Instant at,
    String period,
    Instant periodFrom,
    double target,
    long good,
    long total,
    double goodRatio,
    Double budgetRemaining,
    Map<String, Double> burnRates,
    List<Alert> alerts) {

  /**
   * @param burnRate over the long window
   * @param shortBurnRate over the short window
   * @param firing both exceed the threshold
   */
  public record Alert(
      String severity,
      String longWindow,
      String shortWindow,
      Double burnRate,
      Double shortBurnRate,
      double threshold,
      boolean firing) {}

  static BudgetResponse of(String tenant, BudgetReport r) {
    Map<String, Double> burn = new LinkedHashMap<>();
    r.burnRates().forEach((d, v) -> burn.put(Durations.format(d), finite(v)));
    return new BudgetResponse(
        tenant,
        r.trafficClass(),
        r.sli().id(),
        r.at(),
        Durations.format(r.period()),
        r.at().minus(r.period()),
        r.target(),
        r.events().good(),
        r.events().total(),
        r.events().goodRatio(),
        finite(r.budgetRemaining()),
        burn,
        r.alerts().stream().map(BudgetResponse::alert).toList());
  }

  static Alert alert(BudgetReport.Alert a) {
    return new Alert(
        a.rule().severity(),
        Durations.format(a.rule().longWindow()),
        Durations.format(a.rule().shortWindow()),
        finite(a.burnRate()),
        finite(a.shortBurnRate()),
        a.rule().threshold(),
        a.firing());
  }

  static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
