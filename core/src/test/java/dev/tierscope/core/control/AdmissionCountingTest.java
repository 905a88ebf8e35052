package dev.tierscope.core.control;

import static dev.tierscope.core.testing.SpanBuilder.T0;
import static dev.tierscope.core.testing.SpanBuilder.client;
import static dev.tierscope.core.testing.SpanBuilder.server;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.assembly.AssemblyConfig;
import dev.tierscope.core.assembly.RequestAssembler;
import dev.tierscope.core.assembly.RequestSummary;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.query.StepPlan;
import dev.tierscope.core.query.TimeRange;
import dev.tierscope.core.slo.SeriesCalculator;
import dev.tierscope.core.slo.Signal;
import dev.tierscope.core.slo.SloCalculator;
import dev.tierscope.core.slo.SloReport;
import dev.tierscope.core.span.Admission;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.store.InMemoryWindowStore;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.WindowAggregator;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What gateways report doing ({@code tierscope.admission}, {@code tierscope.degradation}) is
 * counted per class and window and read back as counts and rates: from spans through assembly,
 * windows and the store to the SLO report and series.
 */
class AdmissionCountingTest {

  private final TrafficClasses classes = TrafficClasses.defaults();

  /**
   * A request of a client span and a gateway span reporting {@code admission} at {@code level},
   * starting {@code startMicros} after T0.
   */
  private static List<Span> request(long trace, long startMicros, Admission admission, long level) {
    return List.of(
        client(1)
            .trace(trace)
            .trafficClass("deferred_batch")
            .at(startMicros, startMicros + 5_000)
            .build(),
        server(2, 1)
            .trace(trace)
            .at(startMicros + 1_000, startMicros + 4_000)
            .admission(admission, level)
            .build());
  }

  private List<RequestSummary> assemble(List<Span> spans) {
    RequestAssembler a = new RequestAssembler(AssemblyConfig.defaults());
    spans.forEach(a::add);
    a.advanceStreamTime(Long.MAX_VALUE / 2);
    List<RequestSummary> out = new ArrayList<>();
    a.drainCompleted(out::add);
    return out;
  }

  @Test
  void theStrongestReportAndTheHighestLevelOfATraceCount() {
    List<Span> spans = new ArrayList<>(request(1, 0, Admission.ADMITTED, 1));
    // the same request, cancelled while it streamed: the gateway's later report says shed
    spans.add(server(3, 1).trace(1).at(2_000, 3_000).admission(Admission.SHED, 2).build());
    RequestSummary r = assemble(spans).get(0);
    assertThat(r.admission()).isEqualTo(Admission.SHED);
    assertThat(r.degradationLevel()).isEqualTo(2);

    RequestSummary none = assemble(request(2, 0, Admission.NONE, -1)).get(0);
    assertThat(none.admission()).isEqualTo(Admission.NONE);
    assertThat(none.degradationLevel()).isEqualTo(-1);
  }

  @Test
  void countsPerWindowReadBackAsCountsAndRates() {
    List<Span> spans = new ArrayList<>();
    long trace = 0;
    for (int i = 0; i < 10; i++) {
      spans.addAll(request(++trace, i * 1000, Admission.ADMITTED, 0));
    }
    for (int i = 0; i < 4; i++) {
      spans.addAll(request(++trace, i * 1000, Admission.ADMITTED, 3));
    }
    for (int i = 0; i < 3; i++) {
      spans.addAll(request(++trace, i * 1000, Admission.DEFERRED, 0));
    }
    for (int i = 0; i < 2; i++) {
      spans.addAll(request(++trace, i * 1000, Admission.SHED, -1));
    }
    spans.addAll(request(++trace, 0, Admission.NONE, -1)); // no admission control: counted nowhere
    spans.addAll(request(++trace, 20_000_000, Admission.SHED, -1)); // a later window
    WindowAggregator w = new WindowAggregator(10_000, 2);
    assemble(spans).forEach(w::record);
    InMemoryWindowStore store = new InMemoryWindowStore();
    store.commit("g", 1, List.of(), w.drain());

    Instant from = Instant.ofEpochMilli(T0 / 1000);
    Instant to = from.plusSeconds(30);
    Map<CounterKey, Long> first =
        store.counters("acme", "deferred_batch", from, from.plusSeconds(10));
    assertThat(first)
        .containsEntry(new CounterKey(Counter.ADMISSION, "admitted"), 14L)
        .containsEntry(new CounterKey(Counter.ADMISSION, "deferred"), 3L)
        .containsEntry(new CounterKey(Counter.ADMISSION, "shed"), 2L)
        .containsEntry(new CounterKey(Counter.DEGRADED, "3"), 4L)
        .containsEntry(CounterKey.of(Counter.REQUESTS), 20L);

    SloReport report =
        new SloCalculator(store).report("acme", classes.get("deferred_batch"), from, to);
    assertThat(report.requests()).isEqualTo(21);
    assertThat(report.admission().admitted()).isEqualTo(14);
    assertThat(report.admission().deferred()).isEqualTo(3);
    assertThat(report.admission().shed()).isEqualTo(3);
    assertThat(report.admission().degraded()).isEqualTo(4);
    assertThat(report.admission().degradedByLevel()).containsExactly(Map.entry(3, 4L));

    SeriesCalculator series = new SeriesCalculator(store);
    List<SeriesCalculator.Point> shed =
        series.series(
            "acme",
            classes.get("deferred_batch"),
            Signal.ADMISSION,
            Signal.Stat.SHED_RATE,
            new StepPlan(new TimeRange(from, to), Duration.ofSeconds(10)));
    assertThat(shed).extracting(SeriesCalculator.Point::value).containsExactly(0.1, null, 1.0);
    assertThat(
            series
                .series(
                    "acme",
                    classes.get("deferred_batch"),
                    Signal.ADMISSION,
                    Signal.Stat.DEGRADED_RATE,
                    new StepPlan(new TimeRange(from, from.plusSeconds(10)), Duration.ofSeconds(10)))
                .get(0)
                .value())
        .isEqualTo(0.2);
    assertThat(
            series
                .series(
                    "acme",
                    classes.get("deferred_batch"),
                    Signal.ADMISSION,
                    Signal.Stat.DEFERRED_RATE,
                    new StepPlan(new TimeRange(from, from.plusSeconds(10)), Duration.ofSeconds(10)))
                .get(0)
                .value())
        .isEqualTo(0.15);
  }
}
