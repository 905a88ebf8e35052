package dev.tierscope.core.store;

import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import java.time.Instant;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Everything ever committed for one class of one tenant: the merge of every window delta, kept
 * apart from the windows so that rollups and retention never shrink it.
 *
 * @param tenant tenant
 * @param trafficClass class
 * @param since when the first delta of this class was committed
 * @param histograms per metric, every value ever recorded (microseconds); only metrics that got
 *     values
 * @param counters every counter ever counted, per dimension; only non-zero ones
 */
public record ClassTotals(
    String tenant,
    String trafficClass,
    Instant since,
    Map<Metric, Histogram> histograms,
    Map<CounterKey, Long> counters) {

  public ClassTotals {
    if (tenant == null || trafficClass == null || since == null) {
      throw new IllegalArgumentException("tenant, class and since are required");
    }
    histograms = Map.copyOf(histograms);
    counters = Map.copyOf(counters);
  }
}
