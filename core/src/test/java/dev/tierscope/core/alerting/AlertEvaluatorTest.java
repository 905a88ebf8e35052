package dev.tierscope.core.alerting;

import static dev.tierscope.core.testing.SummaryBuilder.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.attribution.AttributionCalculator;
import dev.tierscope.core.budget.AlertRule;
import dev.tierscope.core.budget.BudgetCalculator;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.slo.Sli;
import dev.tierscope.core.store.InMemoryWindowStore;
import dev.tierscope.core.window.WindowAggregator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Burn-rate alerts with their annotations, from stored windows, per class policy. */
class AlertEvaluatorTest {

  private static final TrafficClasses CLASSES = TrafficClasses.defaults();
  private static final TrafficClass PREMIUM = CLASSES.get("interactive_premium");
  private static final Instant AT = Instant.parse("2026-11-30T12:00:00Z");
  private static final List<AlertRule> FAST =
      List.of(
          new AlertRule("page", Duration.ofMinutes(2), Duration.ofSeconds(30), 10),
          new AlertRule("ticket", Duration.ofMinutes(10), Duration.ofMinutes(2), 2));

  private final InMemoryWindowStore store = new InMemoryWindowStore();
  private final WindowAggregator windows =
      new WindowAggregator(10_000, 2, cls -> CLASSES.get(cls).objectives().ttftThresholdMicros());
  private final BudgetCalculator budgets =
      new BudgetCalculator(store, Duration.ofDays(30), AlertRule.WORKBOOK);

  /** An hour and a half of healthy premium traffic, the last two minutes with a slow model. */
  private void modelFault() {
    SplittableRandom rnd = new SplittableRandom(5);
    for (Instant t = AT.minus(Duration.ofMinutes(90)); t.isBefore(AT); t = t.plusSeconds(10)) {
      boolean fault = !t.isBefore(AT.minus(Duration.ofMinutes(2)));
      for (int i = 0; i < 10; i++) {
        long model = fault ? 1_500_000 : 150_000 + rnd.nextInt(100_000);
        windows.record(
            request()
                .tenant("default")
                .trafficClass(PREMIUM.name())
                .clientTtft(30_000 + rnd.nextInt(20_000), 60_000 + rnd.nextInt(40_000), model)
                .modelQueue(fault ? 1_300_000 : 30_000)
                .eventTime(t.toEpochMilli() * 1_000 + i)
                .build());
      }
    }
    store.commit("g", 1, List.of(), windows.drain());
  }

  private AlertEvaluator evaluator(Map<String, AlertPolicy> policies) {
    return new AlertEvaluator(
        CLASSES,
        c -> policies.getOrDefault(c, new AlertPolicy(true, FAST)),
        budgets,
        new AttributionCalculator(store, 0.10),
        Duration.ofHours(1));
  }

  @Test
  void aModelFaultFiresThePageWithBurnRatesWindowsAndTheModelVerdict() {
    modelFault();
    List<AlertTracker.Evaluation> all = evaluator(Map.of()).evaluate(List.of("default"), AT);

    // 3 classes x 4 SLIs x 2 severities
    assertThat(all).hasSize(24);
    AlertTracker.Evaluation page =
        all.stream()
            .filter(e -> e.key().equals(new AlertKey("default", PREMIUM.name(), Sli.TTFT, "page")))
            .findFirst()
            .orElseThrow();
    assertThat(page.firing()).isTrue();
    assertThat(page.annotations())
        .containsEntry("attribution_verdict", "model")
        .containsEntry("burn_rates", "2m=20.00 30s=20.00")
        .containsEntry("windows", "2m/30s>10.00(firing)")
        .containsEntry("objective", "0.9500")
        .containsKeys("summary", "description", "error_budget_remaining");
    assertThat(page.annotations().get("summary"))
        .isEqualTo(
            "interactive_premium ttft burns its error budget 20.00 times too fast over 2m and"
                + " 20.00 times over 30s (page)");
    // 12 of 540 windows' requests bad over 10 min: 120/600 = 0.2 -> 4 > 2; over 2 min 20 > 2
    AlertTracker.Evaluation ticket =
        all.stream()
            .filter(
                e -> e.key().equals(new AlertKey("default", PREMIUM.name(), Sli.TTFT, "ticket")))
            .findFirst()
            .orElseThrow();
    assertThat(ticket.firing()).isTrue();
    assertThat(ticket.annotations()).containsEntry("burn_rates", "10m=4.00 2m=20.00");
    assertThat(all)
        .filteredOn(
            e -> !e.key().sli().equals(Sli.TTFT) || !e.key().trafficClass().equals(PREMIUM.name()))
        .noneMatch(AlertTracker.Evaluation::firing)
        .allSatisfy(e -> assertThat(e.annotations()).doesNotContainKey("attribution_verdict"));
  }

  @Test
  void aDisabledClassIsNotEvaluatedAndASeverityWithoutRulesNeverAlerts() {
    modelFault();
    List<AlertTracker.Evaluation> all =
        evaluator(
                Map.of(
                    "standard_interactive",
                    new AlertPolicy(false, FAST),
                    PREMIUM.name(),
                    new AlertPolicy(true, List.of(FAST.get(0)))))
            .evaluate(List.of("default"), AT);
    assertThat(all).noneMatch(e -> e.key().trafficClass().equals("standard_interactive"));
    assertThat(all)
        .filteredOn(e -> e.key().trafficClass().equals(PREMIUM.name()))
        .hasSize(4)
        .allMatch(e -> e.key().severity().equals("page"));
  }

  @Test
  void otherTenantsHaveTheirOwnAlerts() {
    modelFault();
    List<AlertTracker.Evaluation> all =
        evaluator(Map.of()).evaluate(List.of("default", "acme"), AT);
    assertThat(all)
        .filteredOn(e -> e.key().tenant().equals("acme"))
        .hasSize(24)
        .noneMatch(AlertTracker.Evaluation::firing);
  }
}
