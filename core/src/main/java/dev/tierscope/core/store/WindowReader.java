package dev.tierscope.core.store;

import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/** The API's read seam: windows merged over a range. */
public interface WindowReader {

  /**
   * Per metric, the histograms of every window starting in [from, to) merged into one
   * (microseconds); a metric without data maps to an empty histogram.
   */
  Map<Metric, Histogram> merged(
      String tenant, String trafficClass, Set<Metric> metrics, Instant from, Instant to);

  /** Counters summed over every window starting in [from, to). */
  Map<CounterKey, Long> counters(String tenant, String trafficClass, Instant from, Instant to);
}
