package dev.tierscope.core.store;

import dev.tierscope.core.window.Dimension;
import dev.tierscope.core.window.Slice;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The API's read seam for breakdowns: per value of one {@link Dimension}, the windows of a class
 * merged over ranges, exactly (histograms merged, never percentiles averaged).
 *
 * <p>Intervals as in {@link WindowReader}: boundaries {@code b0 <= ... <= bn}, interval i holds the
 * windows starting in [b_i, b_{i+1}).
 */
public interface SliceReader {

  /**
   * Per interval, every value of {@code dimension} that has data in it, with its histograms and
   * counters merged over the interval's windows.
   *
   * @param boundaries two or more non-decreasing instants
   * @return one map (value to slice, sorted by value) per interval, in order
   */
  List<Map<String, Slice>> slicesPerInterval(
      String tenant, String trafficClass, Dimension dimension, List<Instant> boundaries);
}
