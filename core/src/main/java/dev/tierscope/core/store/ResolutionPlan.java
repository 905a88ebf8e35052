package dev.tierscope.core.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decides which stored resolution answers which part of each interval of a query, so that a range
 * is read from as few rows as possible and still merges exactly the raw windows it selects.
 *
 * <p>Why: a day of 10 s windows is 8 640 rows per metric, the same day in 1 h rollups 24. A rollup
 * window may stand in for its raw windows only when all of them belong to the interval (the rollup
 * window lies inside it) and the rollup is complete (it starts before the resolution's {@code
 * complete_before}); every other part is read at the next finer resolution, down to the raw
 * windows, which are always complete.
 *
 * <pre>{@code
 * List<Segment> plan =
 *     ResolutionPlan.plan(10, Map.of(60, minuteDone, 3600, hourDone), List.of(from, to));
 * }</pre>
 */
public final class ResolutionPlan {

  /**
   * Read the windows of {@code resolutionSeconds} starting in [from, to); they all belong to
   * interval {@code interval} of the query.
   *
   * @param interval index of the query interval, 0-based
   * @param resolutionSeconds stored resolution to read
   * @param fromEpochSeconds first window start, inclusive, epoch seconds
   * @param toEpochSeconds end, exclusive, epoch seconds
   */
  public record Segment(
      int interval, int resolutionSeconds, long fromEpochSeconds, long toEpochSeconds) {}

  private ResolutionPlan() {}

  /**
   * @param rawSeconds resolution of the raw windows (always complete)
   * @param completeBefore per rollup resolution in seconds, the instant before which every window
   *     of that resolution is complete; resolutions that are not multiples of {@code rawSeconds}
   *     are ignored
   * @param boundaries non-decreasing instants; interval i holds the raw windows starting in
   *     [boundaries[i], boundaries[i+1])
   * @return segments in interval order, non-overlapping, covering exactly the raw windows of every
   *     interval
   */
  public static List<Segment> plan(
      int rawSeconds, Map<Integer, Instant> completeBefore, List<Instant> boundaries) {
    if (rawSeconds <= 0) {
      throw new IllegalArgumentException("rawSeconds must be positive, was " + rawSeconds);
    }
    checkBoundaries(boundaries);
    List<Integer> coarse = new ArrayList<>();
    completeBefore.keySet().stream()
        .filter(r -> r > rawSeconds && r % rawSeconds == 0)
        .sorted((a, b) -> Integer.compare(b, a))
        .forEach(coarse::add);
    List<Segment> out = new ArrayList<>();
    for (int i = 0; i + 1 < boundaries.size(); i++) {
      // A raw window starts at a whole multiple of rawSeconds, so "starts at or after t" is
      // "starts at or after t rounded up to the raw resolution".
      long lo = ceil(boundaries.get(i), rawSeconds);
      long hi = ceil(boundaries.get(i + 1), rawSeconds);
      cover(out, i, lo, hi, 0, coarse, completeBefore, rawSeconds);
    }
    return out;
  }

  private static void cover(
      List<Segment> out,
      int interval,
      long lo,
      long hi,
      int level,
      List<Integer> coarse,
      Map<Integer, Instant> completeBefore,
      int rawSeconds) {
    if (lo >= hi) {
      return;
    }
    if (level == coarse.size()) {
      out.add(new Segment(interval, rawSeconds, lo, hi));
      return;
    }
    int r = coarse.get(level);
    long first = ceil(lo, r);
    // Windows starting before completeBefore are complete: the last one ends at its ceiling.
    long end = Math.min(Math.floorDiv(hi, r) * r, ceil(completeBefore.get(r), r));
    if (first >= end) {
      cover(out, interval, lo, hi, level + 1, coarse, completeBefore, rawSeconds);
      return;
    }
    cover(out, interval, lo, first, level + 1, coarse, completeBefore, rawSeconds);
    out.add(new Segment(interval, r, first, end));
    cover(out, interval, end, hi, level + 1, coarse, completeBefore, rawSeconds);
  }

  /** Index of the interval holding a window that starts at {@code epochMillis}, or -1. */
  static int intervalOf(List<Instant> boundaries, long epochMillis) {
    Instant t = Instant.ofEpochMilli(epochMillis);
    int last = boundaries.size() - 1;
    if (t.isBefore(boundaries.get(0)) || !t.isBefore(boundaries.get(last))) {
      return -1;
    }
    int lo = 0;
    int hi = last;
    while (hi - lo > 1) {
      int mid = (lo + hi) >>> 1;
      if (t.isBefore(boundaries.get(mid))) {
        hi = mid;
      } else {
        lo = mid;
      }
    }
    return lo;
  }

  /** Throws unless there are two or more non-decreasing boundaries (an interval may be empty). */
  public static void checkBoundaries(List<Instant> boundaries) {
    if (boundaries == null || boundaries.size() < 2) {
      throw new IllegalArgumentException("at least two boundaries are needed, was " + boundaries);
    }
    for (int i = 1; i < boundaries.size(); i++) {
      if (boundaries.get(i - 1).isAfter(boundaries.get(i))) {
        throw new IllegalArgumentException(
            "boundaries must not decrease: " + boundaries.get(i - 1) + ", " + boundaries.get(i));
      }
    }
  }

  /** The smallest multiple of {@code seconds} (epoch seconds) at or after {@code t}. */
  static long ceil(Instant t, long seconds) {
    long s = t.getEpochSecond() + (t.getNano() > 0 ? 1 : 0);
    return ceil(s, seconds);
  }

  private static long ceil(long epochSeconds, long seconds) {
    return -Math.floorDiv(-epochSeconds, seconds) * seconds;
  }
}
