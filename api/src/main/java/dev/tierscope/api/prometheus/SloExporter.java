package dev.tierscope.api.prometheus;

import dev.tierscope.core.alerting.AlertPolicy;
import dev.tierscope.core.budget.AlertRule;
import dev.tierscope.core.budget.BudgetCalculator;
import dev.tierscope.core.budget.BudgetReport;
import dev.tierscope.core.classes.ClassObjectives;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.slo.EventCounts;
import dev.tierscope.core.slo.Sli;
import dev.tierscope.core.span.InterruptionCause;
import dev.tierscope.core.store.ClassTotals;
import dev.tierscope.core.store.TenantScope;
import dev.tierscope.core.store.TotalsReader;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.HdrHistogram.Histogram;

/**
 * The SLIs as Prometheus metrics, from the store's all-time class totals: good and total events per
 * (tenant, class, SLI) as counters, latencies as cumulative histograms whose buckets include each
 * class's exact threshold, and burn-rate and error-budget gauges per alert window.
 *
 * <p>Why counters from totals: the totals are maintained in the aggregator's checkpoint transaction
 * and never shrink (see {@code TotalsReader}), so a counter never counts an event twice, whatever
 * restarted or rebalanced, and never goes down when old windows are rolled up or deleted. Every API
 * instance exposes the same values (they all read the store): aggregate several instances with
 * {@code max}, never {@code sum}.
 *
 * <p>Why buckets are exact: the totals keep HdrHistograms, so the count at or under any edge is
 * exact to the histogram's precision, the way {@code /api/v1/slo} counts good events; the bucket at
 * a class's threshold equals its good TTFT events. There is no {@code _sum}: HdrHistogram keeps no
 * exact sum (OpenMetrics then writes no {@code _count} either: use the {@code +Inf} bucket).
 *
 * <pre>{@code
 * MetricSnapshots now = exporter.snapshot(TenantScope.ALL, clock.instant());
 * }</pre>
 */
public final class SloExporter {

  /** The latency histograms exported, their metric and whether the class threshold applies. */
  private record Latency(String name, Metric metric, String help, boolean toolchain) {}

  private static final List<Latency> LATENCIES =
      List.of(
          new Latency(
              "tierscope_ttft_seconds", Metric.TTFT, "Time to first token of requests.", false),
          new Latency(
              "tierscope_ttft_edge_seconds",
              Metric.EDGE,
              "Edge component of TTFT (client path and transport), requests with a client span.",
              false),
          new Latency(
              "tierscope_ttft_mesh_seconds",
              Metric.MESH,
              "Mesh component of TTFT (gateway, retrieval, tools, policy).",
              false),
          new Latency(
              "tierscope_ttft_model_seconds",
              Metric.MODEL,
              "Model component of TTFT (queue and prefill).",
              false),
          new Latency(
              "tierscope_model_queue_seconds",
              Metric.MODEL_QUEUE,
              "Time requests waited in the model's queue.",
              false),
          new Latency(
              "tierscope_toolchain_seconds",
              Metric.TOOLCHAIN,
              "Tool-chain latency, first tool call start to last tool call end (failed chains"
                  + " too).",
              true),
          new Latency(
              "tierscope_stream_max_gap_seconds",
              Metric.STREAM_MAX_GAP,
              "Per stream that reported it, the largest gap between two consecutive chunks.",
              false));

  /**
   * Bucket edges of the time into a stream at which it broke, microseconds: 1 s to 10 min, so that
   * a proxy's fixed timeout (30 s, 60 s, ...) falls into one bucket.
   */
  static final long[] STREAM_CUT_EDGES_MICROS = {
    1_000_000,
    2_000_000,
    5_000_000,
    10_000_000,
    15_000_000,
    30_000_000,
    45_000_000,
    60_000_000,
    90_000_000,
    120_000_000,
    300_000_000,
    600_000_000
  };

  private final TotalsReader totals;
  private final TrafficClasses classes;
  private final BudgetCalculator budgets;
  private final Function<String, AlertPolicy> policies;
  private final long[] latencyEdgesMicros;
  private final long[] toolchainEdgesMicros;
  private final boolean budgetGauges;

  /**
   * @param policies per class name, its alert pairs: their windows are the burn-rate gauges'
   * @param latencyEdges bucket edges of TTFT and its components, increasing
   * @param toolchainEdges bucket edges of tool-chain latency, increasing
   * @param budgetGauges whether a snapshot evaluates burn rates and budgets
   */
  public SloExporter(
      TotalsReader totals,
      TrafficClasses classes,
      BudgetCalculator budgets,
      Function<String, AlertPolicy> policies,
      List<Duration> latencyEdges,
      List<Duration> toolchainEdges,
      boolean budgetGauges) {
    this.totals = totals;
    this.classes = classes;
    this.budgets = budgets;
    this.policies = policies;
    this.latencyEdgesMicros = micros(latencyEdges);
    this.toolchainEdgesMicros = micros(toolchainEdges);
    this.budgetGauges = budgetGauges;
  }

  /** Every metric of the tenants in {@code scope}; gauges evaluated at {@code at}. */
  public MetricSnapshots snapshot(TenantScope scope, Instant at) {
    List<ClassTotals> all = totals.totals(scope);

    CounterSnapshot.Builder events =
        CounterSnapshot.builder()
            .name("tierscope_slo_events")
            .help(
                "SLI events of a class since its totals began: requests with a TTFT, streams,"
                    + " tool chains or retrievals.");
    CounterSnapshot.Builder good =
        CounterSnapshot.builder()
            .name("tierscope_slo_good_events")
            .help(
                "SLI events that met the class objective (TTFT or tool chain within the exact"
                    + " threshold and not failed, stream not interrupted, retrieval without"
                    + " fallback).");
    CounterSnapshot.Builder requests =
        CounterSnapshot.builder()
            .name("tierscope_requests")
            .help("Assembled requests of a class since its totals began.");
    List<HistogramSnapshot.Builder> histograms = new ArrayList<>();
    for (Latency l : LATENCIES) {
      histograms.add(HistogramSnapshot.builder().name(l.name()).help(l.help()).unit(Unit.SECONDS));
    }

    for (ClassTotals t : all) {
      TrafficClass cls = classes.get(t.trafficClass());
      if (cls == null) {
        continue; // a class no longer configured: no objectives to count against
      }
      ClassObjectives o = cls.objectives();
      long created = t.since().toEpochMilli();
      for (Sli sli : Sli.values()) {
        EventCounts e = sli.events(t.histograms(), t.counters(), o);
        Labels labels = Labels.of("tenant", t.tenant(), "class", cls.name(), "sli", sli.id());
        events.dataPoint(
            CounterSnapshot.CounterDataPointSnapshot.builder()
                .labels(labels)
                .value(e.total())
                .createdTimestampMillis(created)
                .build());
        good.dataPoint(
            CounterSnapshot.CounterDataPointSnapshot.builder()
                .labels(labels)
                .value(e.good())
                .createdTimestampMillis(created)
                .build());
      }
      requests.dataPoint(
          CounterSnapshot.CounterDataPointSnapshot.builder()
              .labels(Labels.of("tenant", t.tenant(), "class", cls.name()))
              .value(t.counters().getOrDefault(CounterKey.of(Counter.REQUESTS), 0L))
              .createdTimestampMillis(created)
              .build());
      for (int i = 0; i < LATENCIES.size(); i++) {
        Latency l = LATENCIES.get(i);
        Histogram h = t.histograms().get(l.metric());
        if (h == null || h.getTotalCount() == 0) {
          continue;
        }
        long[] edges =
            l.toolchain()
                ? withThreshold(toolchainEdgesMicros, o.toolchainThresholdMicros())
                : l.metric() == Metric.TTFT
                    ? withThreshold(latencyEdgesMicros, o.ttftThresholdMicros())
                    : latencyEdgesMicros;
        histograms
            .get(i)
            .dataPoint(
                HistogramSnapshot.HistogramDataPointSnapshot.builder()
                    .labels(Labels.of("tenant", t.tenant(), "class", cls.name()))
                    .classicHistogramBuckets(buckets(h, edges))
                    .createdTimestampMillis(created)
                    .build());
      }
    }

    List<MetricSnapshot> out = new ArrayList<>();
    out.add(events.build());
    out.add(good.build());
    out.add(requests.build());
    histograms.forEach(b -> out.add(b.build()));
    out.addAll(streamContinuity(all));
    out.addAll(objectives());
    if (budgetGauges) {
      out.addAll(budgetGauges(all, at));
    }
    return new MetricSnapshots(out);
  }

  /**
   * Stream continuity per (tenant, class): stalls, interruptions per cause and when into the stream
   * streams broke (cancels apart, {@code cause="cancelled"} is never an interruption).
   */
  private List<MetricSnapshot> streamContinuity(List<ClassTotals> all) {
    CounterSnapshot.Builder stalls =
        CounterSnapshot.builder()
            .name("tierscope_stream_stalls")
            .help("Gaps between consecutive chunks longer than the stall threshold, summed.");
    CounterSnapshot.Builder stalled =
        CounterSnapshot.builder()
            .name("tierscope_stream_stalled_streams")
            .help("Streams with at least one stall.");
    CounterSnapshot.Builder reports =
        CounterSnapshot.builder()
            .name("tierscope_stream_stall_reports")
            .help("Streams that reported their stalls (the denominator of a stall rate).");
    CounterSnapshot.Builder interruptions =
        CounterSnapshot.builder()
            .name("tierscope_stream_interruptions")
            .help(
                "Interrupted streams per cause (idle_timeout, upstream_reset, network,"
                    + " server_error, unknown); user cancels are not among them.");
    HistogramSnapshot.Builder cuts =
        HistogramSnapshot.builder()
            .name("tierscope_stream_cut_seconds")
            .help(
                "Time into the stream at which it broke, per interruption cause, and for user"
                    + " cancels (cause=\"cancelled\", not an interruption).")
            .unit(Unit.SECONDS);
    for (ClassTotals t : all) {
      if (classes.get(t.trafficClass()) == null) {
        continue;
      }
      long created = t.since().toEpochMilli();
      Labels labels = Labels.of("tenant", t.tenant(), "class", t.trafficClass());
      counter(stalls, labels, t, CounterKey.of(Counter.STALLS), created);
      counter(stalled, labels, t, CounterKey.of(Counter.STALLED_STREAMS), created);
      counter(reports, labels, t, CounterKey.of(Counter.STALL_REPORTS), created);
      for (InterruptionCause cause : InterruptionCause.values()) {
        if (cause == InterruptionCause.NONE) {
          continue;
        }
        Labels byCause = labels.add("cause", cause.id());
        long n =
            t.counters().getOrDefault(new CounterKey(Counter.INTERRUPTION_CAUSE, cause.id()), 0L);
        if (n > 0) {
          interruptions.dataPoint(
              CounterSnapshot.CounterDataPointSnapshot.builder()
                  .labels(byCause)
                  .value(n)
                  .createdTimestampMillis(created)
                  .build());
        }
        cut(cuts, byCause, t.histograms().get(Metric.streamCut(cause)), created);
      }
      cut(
          cuts,
          labels.add("cause", "cancelled"),
          t.histograms().get(Metric.STREAM_CUT_CANCELLED),
          created);
    }
    return List.of(
        stalls.build(), stalled.build(), reports.build(), interruptions.build(), cuts.build());
  }

  private static void counter(
      CounterSnapshot.Builder b, Labels labels, ClassTotals t, CounterKey key, long created) {
    Long n = t.counters().get(key);
    if (n != null && n > 0) {
      b.dataPoint(
          CounterSnapshot.CounterDataPointSnapshot.builder()
              .labels(labels)
              .value(n)
              .createdTimestampMillis(created)
              .build());
    }
  }

  private static void cut(HistogramSnapshot.Builder b, Labels labels, Histogram h, long created) {
    if (h == null || h.getTotalCount() == 0) {
      return;
    }
    b.dataPoint(
        HistogramSnapshot.HistogramDataPointSnapshot.builder()
            .labels(labels)
            .classicHistogramBuckets(buckets(h, STREAM_CUT_EDGES_MICROS))
            .createdTimestampMillis(created)
            .build());
  }

  /** Objective and threshold of every configured class: what the rule file compares against. */
  private List<MetricSnapshot> objectives() {
    GaugeSnapshot.Builder objective =
        GaugeSnapshot.builder()
            .name("tierscope_slo_objective_ratio")
            .help(
                "Fraction of a class's SLI events that must be good (1 - maximum for stream"
                    + " interruption and retrieval fallback).");
    GaugeSnapshot.Builder threshold =
        GaugeSnapshot.builder()
            .name("tierscope_slo_threshold_seconds")
            .help("Latency a TTFT or tool chain of the class must stay within to be good.")
            .unit(Unit.SECONDS);
    for (TrafficClass cls : classes.all()) {
      for (Sli sli : Sli.values()) {
        objective.dataPoint(
            GaugeSnapshot.GaugeDataPointSnapshot.builder()
                .labels(Labels.of("class", cls.name(), "sli", sli.id()))
                .value(sli.target(cls.objectives()))
                .build());
      }
      threshold.dataPoint(
          GaugeSnapshot.GaugeDataPointSnapshot.builder()
              .labels(Labels.of("class", cls.name(), "sli", Sli.TTFT.id()))
              .value(cls.objectives().ttftThresholdMicros() / 1e6)
              .build());
      threshold.dataPoint(
          GaugeSnapshot.GaugeDataPointSnapshot.builder()
              .labels(Labels.of("class", cls.name(), "sli", Sli.TOOLCHAIN_LATENCY.id()))
              .value(cls.objectives().toolchainThresholdMicros() / 1e6)
              .build());
    }
    return List.of(objective.build(), threshold.build());
  }

  private List<MetricSnapshot> budgetGauges(List<ClassTotals> all, Instant at) {
    GaugeSnapshot.Builder burn =
        GaugeSnapshot.builder()
            .name("tierscope_slo_burn_rate")
            .help(
                "Bad ratio over the window divided by the allowed bad ratio (1 - objective);"
                    + " 0 without events. Windows: the class's alert windows and 5m to 3d.");
    GaugeSnapshot.Builder remaining =
        GaugeSnapshot.builder()
            .name("tierscope_slo_error_budget_remaining_ratio")
            .help(
                "Share of the error budget of the SLO period left: 1 untouched, 0 spent, below"
                    + " 0 overspent.");
    for (ClassTotals t : all) {
      TrafficClass cls = classes.get(t.trafficClass());
      if (cls == null) {
        continue;
      }
      List<AlertRule> rules = policies.apply(cls.name()).rules();
      Map<Sli, BudgetReport> reports = budgets.evaluate(t.tenant(), cls, at, rules);
      reports.forEach(
          (sli, r) -> {
            r.burnRates()
                .forEach(
                    (window, rate) ->
                        burn.dataPoint(
                            GaugeSnapshot.GaugeDataPointSnapshot.builder()
                                .labels(
                                    Labels.of(
                                        "tenant",
                                        t.tenant(),
                                        "class",
                                        cls.name(),
                                        "sli",
                                        sli.id(),
                                        "window",
                                        AlertRule.windowName(window)))
                                .value(rate)
                                .build()));
            remaining.dataPoint(
                GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(
                        Labels.of(
                            "tenant",
                            t.tenant(),
                            "class",
                            cls.name(),
                            "sli",
                            sli.id(),
                            "period",
                            AlertRule.windowName(r.period())))
                    .value(r.budgetRemaining())
                    .build());
          });
    }
    return List.of(burn.build(), remaining.build());
  }

  /** Per-bucket (not cumulative) counts at the edges, then the rest in +Inf. */
  static ClassicHistogramBuckets buckets(Histogram h, long[] edgesMicros) {
    double[] bounds = new double[edgesMicros.length + 1];
    long[] counts = new long[edgesMicros.length + 1];
    long below = 0;
    for (int i = 0; i < edgesMicros.length; i++) {
      long atOrUnder = h.getCountBetweenValues(0, edgesMicros[i]);
      bounds[i] = edgesMicros[i] / 1e6;
      counts[i] = atOrUnder - below;
      below = atOrUnder;
    }
    bounds[edgesMicros.length] = Double.POSITIVE_INFINITY;
    counts[edgesMicros.length] = h.getTotalCount() - below;
    return ClassicHistogramBuckets.of(bounds, counts);
  }

  static long[] withThreshold(long[] edges, long thresholdMicros) {
    TreeSet<Long> all = new TreeSet<>();
    for (long e : edges) {
      all.add(e);
    }
    all.add(thresholdMicros);
    return all.stream().mapToLong(Long::longValue).toArray();
  }

  private static long[] micros(List<Duration> edges) {
    long[] out = new long[edges.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = edges.get(i).toNanos() / 1_000;
    }
    return out;
  }
}
