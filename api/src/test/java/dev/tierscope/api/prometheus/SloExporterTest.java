package dev.tierscope.api.prometheus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tierscope.core.alerting.AlertPolicy;
import dev.tierscope.core.budget.AlertRule;
import dev.tierscope.core.budget.BudgetCalculator;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.store.InMemoryWindowStore;
import dev.tierscope.core.store.TenantScope;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

/**
 * The exporter over the in-memory reference store: the text it writes for a few known requests,
 * buckets at the documented edges and the class threshold, classes that are no longer configured,
 * and scrapes without budget gauges.
 */
class SloExporterTest {

  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private static final TrafficClasses CLASSES = TrafficClasses.defaults();

  private final InMemoryWindowStore store =
      new InMemoryWindowStore(Clock.fixed(NOW.minusSeconds(600), ZoneOffset.UTC));

  private SloExporter exporter(TrafficClasses classes, boolean gauges) {
    return new SloExporter(
        store,
        classes,
        new BudgetCalculator(store, Duration.ofDays(30), AlertRule.WORKBOOK),
        c -> AlertPolicy.workbook(),
        List.of(Duration.ofMillis(500), Duration.ofSeconds(1)),
        List.of(Duration.ofSeconds(1), Duration.ofSeconds(5)),
        gauges);
  }

  /** Four premium requests a minute ago: TTFT 300 ms, 700 ms, 800 ms and 2 s. */
  private void fourRequests() {
    Histogram ttft = new Histogram(2);
    for (long v : new long[] {300_000, 700_000, 800_000, 2_000_000}) {
      ttft.recordValue(v);
    }
    store.commit(
        "g",
        1,
        List.of(),
        List.of(
            new WindowDelta(
                new WindowKey("acme", "interactive_premium", NOW.minusSeconds(60).toEpochMilli()),
                10_000,
                Map.of(Metric.TTFT, ttft),
                Map.of(CounterKey.of(Counter.REQUESTS), 4L))));
  }

  private static double value(String text, String series) {
    return text.lines()
        .filter(l -> l.startsWith(series + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + series));
  }

  private static String text(MetricSnapshots s) {
    return ExpositionFormats.init().getPrometheusTextFormatWriter().toDebugString(s);
  }

  @Test
  void countersBucketsAndGaugesOfFourKnownRequests() {
    fourRequests();
    String text = text(exporter(CLASSES, true).snapshot(TenantScope.ALL, NOW));
    System.out.println(text);
    assertThat(text)
        .contains(
            "tierscope_slo_events_total{class=\"interactive_premium\",sli=\"ttft\",tenant=\"acme\"} 4.0",
            "tierscope_slo_good_events_total{class=\"interactive_premium\",sli=\"ttft\",tenant=\"acme\"} 3.0",
            "tierscope_requests_total{class=\"interactive_premium\",tenant=\"acme\"} 4.0",
            // the documented edges and the premium threshold (800 ms): 800 ms is at or under
            "tierscope_ttft_seconds_bucket{class=\"interactive_premium\",tenant=\"acme\",le=\"0.5\"} 1",
            "tierscope_ttft_seconds_bucket{class=\"interactive_premium\",tenant=\"acme\",le=\"0.8\"} 3",
            "tierscope_ttft_seconds_bucket{class=\"interactive_premium\",tenant=\"acme\",le=\"1.0\"} 3",
            "tierscope_ttft_seconds_bucket{class=\"interactive_premium\",tenant=\"acme\",le=\"+Inf\"} 4",
            "tierscope_slo_objective_ratio{class=\"deferred_batch\",sli=\"retrievalFallback\"} 0.9",
            "tierscope_slo_threshold_seconds{class=\"interactive_premium\",sli=\"ttft\"} 0.8")
        .doesNotContain("_sum");
    // one bad of four over 5 minutes: 0.25 / 0.05
    assertThat(
            value(
                text,
                "tierscope_slo_burn_rate{class=\"interactive_premium\",sli=\"ttft\",tenant=\"acme\",window=\"5m\"}"))
        .isCloseTo(5.0, within(1e-9));
    assertThat(
            value(
                text,
                "tierscope_slo_error_budget_remaining_ratio{class=\"interactive_premium\",period=\"30d\",sli=\"ttft\",tenant=\"acme\"}"))
        .isCloseTo(-4.0, within(1e-9));
    // no stream, tool chain or retrieval: counted as zero events, not left out
    assertThat(text)
        .contains(
            "tierscope_slo_events_total{class=\"interactive_premium\",sli=\"streamInterruption\",tenant=\"acme\"} 0.0");
  }

  @Test
  void aClassNoLongerConfiguredIsLeftOutAndGaugesCanBeTurnedOff() {
    fourRequests();
    TrafficClasses withoutPremium =
        new TrafficClasses(
            List.of(
                new TrafficClass(
                    "standard_interactive", CLASSES.get("standard_interactive").objectives())),
            Map.of(),
            "standard_interactive");
    String text = text(exporter(withoutPremium, false).snapshot(TenantScope.ALL, NOW));
    assertThat(text)
        .doesNotContain("interactive_premium")
        .doesNotContain("tierscope_slo_burn_rate{");
    assertThat(text).contains("tierscope_slo_objective_ratio{class=\"standard_interactive\"");
  }

  @Test
  void theScopeFilters() {
    fourRequests();
    assertThat(text(exporter(CLASSES, true).snapshot(TenantScope.only(List.of("other")), NOW)))
        .doesNotContain("tenant=\"acme\"");
  }

  @Test
  void thresholdJoinsTheEdgesInOrderOnce() {
    assertThat(SloExporter.withThreshold(new long[] {500_000, 1_000_000}, 800_000))
        .containsExactly(500_000, 800_000, 1_000_000);
    assertThat(SloExporter.withThreshold(new long[] {500_000, 800_000}, 800_000))
        .containsExactly(500_000, 800_000);
  }
}
