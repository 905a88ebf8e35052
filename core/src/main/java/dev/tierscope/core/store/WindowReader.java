package dev.tierscope.core.store;

import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * The API's read seam: windows merged over ranges.
 *
 * <p>A query is a list of boundaries {@code b0 <= b1 <= ... <= bn}; interval i holds every window
 * starting in [b_i, b_{i+1}). One call answers all intervals (a series, or the nested windows of a
 * burn-rate evaluation) so that an implementation can read them in one round trip and from rollups
 * where they cover an interval exactly.
 */
public interface WindowReader {

  /**
   * Per interval and metric, the histograms of every window starting in the interval merged into
   * one (microseconds); a metric without data maps to an empty histogram.
   *
   * @param boundaries two or more non-decreasing instants (equal ones make an empty interval)
   * @return one map per interval, in order, each holding every requested metric
   */
  List<Map<Metric, Histogram>> mergedPerInterval(
      String tenant, String trafficClass, Set<Metric> metrics, List<Instant> boundaries);

  /**
   * Per interval, the requested counters (every dimension of each) summed over the windows starting
   * in the interval; counters without data are absent.
   *
   * @param boundaries two or more non-decreasing instants (equal ones make an empty interval)
   * @return one map per interval, in order
   */
  List<Map<CounterKey, Long>> countersPerInterval(
      String tenant, String trafficClass, Set<Counter> counters, List<Instant> boundaries);

  /**
   * Per metric, the histograms of every window starting in [from, to) merged into one
   * (microseconds); a metric without data maps to an empty histogram.
   */
  default Map<Metric, Histogram> merged(
      String tenant, String trafficClass, Set<Metric> metrics, Instant from, Instant to) {
    return mergedPerInterval(tenant, trafficClass, metrics, List.of(from, to)).get(0);
  }

  /** Every counter summed over every window starting in [from, to). */
  default Map<CounterKey, Long> counters(
      String tenant, String trafficClass, Instant from, Instant to) {
    return countersPerInterval(
            tenant, trafficClass, EnumSet.allOf(Counter.class), List.of(from, to))
        .get(0);
  }
}
