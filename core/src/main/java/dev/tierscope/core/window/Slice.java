package dev.tierscope.core.window;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * The requests of one value of one {@link Dimension}: in one window since the last checkpoint (a
 * delta the aggregator hands to the store) or merged over a range (what a read returns). It holds
 * exactly what a class's SLO report reads ({@link #METRICS}, {@link #COUNTERS}), so a value's
 * report has the same fields as the class's.
 *
 * @param dimension the dimension
 * @param value the value ({@link Dimension#UNKNOWN}, {@link Dimension#OTHER} and {@code
 *     __overflow__} included)
 * @param histograms latency histograms in microseconds, only the metrics that got values
 * @param counters counts, only the non-zero ones
 */
public record Slice(
    Dimension dimension,
    String value,
    Map<Metric, Histogram> histograms,
    Map<Counter, Long> counters) {

  /** Histograms kept per value: the SLIs' and the TTFT components'. */
  public static final Set<Metric> METRICS =
      Collections.unmodifiableSet(
          EnumSet.of(
              Metric.TTFT,
              Metric.TOOLCHAIN,
              Metric.TOOLCHAIN_FAILED,
              Metric.EDGE,
              Metric.MESH,
              Metric.MODEL,
              Metric.MODEL_QUEUE));

  /** Counters kept per value: requests and the counter SLIs' events. */
  public static final Set<Counter> COUNTERS =
      Collections.unmodifiableSet(
          EnumSet.of(
              Counter.REQUESTS,
              Counter.STREAMS,
              Counter.INTERRUPTED,
              Counter.CANCELLED,
              Counter.RETRIEVALS,
              Counter.RETRIEVAL_MISSES,
              Counter.RETRIEVAL_FALLBACKS,
              Counter.TOOL_CHAINS,
              Counter.FAILED_CHAINS));

  public Slice {
    if (dimension == null || value == null) {
      throw new IllegalArgumentException("dimension and value are required");
    }
  }

  /** An empty slice to merge into. */
  public static Slice empty(Dimension dimension, String value) {
    return new Slice(dimension, value, new EnumMap<>(Metric.class), new EnumMap<>(Counter.class));
  }

  /** Requests counted in this slice. */
  public long requests() {
    return counters.getOrDefault(Counter.REQUESTS, 0L);
  }

  /**
   * Adds {@code other}'s histograms and counters into this slice's (which must be mutable, as
   * {@link #empty} makes them); histograms merge exactly.
   */
  public void add(Slice other) {
    other
        .histograms()
        .forEach(
            (m, h) -> {
              Histogram into = histograms.get(m);
              if (into == null) {
                Histogram copy = h.copy();
                copy.setAutoResize(true);
                histograms.put(m, copy);
              } else {
                into.add(h);
              }
            });
    other.counters().forEach((c, n) -> counters.merge(c, n, Long::sum));
  }
}
