package dev.tierscope.store;

import dev.tierscope.core.store.ResolutionPlan;
import dev.tierscope.core.store.SliceReader;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Dimension;
import dev.tierscope.core.window.HistogramCodec;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.Slice;
import dev.tierscope.core.window.SliceCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;

/**
 * {@link WindowReader} on PostgreSQL: merges the stored histograms of any set of intervals exactly,
 * reading rollups (1 min, 1 h) wherever they cover a part of an interval and are complete.
 *
 * <p>Why this shape. A 24 h range is 8 640 raw windows but 24 hourly rows, and decoding histograms
 * is the cost that matters. {@link ResolutionPlan} splits each interval into segments per
 * resolution using {@code rollup_progress} (every window of a resolution starting before its {@code
 * complete_before} is complete); everything else, the ragged ends and the last minutes, is read
 * raw. Each read is one statement for all intervals and segments: consecutive segments of one
 * resolution form a run, the runs are passed as arrays and each (run, metric) is a LATERAL range
 * scan of the primary key whose rows find their segment by {@code width_bucket}; the runs' ranges
 * are also spelled as constants so that the planner reads only the partitions (V9) they touch.
 * Counter dimensions are listed in {@code counter_dimension} (the checkpoint registers each with
 * its first row), so that the counter read too uses the full primary key (tenant, class, counter,
 * dimension, resolution, window start).
 *
 * <p>{@code rollup_progress} is read at most once per {@code progressTtl} (it only grows; a stale
 * copy makes reads finer, never wrong); when the table does not exist, only raw windows are read.
 */
public final class PostgresWindowReader implements WindowReader, SliceReader {

  // Each (run, metric) and (run, counter, dimension) is its own LATERAL index range scan on the
  // primary key, where a run is consecutive segments of one resolution (a 24 h series at 1 min
  // steps is 1 440 segments but one run of minutes and two short runs of raw windows); each row
  // finds its segment by width_bucket over the segments' starts. OFFSET 0 / GROUP BY keep the
  // planner from flattening the scan into a hash join over every row of the class. {@code %s} is
  // the runs' ranges again as constants, so that the planner prunes the partitions outside them
  // (the LATERAL's own bounds are parameters it cannot see when planning).
  private static final String HISTOGRAMS =
      "SELECT h.seg, m.metric, h.histogram"
          + " FROM unnest(?::text[]) AS m(metric)"
          + " CROSS JOIN unnest(?::int[], ?::bigint[], ?::bigint[]) AS r(res, lo, hi)"
          + " CROSS JOIN LATERAL (SELECT width_bucket(extract(epoch FROM w.window_start)::float8,"
          + " ?::float8[]) AS seg, w.histogram FROM window_histogram w WHERE w.tenant = ?"
          + " AND w.traffic_class = ? AND w.metric = m.metric AND w.resolution_seconds = r.res"
          + " AND w.window_start >= to_timestamp(r.lo) AND w.window_start < to_timestamp(r.hi)"
          + "%s OFFSET 0) h";

  // The counters' dimensions come from counter_dimension (V10, written by the checkpoint with the
  // first row of each); each (counter, dimension, run) is then a LATERAL range scan as above.
  private static final String COUNTERS =
      "WITH d(counter, dim) AS (SELECT k.counter, k.dimension FROM counter_dimension k"
          + " WHERE k.tenant = ? AND k.traffic_class = ? AND k.counter = ANY(?::text[]))"
          + " SELECT c.seg, d.counter, d.dim, c.total, c.n"
          + " FROM d CROSS JOIN unnest(?::int[], ?::bigint[], ?::bigint[]) AS r(res, lo, hi)"
          + " CROSS JOIN LATERAL (SELECT width_bucket(extract(epoch FROM w.window_start)::float8,"
          + " ?::float8[]) AS seg, sum(w.value) AS total, count(*) AS n FROM window_counter w"
          + " WHERE w.tenant = ? AND w.traffic_class = ? AND w.counter = d.counter"
          + " AND w.dimension = d.dim AND w.resolution_seconds = r.res"
          + " AND w.window_start >= to_timestamp(r.lo) AND w.window_start < to_timestamp(r.hi)"
          + "%s GROUP BY 1) c";

  // Each run is a range scan of the primary key (tenant, class, dimension, resolution, window
  // start, value): every value of the dimension in the run's windows.
  private static final String SLICES =
      "SELECT h.seg, h.dimension_value, h.slice"
          + " FROM unnest(?::int[], ?::bigint[], ?::bigint[]) AS r(res, lo, hi)"
          + " CROSS JOIN LATERAL (SELECT width_bucket(extract(epoch FROM w.window_start)::float8,"
          + " ?::float8[]) AS seg, w.dimension_value, w.slice FROM window_slice w"
          + " WHERE w.tenant = ? AND w.traffic_class = ? AND w.dimension = ?"
          + " AND w.resolution_seconds = r.res AND w.window_start >= to_timestamp(r.lo)"
          + " AND w.window_start < to_timestamp(r.hi)%s OFFSET 0) h";

  /** Runs beyond which the pruning constants name one range per resolution instead. */
  private static final int MAX_PRUNE_ARMS = 16;

  private final DataSource dataSource;
  private final int rawSeconds;
  private final Duration progressTtl;
  private final WindowReadMetrics metrics;
  private final Clock clock;

  private final Object progressLock = new Object();
  private Map<Integer, Instant> progress = Map.of();
  private Instant progressReadAt;

  /** A reader of raw windows and rollups, re-reading rollup progress every second. */
  public PostgresWindowReader(DataSource dataSource, int rawResolutionSeconds) {
    this(
        dataSource,
        rawResolutionSeconds,
        Duration.ofSeconds(1),
        WindowReadMetrics.NONE,
        Clock.systemUTC());
  }

  /**
   * @param rawResolutionSeconds the aggregator's window size (10 by default)
   * @param progressTtl how long a read of {@code rollup_progress} is reused; zero reads it for
   *     every query
   * @param metrics told how many rows of each resolution every query read
   * @param clock measures {@code progressTtl}
   */
  public PostgresWindowReader(
      DataSource dataSource,
      int rawResolutionSeconds,
      Duration progressTtl,
      WindowReadMetrics metrics,
      Clock clock) {
    if (rawResolutionSeconds <= 0) {
      throw new IllegalArgumentException(
          "rawResolutionSeconds must be positive, was " + rawResolutionSeconds);
    }
    this.dataSource = dataSource;
    this.rawSeconds = rawResolutionSeconds;
    this.progressTtl = progressTtl;
    this.metrics = metrics;
    this.clock = clock;
  }

  @Override
  public List<Map<Metric, Histogram>> mergedPerInterval(
      String tenant, String trafficClass, Set<Metric> wanted, List<Instant> boundaries) {
    ResolutionPlan.checkBoundaries(boundaries);
    int n = boundaries.size() - 1;
    List<Map<Metric, Histogram>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new EnumMap<>(Metric.class));
    }
    if (!wanted.isEmpty()) {
      try (Connection c = dataSource.getConnection()) {
        List<ResolutionPlan.Segment> plan = plan(c, boundaries);
        if (!plan.isEmpty()) {
          Runs runs = Runs.of(plan);
          Map<Integer, Long> rows = new TreeMap<>();
          try (PreparedStatement st = c.prepareStatement(String.format(HISTOGRAMS, runs.prune()))) {
            int p = 1;
            st.setArray(p++, c.createArrayOf("text", wanted.stream().map(Metric::id).toArray()));
            p = runs.bind(c, st, p);
            st.setString(p++, tenant);
            st.setString(p, trafficClass);
            try (ResultSet rs = st.executeQuery();
                HistogramCodec.Merger merger = new HistogramCodec.Merger()) {
              while (rs.next()) {
                ResolutionPlan.Segment seg = runs.segment(rs.getInt(1));
                Map<Metric, Histogram> into = out.get(seg.interval());
                rows.merge(seg.resolutionSeconds(), 1L, Long::sum);
                Metric m = Metric.fromId(rs.getString(2));
                into.put(m, merger.add(into.get(m), rs.getBytes(3)));
              }
            }
          }
          rows.forEach(metrics::rowsRead);
        }
      } catch (SQLException e) {
        throw new StoreException("reading " + wanted + " histograms", e);
      }
    }
    for (Map<Metric, Histogram> m : out) {
      for (Metric metric : wanted) {
        m.computeIfAbsent(metric, k -> new Histogram(2));
      }
    }
    return out;
  }

  @Override
  public List<Map<CounterKey, Long>> countersPerInterval(
      String tenant, String trafficClass, Set<Counter> wanted, List<Instant> boundaries) {
    ResolutionPlan.checkBoundaries(boundaries);
    int n = boundaries.size() - 1;
    List<Map<CounterKey, Long>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new HashMap<>());
    }
    if (wanted.isEmpty()) {
      return out;
    }
    try (Connection c = dataSource.getConnection()) {
      List<ResolutionPlan.Segment> plan = plan(c, boundaries);
      if (plan.isEmpty()) {
        return out;
      }
      Runs runs = Runs.of(plan);
      Map<Integer, Long> rows = new TreeMap<>();
      try (PreparedStatement st = c.prepareStatement(String.format(COUNTERS, runs.prune()))) {
        st.setString(1, tenant);
        st.setString(2, trafficClass);
        st.setArray(3, c.createArrayOf("text", wanted.stream().map(Counter::id).toArray()));
        int p = runs.bind(c, st, 4);
        st.setString(p++, tenant);
        st.setString(p, trafficClass);
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            ResolutionPlan.Segment seg = runs.segment(rs.getInt(1));
            out.get(seg.interval())
                .merge(
                    new CounterKey(Counter.fromId(rs.getString(2)), rs.getString(3)),
                    rs.getLong(4),
                    Long::sum);
            rows.merge(seg.resolutionSeconds(), rs.getLong(5), Long::sum);
          }
        }
      }
      rows.forEach(metrics::rowsRead);
    } catch (SQLException e) {
      throw new StoreException("reading counters " + wanted, e);
    }
    return out;
  }

  @Override
  public List<Map<String, Slice>> slicesPerInterval(
      String tenant, String trafficClass, Dimension dimension, List<Instant> boundaries) {
    ResolutionPlan.checkBoundaries(boundaries);
    int n = boundaries.size() - 1;
    List<Map<String, Slice>> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(new TreeMap<>());
    }
    try (Connection c = dataSource.getConnection()) {
      List<ResolutionPlan.Segment> plan = plan(c, boundaries);
      if (plan.isEmpty()) {
        return out;
      }
      Runs runs = Runs.of(plan);
      Map<Integer, Long> rows = new TreeMap<>();
      try (PreparedStatement st = c.prepareStatement(String.format(SLICES, runs.prune()))) {
        int p = runs.bind(c, st, 1);
        st.setString(p++, tenant);
        st.setString(p++, trafficClass);
        st.setString(p, dimension.id());
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            ResolutionPlan.Segment seg = runs.segment(rs.getInt(1));
            rows.merge(seg.resolutionSeconds(), 1L, Long::sum);
            String value = rs.getString(2);
            Slice read = SliceCodec.decode(dimension, value, rs.getBytes(3));
            Slice into = out.get(seg.interval()).get(value);
            if (into == null) {
              out.get(seg.interval()).put(value, read);
            } else {
              into.add(read);
            }
          }
        }
      }
      rows.forEach(metrics::rowsRead);
    } catch (SQLException e) {
      throw new StoreException("reading the " + dimension.id() + " breakdown", e);
    }
    return out;
  }

  private List<ResolutionPlan.Segment> plan(Connection c, List<Instant> boundaries)
      throws SQLException {
    return ResolutionPlan.plan(rawSeconds, progress(c), boundaries);
  }

  /**
   * A plan's segments in time order (they never overlap), grouped into runs: consecutive segments
   * of one resolution where each starts where the previous ends, read by one range scan each.
   */
  private record Runs(
      List<ResolutionPlan.Segment> segments, List<Integer> res, List<Long> lo, List<Long> hi) {

    static Runs of(List<ResolutionPlan.Segment> plan) {
      List<ResolutionPlan.Segment> sorted = new ArrayList<>();
      for (ResolutionPlan.Segment s : plan) {
        if (s.toEpochSeconds() > s.fromEpochSeconds()) {
          sorted.add(s);
        }
      }
      sorted.sort(java.util.Comparator.comparingLong(ResolutionPlan.Segment::fromEpochSeconds));
      List<Integer> res = new ArrayList<>();
      List<Long> lo = new ArrayList<>();
      List<Long> hi = new ArrayList<>();
      for (ResolutionPlan.Segment s : sorted) {
        int last = res.size() - 1;
        if (last >= 0
            && res.get(last) == s.resolutionSeconds()
            && hi.get(last) == s.fromEpochSeconds()) {
          hi.set(last, s.toEpochSeconds());
        } else {
          res.add(s.resolutionSeconds());
          lo.add(s.fromEpochSeconds());
          hi.add(s.toEpochSeconds());
        }
      }
      return new Runs(sorted, res, lo, hi);
    }

    /** The segment of a row, from its 1-based width_bucket over the segments' starts. */
    ResolutionPlan.Segment segment(int bucket) {
      return segments.get(bucket - 1);
    }

    /**
     * The runs' ranges as constants ({@code AND (...)}), for the planner to prune partitions by;
     * one range per resolution when there are many runs.
     */
    String prune() {
      Map<Integer, long[]> ranges = new TreeMap<>();
      List<String> arms = new ArrayList<>();
      for (int i = 0; i < res.size(); i++) {
        if (res.size() <= MAX_PRUNE_ARMS) {
          arms.add(arm(res.get(i), lo.get(i), hi.get(i)));
        } else {
          long[] r = ranges.computeIfAbsent(res.get(i), k -> new long[] {Long.MAX_VALUE, 0});
          r[0] = Math.min(r[0], lo.get(i));
          r[1] = Math.max(r[1], hi.get(i));
        }
      }
      ranges.forEach((r, b) -> arms.add(arm(r, b[0], b[1])));
      if (arms.isEmpty()) {
        return " AND false";
      }
      return " AND (" + String.join(" OR ", arms) + ")";
    }

    private static String arm(int res, long lo, long hi) {
      return "(w.resolution_seconds = "
          + res
          + " AND w.window_start >= timestamptz '"
          + Instant.ofEpochSecond(lo)
          + "' AND w.window_start < timestamptz '"
          + Instant.ofEpochSecond(hi)
          + "')";
    }

    /** Binds the runs (resolution, from, to) and the segments' starts from {@code first} on. */
    int bind(Connection c, PreparedStatement st, int first) throws SQLException {
      Double[] starts = new Double[segments.size()];
      for (int i = 0; i < starts.length; i++) {
        starts[i] = (double) segments.get(i).fromEpochSeconds();
      }
      st.setArray(first, c.createArrayOf("int4", res.toArray()));
      st.setArray(first + 1, c.createArrayOf("int8", lo.toArray()));
      st.setArray(first + 2, c.createArrayOf("int8", hi.toArray()));
      st.setArray(first + 3, c.createArrayOf("float8", starts));
      return first + 4;
    }
  }

  /** {@code complete_before} per rollup resolution; empty without the table. */
  private Map<Integer, Instant> progress(Connection c) throws SQLException {
    synchronized (progressLock) {
      Instant now = clock.instant();
      if (progressReadAt != null && now.isBefore(progressReadAt.plus(progressTtl))) {
        return progress;
      }
      Map<Integer, Instant> read = new HashMap<>();
      boolean exists;
      try (PreparedStatement st =
              c.prepareStatement("SELECT to_regclass('rollup_progress') IS NOT NULL");
          ResultSet rs = st.executeQuery()) {
        exists = rs.next() && rs.getBoolean(1);
      }
      if (exists) {
        try (PreparedStatement st =
                c.prepareStatement(
                    "SELECT resolution_seconds, complete_before FROM rollup_progress");
            ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            read.put(rs.getInt(1), rs.getObject(2, OffsetDateTime.class).toInstant());
          }
        }
      }
      progress = Map.copyOf(read);
      progressReadAt = now;
      return progress;
    }
  }
}
