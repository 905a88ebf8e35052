package dev.tierscope.core.slo;

import static dev.tierscope.core.testing.SpanBuilder.T0;
import static dev.tierscope.core.testing.SummaryBuilder.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.query.StepPlan;
import dev.tierscope.core.query.TimeRange;
import dev.tierscope.core.store.InMemoryWindowStore;
import dev.tierscope.core.window.Dimension;
import dev.tierscope.core.window.WindowAggregator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Fan-out per request, end to end and missToFallback as series (issue 19 point 3). */
class FanOutSeriesTest {

  private static final TrafficClass PREMIUM = TrafficClasses.defaults().get("interactive_premium");

  /**
   * The first whole minute after {@code T0}: series steps are aligned to multiples of the step, so
   * the steps of a range starting here are whole minutes.
   */
  private static final long START = T0 + 40_000_000L;

  private static final Instant FROM = Instant.ofEpochMilli(START / 1_000);

  private final InMemoryWindowStore store = new InMemoryWindowStore();
  private final WindowAggregator windows = new WindowAggregator(10_000, 2);
  private final SeriesCalculator series = new SeriesCalculator(store, store);

  private List<Double> minutes(Signal signal, Signal.Stat stat, int n) {
    return series
        .series(
            "acme",
            PREMIUM,
            signal,
            stat,
            new StepPlan(new TimeRange(FROM, FROM.plusSeconds(60L * n)), Duration.ofMinutes(1)))
        .stream()
        .map(SeriesCalculator.Point::value)
        .toList();
  }

  @Test
  void retrievalsAndToolCallsPerRequestAreDistributionsOverEveryRequest() {
    SplittableRandom random = new SplittableRandom(3);
    List<Long> retrievals = new ArrayList<>();
    List<Long> tools = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      int r = random.nextInt(6);
      int t = random.nextInt(10) < 7 ? 0 : 1 + random.nextInt(12);
      windows.record(
          request()
              .eventTime(START + i * 100_000L)
              .retrievals(r, 0, 0)
              .toolchain(t, t == 0 ? -1 : 100_000, false)
              .build());
      retrievals.add((long) r);
      tools.add((long) t);
    }
    store.commit("g", 1, List.of(), windows.drain());

    assertThat(minutes(Signal.RETRIEVALS_PER_REQUEST, Signal.Stat.COUNT, 2))
        .containsExactly(400.0, 0.0);
    assertThat(minutes(Signal.RETRIEVALS_PER_REQUEST, Signal.Stat.P50, 1))
        .containsExactly((double) nearestRank(retrievals, 50));
    assertThat(minutes(Signal.TOOL_CALLS_PER_REQUEST, Signal.Stat.P95, 1))
        .containsExactly((double) nearestRank(tools, 95));
    assertThat(minutes(Signal.TOOL_CALLS_PER_REQUEST, Signal.Stat.MAX, 1))
        .containsExactly((double) Collections.max(tools));
    assertThat(minutes(Signal.TOOL_CALLS_PER_REQUEST, Signal.Stat.MEAN, 2).get(0))
        .isCloseTo(tools.stream().mapToLong(Long::longValue).average().orElseThrow(), within(1e-9));
    assertThat(minutes(Signal.TOOL_CALLS_PER_REQUEST, Signal.Stat.MEAN, 2).get(1)).isNull();
    assertThat(Signal.TOOL_CALLS_PER_REQUEST.latency()).isFalse();
    assertThat(Signal.E2E.latency()).isTrue();
  }

  @Test
  void endToEndLatencyPerStep() {
    for (int i = 1; i <= 100; i++) {
      windows.record(request().eventTime(START + 70_000_000L).e2e(i * 50_000L).build());
    }
    store.commit("g", 1, List.of(), windows.drain());

    assertThat(minutes(Signal.E2E, Signal.Stat.COUNT, 2)).containsExactly(0.0, 100.0);
    assertThat(minutes(Signal.E2E, Signal.Stat.P95, 2).get(1))
        .isCloseTo(4_750_000, within(47_500.0));
    assertThat(minutes(Signal.E2E, Signal.Stat.P95, 2).get(0)).isNull();
  }

  @Test
  void missToFallbackIsARatioOfMissesWithTheClassFallbackBudget() {
    // minute 0: 200 retrievals, 20 misses, 5 fallbacks; premium allows 2% of retrievals = 4
    for (int i = 0; i < 100; i++) {
      windows.record(
          request()
              .eventTime(START + i * 100_000L)
              .retrievals(2, i < 20 ? 1 : 0, i < 5 ? 1 : 0)
              .build());
    }
    // minute 1: retrievals without a miss
    windows.record(request().eventTime(START + 61_000_000L).retrievals(3, 0, 0).build());
    store.commit("g", 1, List.of(), windows.drain());

    assertThat(minutes(Signal.MISS_TO_FALLBACK, Signal.Stat.RATIO, 3))
        .containsExactly(0.25, null, null);
    assertThat(minutes(Signal.MISS_TO_FALLBACK, Signal.Stat.COUNT, 3))
        .containsExactly(20.0, 0.0, 0.0);
    List<Double> budget = minutes(Signal.MISS_TO_FALLBACK, Signal.Stat.BUDGET, 3);
    assertThat(budget.get(0)).isCloseTo(5 / (0.02 * 200), within(1e-12));
    assertThat(budget.get(1)).isEqualTo(0.0);
    assertThat(budget.get(2)).isNull();
  }

  @Test
  void theBreakdownsKeepMissToFallbackButNotTheFanOutOrEndToEnd() {
    windows.record(
        request()
            .eventTime(START)
            .retrievals(4, 2, 1)
            .dimensions("2", "wifi", "eu", "gpt-4o", "svc")
            .build());
    store.commit("g", 1, List.of(), windows.drain());

    assertThat(
            series
                .seriesBy(
                    "acme",
                    PREMIUM,
                    Signal.MISS_TO_FALLBACK,
                    Signal.Stat.RATIO,
                    new StepPlan(new TimeRange(FROM, FROM.plusSeconds(60)), Duration.ofMinutes(1)),
                    Dimension.MODEL)
                .get("gpt-4o"))
        .extracting(SeriesCalculator.Point::value)
        .containsExactly(0.5);
    assertThat(SeriesCalculator.breaksDown(Signal.E2E)).isFalse();
    assertThat(SeriesCalculator.breaksDown(Signal.TOOL_CALLS_PER_REQUEST)).isFalse();
    assertThatThrownBy(
            () ->
                series.seriesBy(
                    "acme",
                    PREMIUM,
                    Signal.E2E,
                    Signal.Stat.P95,
                    new StepPlan(new TimeRange(FROM, FROM.plusSeconds(60)), Duration.ofMinutes(1)),
                    Dimension.MODEL))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("e2e");
  }

  private static long nearestRank(List<Long> values, double p) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, rank - 1));
  }
}
