package dev.tierscope.core.budget;

import static dev.tierscope.core.testing.SummaryBuilder.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tierscope.core.classes.ClassObjectives;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.slo.Sli;
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.store.InMemoryWindowStore;
import dev.tierscope.core.testing.SummaryBuilder;
import dev.tierscope.core.window.WindowAggregator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Error budgets, burn rates and the workbook's multi-window alerts over stored windows. */
class BudgetCalculatorTest {

  private static final TrafficClass PREMIUM = TrafficClasses.defaults().get("interactive_premium");
  private static final Instant AT = Instant.parse("2026-11-20T12:00:00Z");

  private final InMemoryWindowStore store = new InMemoryWindowStore();
  private final WindowAggregator windows = new WindowAggregator(10_000, 2);
  private final BudgetCalculator budgets =
      new BudgetCalculator(store, Duration.ofDays(30), AlertRule.WORKBOOK);

  /** {@code n} requests in the window starting {@code ago} before AT. */
  private void record(Duration ago, int n, SummaryBuilder r) {
    long micros = (AT.toEpochMilli() - ago.toMillis()) * 1_000;
    for (int i = 0; i < n; i++) {
      windows.record(r.eventTime(micros).build());
    }
    store.commit("g", 1, List.of(), windows.drain());
  }

  /** Every minute of the last {@code span}: {@code good} fast and {@code bad} slow requests. */
  private void ttftEveryMinute(Duration from, Duration to, int good, int bad) {
    for (Duration ago = from; ago.compareTo(to) > 0; ago = ago.minusMinutes(1)) {
      record(ago, good, request().gatewayTtft(300_000));
      record(ago, bad, request().gatewayTtft(2_000_000));
    }
  }

  @Test
  void burnRateIsBadRatioOverAllowedBadRatioPerWindow() {
    // 3 days: 1% bad; the last 10 minutes: 50% bad
    ttftEveryMinute(Duration.ofDays(3), Duration.ofMinutes(10), 99, 1);
    ttftEveryMinute(Duration.ofMinutes(10), Duration.ZERO, 50, 50);

    BudgetReport r = budgets.evaluate("acme", PREMIUM, AT).get(Sli.TTFT);

    assertThat(r.target()).isEqualTo(0.95);
    assertThat(r.burnRates().get(Duration.ofMinutes(5))).isCloseTo(0.5 / 0.05, within(1e-9));
    // 30 min: 20 minutes at 1%, 10 at 50%
    double thirty = (20 * 1 + 10 * 50) / (30 * 100.0);
    assertThat(r.burnRates().get(Duration.ofMinutes(30))).isCloseTo(thirty / 0.05, within(1e-9));
    long minutes = 3 * 24 * 60;
    double period = ((minutes - 10) * 1 + 10 * 50) / (minutes * 100.0);
    assertThat(r.events().total()).isEqualTo(minutes * 100);
    assertThat(r.events().goodRatio()).isCloseTo(1 - period, within(1e-12));
    assertThat(r.budgetRemaining()).isCloseTo(1 - period / 0.05, within(1e-9));
    // 10 over 5 min but 3.5 over 30 min and 1.8 over 1 h: no pair holds on both windows
    assertThat(r.alerts()).noneMatch(BudgetReport.Alert::firing);
  }

  @Test
  void anObjectivesOwnTimeWindowIsItsBudgetPeriod() {
    // 2 days of 1% bad, then 2 days ago to 3 days ago all good: the 1-day window sees only bad
    ttftEveryMinute(Duration.ofDays(3), Duration.ofDays(2), 100, 0);
    ttftEveryMinute(Duration.ofDays(1), Duration.ZERO, 99, 1);
    TrafficClass oneDay =
        new TrafficClass(
            PREMIUM.name(),
            PREMIUM.objectives(),
            Map.of(),
            Map.of(),
            Map.of(dev.tierscope.core.classes.Indicator.TTFT, Duration.ofDays(1)));

    Map<Sli, BudgetReport> all = budgets.evaluate("acme", oneDay, AT);

    assertThat(all.get(Sli.TTFT).period()).isEqualTo(Duration.ofDays(1));
    assertThat(all.get(Sli.TTFT).events().total()).isEqualTo(24 * 60 * 100);
    assertThat(all.get(Sli.TTFT).events().good()).isEqualTo(24 * 60 * 99);
    assertThat(all.get(Sli.STREAM_INTERRUPTION).period()).isEqualTo(Duration.ofDays(30));
    assertThat(budgets.evaluate("acme", PREMIUM, AT).get(Sli.TTFT).events().total())
        .isEqualTo(2 * 24 * 60 * 100);
  }

  @Test
  void fastBurnFiresThePageOfTheHourPair() {
    ttftEveryMinute(Duration.ofDays(1), Duration.ofMinutes(60), 100, 0);
    ttftEveryMinute(Duration.ofMinutes(60), Duration.ZERO, 10, 90);

    BudgetReport r = budgets.evaluate("acme", PREMIUM, AT).get(Sli.TTFT);

    assertThat(r.alerts())
        .filteredOn(BudgetReport.Alert::firing)
        .extracting(a -> a.rule().longWindow())
        .containsExactly(Duration.ofHours(1));
    BudgetReport.Alert page = r.alerts().get(0);
    assertThat(page.burnRate()).isCloseTo(18.0, within(1e-9));
    assertThat(page.shortBurnRate()).isCloseTo(18.0, within(1e-9));
  }

  @Test
  void burnThatStoppedNoLongerPagesThanksToTheShortWindow() {
    ttftEveryMinute(Duration.ofMinutes(70), Duration.ofMinutes(10), 0, 10);
    ttftEveryMinute(Duration.ofMinutes(10), Duration.ZERO, 10, 0);

    BudgetReport r = budgets.evaluate("acme", PREMIUM, AT).get(Sli.TTFT);

    assertThat(r.burnRates().get(Duration.ofHours(1))).isGreaterThan(14.4);
    assertThat(r.burnRates().get(Duration.ofMinutes(5))).isZero();
    assertThat(r.alerts().get(0).firing()).isFalse();
  }

  @Test
  void countersSlisBurnTheirOwnBudgets() {
    for (Duration ago = Duration.ofDays(2);
        ago.compareTo(Duration.ZERO) > 0;
        ago = ago.minusMinutes(10)) {
      record(ago, 96, request().stream(StreamOutcome.COMPLETED).retrievals(1, 0, 0));
      record(ago, 4, request().stream(StreamOutcome.INTERRUPTED).retrievals(1, 1, 1));
    }

    Map<Sli, BudgetReport> all = budgets.evaluate("acme", PREMIUM, AT);

    // 4% interrupted against 0.5% allowed; 4% fallbacks against 2% allowed
    BudgetReport streams = all.get(Sli.STREAM_INTERRUPTION);
    assertThat(streams.target()).isCloseTo(0.995, within(1e-12));
    assertThat(streams.burnRates().get(Duration.ofHours(2))).isCloseTo(8.0, within(1e-9));
    assertThat(streams.alerts())
        .filteredOn(BudgetReport.Alert::firing)
        .extracting(a -> a.rule().severity() + " " + a.rule().longWindow())
        .containsExactly("page PT6H", "ticket PT24H", "ticket PT72H");
    assertThat(all.get(Sli.RETRIEVAL_FALLBACK).burnRates().get(Duration.ofDays(1)))
        .isCloseTo(2.0, within(1e-9));
    assertThat(all.get(Sli.TTFT).events().total()).isZero();
    assertThat(all.get(Sli.TTFT).budgetRemaining()).isEqualTo(1.0);
  }

  @Test
  void zeroAllowedBadEventsBurnInfinitely() {
    TrafficClass strict =
        new TrafficClass(
            "strict",
            new ClassObjectives(
                Duration.ofMillis(800), 0.95, 0.0, Duration.ofSeconds(3), 0.95, 0.02));
    long micros = (AT.toEpochMilli() - 60_000) * 1_000;
    windows.record(
        request().trafficClass("strict").stream(StreamOutcome.INTERRUPTED)
            .eventTime(micros)
            .build());
    store.commit("g", 1, List.of(), windows.drain());

    BudgetReport r = budgets.evaluate("acme", strict, AT).get(Sli.STREAM_INTERRUPTION);

    assertThat(r.burnRates().get(Duration.ofMinutes(5))).isInfinite();
    assertThat(r.burnRates().get(Duration.ofDays(3))).isInfinite();
    assertThat(r.alerts()).allMatch(BudgetReport.Alert::firing);
  }

  @Test
  void alertWindowsMustBeShorterThanThePeriod() {
    assertThatThrownBy(
            () ->
                new BudgetCalculator(
                    store,
                    Duration.ofDays(1),
                    List.of(new AlertRule("page", Duration.ofDays(3), Duration.ofHours(1), 10))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shorter than the period");
    assertThatThrownBy(
            () -> new AlertRule("email", Duration.ofHours(1), Duration.ofMinutes(5), 14.4))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aClassesOwnShortWindowsAreReportedAndAlertOnTheirOwn() {
    // 20 minutes healthy, then 2 minutes of 60% slow requests
    ttftEveryMinute(Duration.ofMinutes(22), Duration.ofMinutes(2), 100, 0);
    record(Duration.ofSeconds(110), 40, request().gatewayTtft(300_000));
    record(Duration.ofSeconds(110), 60, request().gatewayTtft(2_000_000));
    record(Duration.ofSeconds(50), 40, request().gatewayTtft(300_000));
    record(Duration.ofSeconds(50), 60, request().gatewayTtft(2_000_000));
    List<AlertRule> fast =
        List.of(new AlertRule("page", Duration.ofMinutes(2), Duration.ofSeconds(30), 10));

    BudgetReport r = budgets.evaluate("acme", PREMIUM, AT, fast).get(Sli.TTFT);

    assertThat(r.burnRates())
        .containsKeys(Duration.ofSeconds(30), Duration.ofMinutes(2), Duration.ofMinutes(5))
        .containsKeys(BudgetCalculator.BURN_WINDOWS.toArray(Duration[]::new));
    assertThat(r.burnRates().get(Duration.ofMinutes(2))).isCloseTo(0.6 / 0.05, within(1e-9));
    // the window starting 30 s ago holds no request: nothing burns there
    assertThat(r.burnRates().get(Duration.ofSeconds(30))).isZero();
    assertThat(r.alerts()).singleElement().satisfies(a -> assertThat(a.firing()).isFalse());

    BudgetReport later =
        budgets
            .evaluate(
                "acme",
                PREMIUM,
                AT.plusSeconds(0),
                List.of(new AlertRule("page", Duration.ofMinutes(2), Duration.ofMinutes(1), 10)))
            .get(Sli.TTFT);
    assertThat(later.alerts()).singleElement().satisfies(a -> assertThat(a.firing()).isTrue());
    // the calculator's own pairs are unchanged
    assertThat(budgets.evaluate("acme", PREMIUM, AT).get(Sli.TTFT).alerts()).hasSize(4);
  }
}
