package dev.tierscope.core.window;

import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * What one aggregator recorded into one window since its last checkpoint: merged into the stored
 * window by the store (several instances merge into the same row).
 *
 * @param key the window
 * @param windowMillis window size in milliseconds
 * @param histograms latency histograms in microseconds, only the metrics that got values
 * @param counters counts, only the non-zero ones
 * @param exemplars the slowest requests by TTFT seen in this delta, slowest first
 * @param slices the same requests per value of each breakdown dimension
 */
public record WindowDelta(
    WindowKey key,
    long windowMillis,
    Map<Metric, Histogram> histograms,
    Map<CounterKey, Long> counters,
    List<Exemplar> exemplars,
    List<Slice> slices) {

  public WindowDelta {
    exemplars = List.copyOf(exemplars);
    slices = List.copyOf(slices);
  }

  /** A delta without breakdown slices. */
  public WindowDelta(
      WindowKey key,
      long windowMillis,
      Map<Metric, Histogram> histograms,
      Map<CounterKey, Long> counters,
      List<Exemplar> exemplars) {
    this(key, windowMillis, histograms, counters, exemplars, List.of());
  }

  /** A delta without exemplars. */
  public WindowDelta(
      WindowKey key,
      long windowMillis,
      Map<Metric, Histogram> histograms,
      Map<CounterKey, Long> counters) {
    this(key, windowMillis, histograms, counters, List.of(), List.of());
  }
}
