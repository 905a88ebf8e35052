package dev.tierscope.core.slo;

import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.query.StepPlan;
import dev.tierscope.core.store.SliceReader;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Dimension;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.Slice;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * A statistic of one signal per step of a range; each point merges exactly the windows starting in
 * its step (never an average of finer percentiles).
 *
 * <pre>{@code
 * List<SeriesCalculator.Point> p95 =
 *     calculator.series(
 *         "default", cls, Signal.TTFT, Signal.Stat.P95,
 *         new StepPlan(new TimeRange(from, to), Duration.ofMinutes(5)));
 * }</pre>
 */
public final class SeriesCalculator {

  /**
   * One step.
   *
   * @param start step start; the step holds the windows starting in [start, start + step)
   * @param value the statistic (latencies in microseconds), null when the step has no data for it
   */
  public record Point(Instant start, Double value) {}

  private final WindowReader reader;
  private final SliceReader slices;

  /** A calculator without breakdowns ({@link #seriesBy} refuses). */
  public SeriesCalculator(WindowReader reader) {
    this(reader, null);
  }

  /**
   * @param slices the breakdown read seam, null when the store has none
   */
  public SeriesCalculator(WindowReader reader, SliceReader slices) {
    this.reader = reader;
    this.slices = slices;
  }

  /**
   * Per value of {@code dimension} that has data in the range (sorted), the statistic per step
   * among that value's requests; a step without data for a value is a null point, as in {@link
   * #series}.
   */
  public Map<String, List<Point>> seriesBy(
      String tenant,
      TrafficClass cls,
      Signal signal,
      Signal.Stat stat,
      StepPlan plan,
      Dimension dimension) {
    if (slices == null) {
      throw new IllegalStateException("this store keeps no breakdowns");
    }
    if (!breaksDown(signal)) {
      throw new IllegalArgumentException(signal.id() + " is not kept per breakdown value");
    }
    if (!signal.stats().contains(stat)) {
      throw new IllegalArgumentException(
          "stat " + stat.id() + " does not fit " + signal.id() + ", use one of " + signal.stats());
    }
    List<Instant> boundaries = plan.boundaries();
    int n = boundaries.size() - 1;
    List<Map<String, Slice>> perStep =
        slices.slicesPerInterval(tenant, cls.name(), dimension, boundaries);
    TreeMap<String, List<Point>> out = new TreeMap<>();
    for (Map<String, Slice> step0 : perStep) {
      for (String value : step0.keySet()) {
        out.computeIfAbsent(value, v -> new ArrayList<>(n));
      }
    }
    for (Map.Entry<String, List<Point>> e : out.entrySet()) {
      for (int i = 0; i < n; i++) {
        Slice slice = perStep.get(i).get(e.getKey());
        Double value =
            slice == null
                ? (stat == Signal.Stat.COUNT ? 0.0 : null)
                : value(
                    cls,
                    signal,
                    stat,
                    SloCalculator.histograms(slice),
                    SloCalculator.counters(slice));
        e.getValue().add(new Point(boundaries.get(i), value));
      }
    }
    return out;
  }

  /**
   * One point per step of {@code plan}.
   *
   * @throws IllegalArgumentException when the statistic does not fit the signal
   */
  public List<Point> series(
      String tenant, TrafficClass cls, Signal signal, Signal.Stat stat, StepPlan plan) {
    if (!signal.stats().contains(stat)) {
      throw new IllegalArgumentException(
          "stat " + stat.id() + " does not fit " + signal.id() + ", use one of " + signal.stats());
    }
    List<Instant> boundaries = plan.boundaries();
    int n = boundaries.size() - 1;
    Set<Metric> metrics = signal.metrics(stat);
    List<Map<Metric, Histogram>> h =
        metrics.isEmpty()
            ? null
            : reader.mergedPerInterval(tenant, cls.name(), metrics, boundaries);
    Set<Counter> needed = signal.counters(stat);
    List<Map<CounterKey, Long>> c =
        needed.isEmpty()
            ? null
            : reader.countersPerInterval(tenant, cls.name(), needed, boundaries);
    List<Point> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Map<Metric, Histogram> hist = h == null ? Map.of() : h.get(i);
      Map<CounterKey, Long> counters = c == null ? Map.of() : c.get(i);
      out.add(new Point(boundaries.get(i), value(cls, signal, stat, hist, counters)));
    }
    return out;
  }

  /**
   * fallbacks / misses ({@code ratio}), the misses ({@code count}), or the fallbacks over those the
   * class's maximum fallback ratio allows for the step's retrievals ({@code budget}); null without
   * misses (ratio) or retrievals (budget), and for a budget of zero.
   */
  private static Double missToFallback(
      TrafficClass cls, Signal.Stat stat, Map<CounterKey, Long> counters) {
    long retrievals = Sli.count(counters, Counter.RETRIEVALS);
    long misses = Sli.count(counters, Counter.RETRIEVAL_MISSES);
    long fallbacks = Sli.count(counters, Counter.RETRIEVAL_FALLBACKS);
    return switch (stat) {
      case COUNT -> (double) misses;
      case RATIO -> misses == 0 ? null : (double) fallbacks / misses;
      case BUDGET -> {
        double allowed = cls.objectives().maxFallbackRatio() * retrievals;
        yield retrievals == 0 || allowed <= 0 ? null : fallbacks / allowed;
      }
      default -> throw new IllegalStateException(stat.id());
    };
  }

  /**
   * True when the breakdowns keep what the signal needs: the SLIs, the TTFT components and
   * missToFallback, not admission control, the end-to-end latency or the fan-out (the slices keep
   * what a class's SLO report reads, {@link Slice#METRICS} and {@link Slice#COUNTERS}).
   */
  public static boolean breaksDown(Signal signal) {
    for (Signal.Stat stat : signal.stats()) {
      if (!Slice.METRICS.containsAll(signal.metrics(stat))
          || !Slice.COUNTERS.containsAll(signal.counters(stat))) {
        return false;
      }
    }
    return true;
  }

  private static Double value(
      TrafficClass cls,
      Signal signal,
      Signal.Stat stat,
      Map<Metric, Histogram> histograms,
      Map<CounterKey, Long> counters) {
    if (signal == Signal.ADMISSION) {
      long requests = Sli.count(counters, Counter.REQUESTS);
      if (stat == Signal.Stat.COUNT) {
        return (double) requests;
      }
      if (requests == 0) {
        return null;
      }
      long n = 0;
      for (Map.Entry<CounterKey, Long> e : counters.entrySet()) {
        CounterKey k = e.getKey();
        boolean counted =
            switch (stat) {
              case SHED_RATE ->
                  k.counter() == Counter.ADMISSION
                      && k.dimension().equals(dev.tierscope.core.span.Admission.SHED.id());
              case DEFERRED_RATE ->
                  k.counter() == Counter.ADMISSION
                      && k.dimension().equals(dev.tierscope.core.span.Admission.DEFERRED.id());
              case DEGRADED_RATE -> k.counter() == Counter.DEGRADED;
              default -> throw new IllegalStateException(stat.id());
            };
        if (counted) {
          n += e.getValue();
        }
      }
      return (double) n / requests;
    }
    if (signal == Signal.STREAM_STALLS) {
      if (stat == Signal.Stat.COUNT) {
        return (double) Sli.count(counters, Counter.STALLS);
      }
      long reports = Sli.count(counters, Counter.STALL_REPORTS);
      return reports == 0 ? null : (double) Sli.count(counters, Counter.STALLED_STREAMS) / reports;
    }
    if (signal == Signal.MISS_TO_FALLBACK) {
      return missToFallback(cls, stat, counters);
    }
    if (signal.metric() != null) {
      Histogram h = histograms.get(signal.metric());
      long n = h == null ? 0 : h.getTotalCount();
      if (stat == Signal.Stat.COUNT) {
        return (double) n;
      }
      if (stat == Signal.Stat.MEAN) {
        return n == 0 ? null : h.getMean();
      }
      if (stat == Signal.Stat.RATIO) {
        EventCounts e = signal.sli().events(histograms, counters, cls.objectives());
        return e.total() == 0 ? null : e.goodRatio();
      }
      if (n == 0) {
        return null;
      }
      return (double)
          switch (stat) {
            case P50 -> h.getValueAtPercentile(50);
            case P90 -> h.getValueAtPercentile(90);
            case P95 -> h.getValueAtPercentile(95);
            case P99 -> h.getValueAtPercentile(99);
            case MAX -> h.getMaxValue();
            default -> throw new IllegalStateException(stat.id());
          };
    }
    EventCounts e = signal.sli().events(Map.of(), counters, cls.objectives());
    if (stat == Signal.Stat.COUNT) {
      return (double) e.total();
    }
    return e.total() == 0 ? null : e.badRatio();
  }
}
