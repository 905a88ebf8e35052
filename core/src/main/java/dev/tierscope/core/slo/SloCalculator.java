package dev.tierscope.core.slo;

import dev.tierscope.core.classes.ClassObjectives;
import dev.tierscope.core.classes.Indicator;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.query.LatencyStats;
import dev.tierscope.core.span.InterruptionCause;
import dev.tierscope.core.store.SliceReader;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Dimension;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.Slice;
import java.time.Instant;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import org.HdrHistogram.Histogram;

/**
 * Computes a class's SLIs over a range from the stored windows, merging histograms exactly (never
 * averaging per-window percentiles).
 *
 * <pre>{@code
 * SloReport r = new SloCalculator(reader).report("default", cls, from, to);
 * r.ttft().stats().p95Micros();
 * }</pre>
 */
public final class SloCalculator {

  /** Histograms a report reads. */
  public static final Set<Metric> METRICS =
      EnumSet.of(
          Metric.TTFT,
          Metric.TOOLCHAIN,
          Metric.TOOLCHAIN_FAILED,
          Metric.EDGE,
          Metric.MESH,
          Metric.MODEL,
          Metric.MODEL_QUEUE,
          Metric.STREAM_MAX_GAP,
          Metric.STREAM_CUT_IDLE_TIMEOUT,
          Metric.STREAM_CUT_UPSTREAM_RESET,
          Metric.STREAM_CUT_NETWORK,
          Metric.STREAM_CUT_SERVER_ERROR,
          Metric.STREAM_CUT_UNKNOWN,
          Metric.STREAM_CUT_CANCELLED);

  /** Counters a report reads. */
  public static final Set<Counter> COUNTERS =
      EnumSet.of(
          Counter.REQUESTS,
          Counter.STREAMS,
          Counter.INTERRUPTED,
          Counter.CANCELLED,
          Counter.RETRIEVALS,
          Counter.RETRIEVAL_MISSES,
          Counter.RETRIEVAL_FALLBACKS,
          Counter.TOOL_CHAINS,
          Counter.FAILED_CHAINS,
          Counter.CLASS_RULE,
          Counter.CLASS_FALLBACK,
          Counter.CLASS_UNKNOWN,
          Counter.ADMISSION,
          Counter.DEGRADED,
          Counter.STALL_REPORTS,
          Counter.STALLED_STREAMS,
          Counter.STALLS,
          Counter.INTERRUPTION_CAUSE);

  private final WindowReader reader;
  private final SliceReader slices;
  private final Executor counterReads;

  /** A calculator without breakdowns ({@link #reportBy} refuses). */
  public SloCalculator(WindowReader reader) {
    this(reader, null);
  }

  /**
   * @param slices the breakdown read seam, null when the store has none
   */
  public SloCalculator(WindowReader reader, SliceReader slices) {
    this(reader, slices, Runnable::run);
  }

  /**
   * @param slices the breakdown read seam, null when the store has none
   * @param counterReads runs a report's counter read while the calling thread reads its histograms
   *     (the two are independent: on a store, two statements on two connections at once instead of
   *     one after the other); {@code Runnable::run} reads them one after the other
   */
  public SloCalculator(WindowReader reader, SliceReader slices, Executor counterReads) {
    this.reader = reader;
    this.slices = slices;
    this.counterReads = counterReads;
  }

  /**
   * Per value of {@code dimension} (sorted), the class's SLIs over the windows starting in [from,
   * to) among the requests of that value: the same report as {@link #report}, from that value's
   * merged histograms (classification counts are not kept per value and read as zero).
   */
  public Map<String, SloReport> reportBy(
      String tenant, TrafficClass cls, Dimension dimension, Instant from, Instant to) {
    if (slices == null) {
      throw new IllegalStateException("this store keeps no breakdowns");
    }
    Map<String, Slice> byValue =
        slices.slicesPerInterval(tenant, cls.name(), dimension, List.of(from, to)).get(0);
    Map<String, SloReport> out = new LinkedHashMap<>();
    byValue.forEach((value, slice) -> out.put(value, report(cls, from, to, slice)));
    return out;
  }

  /** The report of one value's merged slice. */
  public static SloReport report(TrafficClass cls, Instant from, Instant to, Slice slice) {
    return report(cls, from, to, histograms(slice), counters(slice));
  }

  /** A slice's histograms with an empty one for each of {@link Slice#METRICS} it lacks. */
  static Map<Metric, Histogram> histograms(Slice slice) {
    Map<Metric, Histogram> h = new EnumMap<>(Metric.class);
    h.putAll(slice.histograms());
    for (Metric m : Slice.METRICS) {
      h.computeIfAbsent(m, k -> new Histogram(2));
    }
    return h;
  }

  /** A slice's counters keyed as window counters (no sub-dimension). */
  static Map<CounterKey, Long> counters(Slice slice) {
    Map<CounterKey, Long> c = new HashMap<>();
    slice.counters().forEach((k, v) -> c.put(CounterKey.of(k), v));
    return c;
  }

  /** The class's SLIs over the windows starting in [from, to). */
  public SloReport report(String tenant, TrafficClass cls, Instant from, Instant to) {
    List<Instant> range = List.of(from, to);
    CompletableFuture<Map<CounterKey, Long>> counters =
        CompletableFuture.supplyAsync(
            () -> reader.countersPerInterval(tenant, cls.name(), COUNTERS, range).get(0),
            counterReads);
    Map<Metric, Histogram> h;
    try {
      h = reader.mergedPerInterval(tenant, cls.name(), METRICS, range).get(0);
    } catch (RuntimeException e) {
      counters.cancel(false);
      throw e;
    }
    return report(cls, from, to, h, joined(counters));
  }

  /** The future's value, or what its read threw (unwrapped), as the same-thread read would. */
  private static <T> T joined(CompletableFuture<T> future) {
    try {
      return future.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** The report of already merged windows (histograms of {@link #METRICS}, {@link #COUNTERS}). */
  public static SloReport report(
      TrafficClass cls,
      Instant from,
      Instant to,
      Map<Metric, Histogram> h,
      Map<CounterKey, Long> c) {
    ClassObjectives o = cls.objectives();

    EventCounts ttftEvents = Sli.TTFT.events(h, c, o);
    SloReport.LatencySli ttft =
        new SloReport.LatencySli(
            LatencyStats.of(h.get(Metric.TTFT)),
            0,
            ttftEvents.goodRatio(),
            ttftEvents.goodRatio() >= o.ttftTarget());

    EventCounts toolEvents = Sli.TOOLCHAIN_LATENCY.events(h, c, o);
    SloReport.LatencySli tool =
        new SloReport.LatencySli(
            LatencyStats.of(h.get(Metric.TOOLCHAIN)),
            Sli.count(c, Counter.FAILED_CHAINS),
            toolEvents.goodRatio(),
            toolEvents.goodRatio() >= o.toolchainTarget());

    long streams = Sli.count(c, Counter.STREAMS);
    long interrupted = Sli.count(c, Counter.INTERRUPTED);
    double rate = streams == 0 ? 0.0 : (double) interrupted / streams;
    SloReport.StreamSli stream =
        new SloReport.StreamSli(
            streams,
            interrupted,
            Sli.count(c, Counter.CANCELLED),
            rate,
            rate <= o.maxInterruptionRate());

    long retrievals = Sli.count(c, Counter.RETRIEVALS);
    long misses = Sli.count(c, Counter.RETRIEVAL_MISSES);
    long fallbacks = Sli.count(c, Counter.RETRIEVAL_FALLBACKS);
    double ratio = retrievals == 0 ? 0.0 : (double) fallbacks / retrievals;
    SloReport.RetrievalSli retrieval =
        new SloReport.RetrievalSli(
            retrievals,
            misses,
            fallbacks,
            ratio,
            misses == 0 ? 0.0 : (double) fallbacks / misses,
            ratio <= o.maxFallbackRatio());

    return new SloReport(
        cls.name(),
        from,
        to,
        Sli.count(c, Counter.REQUESTS),
        ttft,
        stream,
        tool,
        retrieval,
        LatencyStats.of(h.get(Metric.EDGE)),
        LatencyStats.of(h.get(Metric.MESH)),
        LatencyStats.of(h.get(Metric.MODEL)),
        LatencyStats.of(h.get(Metric.MODEL_QUEUE)),
        components(cls, h),
        classification(c),
        events(h, c, o),
        admission(c),
        continuity(h, c));
  }

  private static SloReport.Continuity continuity(
      Map<Metric, Histogram> h, Map<CounterKey, Long> c) {
    Map<String, SloReport.Cut> byCause = new TreeMap<>();
    for (InterruptionCause cause : InterruptionCause.values()) {
      if (cause == InterruptionCause.NONE) {
        continue;
      }
      long n = dimension(c, Counter.INTERRUPTION_CAUSE, cause.id());
      if (n > 0) {
        byCause.put(
            cause.id(), new SloReport.Cut(n, LatencyStats.of(h.get(Metric.streamCut(cause)))));
      }
    }
    return new SloReport.Continuity(
        LatencyStats.of(h.get(Metric.STREAM_MAX_GAP)),
        Sli.count(c, Counter.STALL_REPORTS),
        Sli.count(c, Counter.STALLED_STREAMS),
        Sli.count(c, Counter.STALLS),
        byCause,
        new SloReport.Cut(
            Sli.count(c, Counter.CANCELLED), LatencyStats.of(h.get(Metric.STREAM_CUT_CANCELLED))));
  }

  private static SloReport.Admission admission(Map<CounterKey, Long> c) {
    Map<Integer, Long> degraded = new TreeMap<>();
    c.forEach(
        (k, v) -> {
          if (k.counter() == Counter.DEGRADED) {
            try {
              degraded.merge(Integer.parseInt(k.dimension()), v, Long::sum);
            } catch (NumberFormatException e) {
              // not a level: written by a newer version
            }
          }
        });
    return new SloReport.Admission(
        dimension(c, Counter.ADMISSION, dev.tierscope.core.span.Admission.ADMITTED.id()),
        dimension(c, Counter.ADMISSION, dev.tierscope.core.span.Admission.DEFERRED.id()),
        dimension(c, Counter.ADMISSION, dev.tierscope.core.span.Admission.SHED.id()),
        degraded);
  }

  private static long dimension(Map<CounterKey, Long> c, Counter counter, String dimension) {
    return c.getOrDefault(new CounterKey(counter, dimension), 0L);
  }

  private static Map<Indicator, SloReport.LatencySli> components(
      TrafficClass cls, Map<Metric, Histogram> h) {
    Map<Indicator, SloReport.LatencySli> out = new EnumMap<>(Indicator.class);
    cls.components()
        .forEach(
            (indicator, objective) -> {
              Histogram histogram = h.get(metric(indicator));
              long total = histogram == null ? 0 : histogram.getTotalCount();
              long good =
                  total == 0 ? 0 : histogram.getCountBetweenValues(0, objective.thresholdMicros());
              double ratio = total == 0 ? 1.0 : (double) good / total;
              out.put(
                  indicator,
                  new SloReport.LatencySli(
                      LatencyStats.of(histogram), 0, ratio, ratio >= objective.target()));
            });
    return out;
  }

  private static Metric metric(Indicator component) {
    return switch (component) {
      case EDGE -> Metric.EDGE;
      case MESH -> Metric.MESH;
      case MODEL -> Metric.MODEL;
      case MODEL_QUEUE -> Metric.MODEL_QUEUE;
      default -> throw new IllegalArgumentException(component + " is not a TTFT component");
    };
  }

  private static SloReport.Classification classification(Map<CounterKey, Long> c) {
    Map<String, Long> byRule = new TreeMap<>();
    c.forEach(
        (k, v) -> {
          if (k.counter() == Counter.CLASS_RULE) {
            byRule.merge(k.dimension(), v, Long::sum);
          }
        });
    return new SloReport.Classification(
        byRule, Sli.count(c, Counter.CLASS_FALLBACK), Sli.count(c, Counter.CLASS_UNKNOWN));
  }

  private static Map<Sli, EventCounts> events(
      Map<Metric, Histogram> h, Map<CounterKey, Long> c, ClassObjectives o) {
    Map<Sli, EventCounts> out = new EnumMap<>(Sli.class);
    for (Sli sli : Sli.values()) {
      out.put(sli, sli.events(h, c, o));
    }
    return out;
  }
}
