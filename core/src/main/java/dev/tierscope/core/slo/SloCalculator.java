package dev.tierscope.core.slo;

import dev.tierscope.core.classes.ClassObjectives;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.query.LatencyStats;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Computes a class's SLIs over a range from the stored windows, merging histograms exactly (never
 * averaging per-window percentiles).
 */
public final class SloCalculator {

  private static final EnumSet<Metric> METRICS =
      EnumSet.of(
          Metric.TTFT,
          Metric.TOOLCHAIN,
          Metric.EDGE,
          Metric.MESH,
          Metric.MODEL,
          Metric.MODEL_QUEUE);

  private final WindowReader reader;

  public SloCalculator(WindowReader reader) {
    this.reader = reader;
  }

  public SloReport report(String tenant, TrafficClass cls, Instant from, Instant to) {
    Map<Metric, Histogram> h = reader.merged(tenant, cls.name(), METRICS, from, to);
    Map<CounterKey, Long> c = reader.counters(tenant, cls.name(), from, to);
    ClassObjectives o = cls.objectives();

    double ttftGood = LatencyStats.goodRatio(h.get(Metric.TTFT), o.ttftThresholdMicros());
    SloReport.LatencySli ttft =
        new SloReport.LatencySli(
            LatencyStats.of(h.get(Metric.TTFT)), 0, ttftGood, ttftGood >= o.ttftTarget());

    long chains = count(c, Counter.TOOL_CHAINS);
    long failedChains = count(c, Counter.FAILED_CHAINS);
    Histogram toolHist = h.get(Metric.TOOLCHAIN);
    // A failed chain is a bad event whatever its latency.
    double toolGood =
        chains == 0
            ? 1.0
            : Math.max(
                0.0,
                (LatencyStats.goodRatio(toolHist, o.toolchainThresholdMicros())
                            * toolHist.getTotalCount()
                        - failedChains)
                    / chains);
    SloReport.LatencySli tool =
        new SloReport.LatencySli(
            LatencyStats.of(toolHist), failedChains, toolGood, toolGood >= o.toolchainTarget());

    long streams = count(c, Counter.STREAMS);
    long interrupted = count(c, Counter.INTERRUPTED);
    double rate = streams == 0 ? 0.0 : (double) interrupted / streams;
    SloReport.StreamSli stream =
        new SloReport.StreamSli(
            streams,
            interrupted,
            count(c, Counter.CANCELLED),
            rate,
            rate <= o.maxInterruptionRate());

    long retrievals = count(c, Counter.RETRIEVALS);
    long misses = count(c, Counter.RETRIEVAL_MISSES);
    long fallbacks = count(c, Counter.RETRIEVAL_FALLBACKS);
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
        count(c, Counter.REQUESTS),
        ttft,
        stream,
        tool,
        retrieval,
        LatencyStats.of(h.get(Metric.EDGE)),
        LatencyStats.of(h.get(Metric.MESH)),
        LatencyStats.of(h.get(Metric.MODEL)),
        LatencyStats.of(h.get(Metric.MODEL_QUEUE)));
  }

  private static long count(Map<CounterKey, Long> c, Counter counter) {
    return c.getOrDefault(CounterKey.of(counter), 0L);
  }
}
