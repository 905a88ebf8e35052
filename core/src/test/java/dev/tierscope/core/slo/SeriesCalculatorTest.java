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
import dev.tierscope.core.span.StreamOutcome;
import dev.tierscope.core.store.InMemoryWindowStore;
import dev.tierscope.core.window.WindowAggregator;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/** One statistic per step, each step merging exactly its own windows. */
class SeriesCalculatorTest {

  private static final TrafficClass PREMIUM = TrafficClasses.defaults().get("interactive_premium");

  /**
   * The first whole minute after {@code T0}: series steps are aligned to multiples of the step, so
   * the steps of a range starting here are whole minutes.
   */
  private static final long START = T0 + 40_000_000L;

  private static final Instant FROM = Instant.ofEpochMilli(START / 1_000);

  private final InMemoryWindowStore store = new InMemoryWindowStore();
  private final WindowAggregator windows = new WindowAggregator(10_000, 2);
  private final SeriesCalculator series = new SeriesCalculator(store);

  private List<SeriesCalculator.Point> minutes(Signal signal, Signal.Stat stat, int n) {
    return series.series(
        "acme",
        PREMIUM,
        signal,
        stat,
        new StepPlan(new TimeRange(FROM, FROM.plusSeconds(60L * n)), Duration.ofMinutes(1)));
  }

  @Test
  void percentilesPerStepComeFromThatStepsWindowsOnly() {
    // minute 0: 100..1000 ms; minute 1: nothing; minute 2: 5 s
    Histogram minute0 = new Histogram(2);
    for (int i = 1; i <= 10; i++) {
      windows.record(request().gatewayTtft(i * 100_000L).eventTime(START + i * 5_000_000L).build());
      minute0.recordValue(i * 100_000L);
    }
    windows.record(request().gatewayTtft(5_000_000).eventTime(START + 125_000_000L).build());
    store.commit("g", 1, List.of(), windows.drain());

    List<SeriesCalculator.Point> p95 = minutes(Signal.TTFT, Signal.Stat.P95, 3);
    List<SeriesCalculator.Point> count = minutes(Signal.TTFT, Signal.Stat.COUNT, 3);
    List<SeriesCalculator.Point> ratio = minutes(Signal.TTFT, Signal.Stat.RATIO, 3);

    assertThat(p95)
        .extracting(SeriesCalculator.Point::start)
        .containsExactly(FROM, FROM.plusSeconds(60), FROM.plusSeconds(120));
    assertThat(p95.get(0).value()).isEqualTo((double) minute0.getValueAtPercentile(95));
    assertThat(p95.get(1).value()).isNull();
    assertThat(p95.get(2).value()).isCloseTo(5_000_000, within(50_000.0));
    assertThat(count).extracting(SeriesCalculator.Point::value).containsExactly(10.0, 0.0, 1.0);
    // 800 ms threshold: 8 of 10, none, 0 of 1
    assertThat(ratio).extracting(SeriesCalculator.Point::value).containsExactly(0.8, null, 0.0);
  }

  @Test
  void counterSlisAreRatesPerStep() {
    for (int i = 0; i < 50; i++) {
      windows.record(
          request().stream(i < 2 ? StreamOutcome.INTERRUPTED : StreamOutcome.COMPLETED)
              .retrievals(2, i < 5 ? 1 : 0, i < 4 ? 1 : 0)
              .eventTime(START + 61_000_000L)
              .build());
    }
    store.commit("g", 1, List.of(), windows.drain());

    assertThat(minutes(Signal.STREAM_INTERRUPTION, Signal.Stat.RATE, 2))
        .extracting(SeriesCalculator.Point::value)
        .containsExactly(null, 0.04);
    assertThat(minutes(Signal.STREAM_INTERRUPTION, Signal.Stat.COUNT, 2))
        .extracting(SeriesCalculator.Point::value)
        .containsExactly(0.0, 50.0);
    assertThat(minutes(Signal.RETRIEVAL_FALLBACK, Signal.Stat.RATIO, 2))
        .extracting(SeriesCalculator.Point::value)
        .containsExactly(null, 0.04);
  }

  @Test
  void lastStepIsCutAtTheEndOfTheRange() {
    List<java.time.Instant> b =
        new StepPlan(new TimeRange(FROM, FROM.plusSeconds(150)), Duration.ofMinutes(1))
            .boundaries();
    assertThat(b)
        .containsExactly(FROM, FROM.plusSeconds(60), FROM.plusSeconds(120), FROM.plusSeconds(150));
  }

  @Test
  void statisticMustFitTheSignal() {
    assertThat(Signal.STREAM_INTERRUPTION.stats()).doesNotContain(Signal.Stat.P95);
    assertThat(Signal.EDGE.stats()).doesNotContain(Signal.Stat.RATIO);
    assertThatThrownBy(() -> minutes(Signal.EDGE, Signal.Stat.RATIO, 1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(Signal.fromId("modelQueue")).isEqualTo(Signal.MODEL_QUEUE);
    assertThat(Signal.Stat.fromId("p42")).isNull();
  }
}
