package dev.tierscope.core.slo;

import dev.tierscope.core.classes.ClassObjectives;
import dev.tierscope.core.classes.Indicator;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * The four SLIs with an objective (docs/slo-spec.md, "SLI"), each as good/total events against a
 * target, which is what error budgets and burn rates need.
 */
public enum Sli {
  TTFT("ttft"),
  STREAM_INTERRUPTION("streamInterruption"),
  TOOLCHAIN_LATENCY("toolchainLatency"),
  RETRIEVAL_FALLBACK("retrievalFallback");

  /** Histograms any SLI needs. */
  public static final Set<Metric> METRICS =
      EnumSet.of(Metric.TTFT, Metric.TOOLCHAIN, Metric.TOOLCHAIN_FAILED);

  /** Counters any SLI needs (all without a dimension). */
  public static final Set<Counter> COUNTERS =
      EnumSet.of(
          Counter.STREAMS,
          Counter.INTERRUPTED,
          Counter.TOOL_CHAINS,
          Counter.FAILED_CHAINS,
          Counter.RETRIEVALS,
          Counter.RETRIEVAL_FALLBACKS);

  private final String id;

  Sli(String id) {
    this.id = id;
  }

  /** The API's name, e.g. {@code streamInterruption}. */
  public String id() {
    return id;
  }

  /** The spec file's indicator of this SLI. */
  public Indicator indicator() {
    return switch (this) {
      case TTFT -> Indicator.TTFT;
      case STREAM_INTERRUPTION -> Indicator.STREAM_INTERRUPTION;
      case TOOLCHAIN_LATENCY -> Indicator.TOOLCHAIN_LATENCY;
      case RETRIEVAL_FALLBACK -> Indicator.RETRIEVAL_FALLBACK;
    };
  }

  /** The SLI with this API name, or null. */
  public static Sli fromId(String id) {
    for (Sli s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    return null;
  }

  /**
   * Fraction of events that must be good: the latency targets as configured, the interruption and
   * fallback maxima as 1 - maximum.
   */
  public double target(ClassObjectives o) {
    return switch (this) {
      case TTFT -> o.ttftTarget();
      case TOOLCHAIN_LATENCY -> o.toolchainTarget();
      case STREAM_INTERRUPTION -> 1.0 - o.maxInterruptionRate();
      case RETRIEVAL_FALLBACK -> 1.0 - o.maxFallbackRatio();
    };
  }

  /**
   * Good and total events from merged windows.
   *
   * <ul>
   *   <li>ttft: requests with a TTFT; good when at or under the threshold (HdrHistogram counts the
   *       threshold's bucket, less than 1% wide, as at or under).
   *   <li>toolchainLatency: tool chains; good when within the threshold and not failed. A failed
   *       chain is one bad event whatever its latency: the failed chains within the threshold
   *       (their own histogram) are taken from the good ones; failed chains recorded before that
   *       histogram existed are all taken from them, bounded at 0.
   *   <li>streamInterruption: streams; bad when interrupted (user cancels are good).
   *   <li>retrievalFallback: retrievals; bad when served by a fallback.
   * </ul>
   */
  public EventCounts events(
      Map<Metric, Histogram> histograms, Map<CounterKey, Long> counters, ClassObjectives o) {
    return switch (this) {
      case TTFT -> latency(histograms.get(Metric.TTFT), null, o.ttftThresholdMicros(), -1, 0);
      case TOOLCHAIN_LATENCY ->
          latency(
              histograms.get(Metric.TOOLCHAIN),
              histograms.get(Metric.TOOLCHAIN_FAILED),
              o.toolchainThresholdMicros(),
              count(counters, Counter.TOOL_CHAINS),
              count(counters, Counter.FAILED_CHAINS));
      case STREAM_INTERRUPTION ->
          ofBad(count(counters, Counter.STREAMS), count(counters, Counter.INTERRUPTED));
      case RETRIEVAL_FALLBACK ->
          ofBad(count(counters, Counter.RETRIEVALS), count(counters, Counter.RETRIEVAL_FALLBACKS));
    };
  }

  private static EventCounts latency(
      Histogram h, Histogram failedHistogram, long thresholdMicros, long events, long failed) {
    long values = h == null ? 0 : h.getTotalCount();
    long total = events > 0 ? events : values;
    if (total == 0) {
      return EventCounts.NONE;
    }
    long within = values == 0 ? 0 : h.getCountBetweenValues(0, thresholdMicros);
    long failedValues = failedHistogram == null ? 0 : failedHistogram.getTotalCount();
    long failedWithin =
        failedValues == 0 ? 0 : failedHistogram.getCountBetweenValues(0, thresholdMicros);
    // Failed chains without a recorded latency (older windows) may be within: count them bad.
    long unplaced = Math.max(0, failed - failedValues);
    long good = Math.max(0, Math.min(total, within) - failedWithin - unplaced);
    return new EventCounts(good, total);
  }

  private static EventCounts ofBad(long total, long bad) {
    long b = Math.min(total, Math.max(0, bad));
    return new EventCounts(total - b, total);
  }

  static long count(Map<CounterKey, Long> c, Counter counter) {
    return c.getOrDefault(CounterKey.of(counter), 0L);
  }
}
