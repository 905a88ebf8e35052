package dev.tierscope.api.budget;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.tierscope.api.alerting.AlertPolicies;
import dev.tierscope.api.web.ApiDocs;
import dev.tierscope.api.web.BadParameterException;
import dev.tierscope.api.web.Params;
import dev.tierscope.api.web.TimeParameters;
import dev.tierscope.core.budget.BudgetCalculator;
import dev.tierscope.core.budget.BudgetReport;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.slo.Sli;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/budget}: the error budget and burn rates of one SLI of a class; {@code GET
 * /api/v1/alerts}: every firing burn-rate alert of every class and SLI.
 */
@RestController
@RequestMapping("/api/v1")
class BudgetController {

  /** JSON of {@code GET /api/v1/alerts}. */
  public record AlertsResponse(String tenant, Instant at, List<FiringAlert> alerts) {}

  /** One firing alert. */
  public record FiringAlert(
      @JsonProperty("class") String trafficClass,
      String sli,
      String severity,
      String longWindow,
      String shortWindow,
      Double burnRate,
      Double shortBurnRate,
      double threshold,
      boolean firing) {}

  private final BudgetCalculator budgets;
  private final AlertPolicies policies;
  private final Params params;
  private final Clock clock;

  BudgetController(BudgetCalculator budgets, AlertPolicies policies, Params params, Clock clock) {
    this.budgets = budgets;
    this.policies = policies;
    this.params = params;
    this.clock = clock;
  }

  @Operation(
      summary = "Error budget, burn rates and multi-window burn-rate alerts of one SLI of a class")
  @GetMapping("/budget")
  BudgetResponse budget(
      @Parameter(description = ApiDocs.CLASS) @RequestParam("class") String className,
      @Parameter(description = "ttft, streamInterruption, toolchainLatency or retrievalFallback")
          @RequestParam("sli")
          String sliName,
      @Parameter(description = ApiDocs.AT) @RequestParam(value = "at", required = false) String at,
      @Parameter(description = ApiDocs.TENANT) @RequestParam(value = "tenant", required = false)
          String tenant) {
    TrafficClass cls = params.trafficClass(className);
    Sli sli = Sli.fromId(sliName);
    if (sli == null) {
      throw new BadParameterException(
          "sli",
          "unknown sli '"
              + sliName
              + "'; one of "
              + Arrays.stream(Sli.values()).map(Sli::id).toList());
    }
    String t = params.tenant(tenant);
    Instant when = TimeParameters.parseOr("at", at, clock.instant());
    return BudgetResponse.of(t, evaluate(t, cls, when).get(sli));
  }

  @Operation(
      summary =
          "Every firing burn-rate alert of every class and SLI (classes with alerts disabled by"
              + " tierscope.api.alerting.classes.<class>.enabled=false are left out)")
  @GetMapping("/alerts")
  AlertsResponse alerts(
      @Parameter(description = ApiDocs.AT) @RequestParam(value = "at", required = false) String at,
      @Parameter(description = ApiDocs.TENANT) @RequestParam(value = "tenant", required = false)
          String tenant) {
    String t = params.tenant(tenant);
    Instant when = TimeParameters.parseOr("at", at, clock.instant());
    List<FiringAlert> firing = new ArrayList<>();
    for (TrafficClass cls : params.classes().all()) {
      if (!policies.of(cls.name()).enabled()) {
        continue;
      }
      for (Map.Entry<Sli, BudgetReport> e : evaluate(t, cls, when).entrySet()) {
        for (BudgetReport.Alert a : e.getValue().alerts()) {
          if (a.firing()) {
            BudgetResponse.Alert j = BudgetResponse.alert(a);
            firing.add(
                new FiringAlert(
                    cls.name(),
                    e.getKey().id(),
                    j.severity(),
                    j.longWindow(),
                    j.shortWindow(),
                    j.burnRate(),
                    j.shortBurnRate(),
                    j.threshold(),
                    true));
          }
        }
      }
    }
    return new AlertsResponse(t, when, firing);
  }

  /** With the class's own alert pairs ({@code tierscope.api.alerting.*}). */
  private Map<Sli, BudgetReport> evaluate(String tenant, TrafficClass cls, Instant at) {
    return budgets.evaluate(tenant, cls, at, policies.of(cls.name()).rules());
  }
}
