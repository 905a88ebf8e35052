package dev.tierscope.core.window;

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
 */
public record WindowDelta(
    WindowKey key,
    long windowMillis,
    Map<Metric, Histogram> histograms,
    Map<CounterKey, Long> counters) {}
