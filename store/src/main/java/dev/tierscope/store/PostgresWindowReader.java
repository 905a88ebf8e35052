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
import java.sql.Array;
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
 * raw. Each read is one statement for all intervals and segments: the segments are passed as arrays
 * and each (segment, metric) is a LATERAL range scan of the primary key. Counter dimensions are
 * found by a loose index scan (a recursive CTE), so that the counter read too uses the full primary
 * key (tenant, class, counter, dimension, resolution, window start).
 *
 * <p>{@code rollup_progress} is read at most once per {@code progressTtl} (it only grows; a stale
 * copy makes reads finer, never wrong); when the table does not exist, only raw windows are read.
 */
public final class PostgresWindowReader implements WindowReader, SliceReader {

  // Each (segment, metric) and (segment, counter, dimension) is its own LATERAL index range scan
  // on the primary key; OFFSET 0 keeps the planner from flattening it into a hash join over
  // every row of the class, which it prefers when it cannot see the ranges.
  private static final String HISTOGRAMS =
      "SELECT s.idx, s.res, m.metric, h.histogram"
          + " FROM unnest(?::int[], ?::int[], ?::bigint[], ?::bigint[]) AS s(idx, res, lo, hi)"
          + " CROSS JOIN unnest(?::text[]) AS m(metric)"
          + " CROSS JOIN LATERAL (SELECT w.histogram FROM window_histogram w WHERE w.tenant = ?"
          + " AND w.traffic_class = ? AND w.metric = m.metric AND w.resolution_seconds = s.res"
          + " AND w.window_start >= to_timestamp(s.lo) AND w.window_start < to_timestamp(s.hi)"
          + " OFFSET 0) h";

  private static final String COUNTERS =
      "WITH RECURSIVE d(counter, dim) AS ("
          + " SELECT k.counter, (SELECT min(w.dimension) FROM window_counter w WHERE w.tenant = ?"
          + " AND w.traffic_class = ? AND w.counter = k.counter) FROM unnest(?::text[]) AS k(counter)"
          + " UNION ALL"
          + " SELECT d.counter, (SELECT min(w.dimension) FROM window_counter w WHERE w.tenant = ?"
          + " AND w.traffic_class = ? AND w.counter = d.counter AND w.dimension > d.dim)"
          + " FROM d WHERE d.dim IS NOT NULL)"
          + " SELECT s.idx, s.res, d.counter, d.dim, c.total, c.n"
          + " FROM d CROSS JOIN unnest(?::int[], ?::int[], ?::bigint[], ?::bigint[])"
          + " AS s(idx, res, lo, hi)"
          + " CROSS JOIN LATERAL (SELECT sum(w.value) AS total, count(*) AS n FROM window_counter w"
          + " WHERE w.tenant = ? AND w.traffic_class = ? AND w.counter = d.counter"
          + " AND w.dimension = d.dim AND w.resolution_seconds = s.res"
          + " AND w.window_start >= to_timestamp(s.lo) AND w.window_start < to_timestamp(s.hi)"
          + " OFFSET 0) c"
          + " WHERE d.dim IS NOT NULL AND c.n > 0";

  // Each segment is a range scan of the primary key (tenant, class, dimension, resolution, window
  // start, value): every value of the dimension in the segment's windows.
  private static final String SLICES =
      "SELECT s.idx, s.res, w.dimension_value, w.slice"
          + " FROM unnest(?::int[], ?::int[], ?::bigint[], ?::bigint[]) AS s(idx, res, lo, hi)"
          + " CROSS JOIN LATERAL (SELECT w.dimension_value, w.slice FROM window_slice w"
          + " WHERE w.tenant = ? AND w.traffic_class = ? AND w.dimension = ?"
          + " AND w.resolution_seconds = s.res AND w.window_start >= to_timestamp(s.lo)"
          + " AND w.window_start < to_timestamp(s.hi) OFFSET 0) w";

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
          Map<Integer, Long> rows = new TreeMap<>();
          try (PreparedStatement st = c.prepareStatement(HISTOGRAMS)) {
            int p = setSegments(c, st, 1, plan);
            st.setArray(p++, c.createArrayOf("text", wanted.stream().map(Metric::id).toArray()));
            st.setString(p++, tenant);
            st.setString(p, trafficClass);
            try (ResultSet rs = st.executeQuery()) {
              while (rs.next()) {
                Map<Metric, Histogram> into = out.get(rs.getInt(1));
                rows.merge(rs.getInt(2), 1L, Long::sum);
                Metric m = Metric.fromId(rs.getString(3));
                Histogram h = HistogramCodec.decode(rs.getBytes(4));
                Histogram existing = into.get(m);
                if (existing == null) {
                  into.put(m, h);
                } else {
                  existing.add(h);
                }
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
      Map<Integer, Long> rows = new TreeMap<>();
      try (PreparedStatement st = c.prepareStatement(COUNTERS)) {
        st.setString(1, tenant);
        st.setString(2, trafficClass);
        st.setArray(3, c.createArrayOf("text", wanted.stream().map(Counter::id).toArray()));
        st.setString(4, tenant);
        st.setString(5, trafficClass);
        int p = setSegments(c, st, 6, plan);
        st.setString(p++, tenant);
        st.setString(p, trafficClass);
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            out.get(rs.getInt(1))
                .merge(
                    new CounterKey(Counter.fromId(rs.getString(3)), rs.getString(4)),
                    rs.getLong(5),
                    Long::sum);
            rows.merge(rs.getInt(2), rs.getLong(6), Long::sum);
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
      Map<Integer, Long> rows = new TreeMap<>();
      try (PreparedStatement st = c.prepareStatement(SLICES)) {
        int p = setSegments(c, st, 1, plan);
        st.setString(p++, tenant);
        st.setString(p++, trafficClass);
        st.setString(p, dimension.id());
        try (ResultSet rs = st.executeQuery()) {
          while (rs.next()) {
            rows.merge(rs.getInt(2), 1L, Long::sum);
            String value = rs.getString(3);
            Slice read = SliceCodec.decode(dimension, value, rs.getBytes(4));
            Slice into = out.get(rs.getInt(1)).get(value);
            if (into == null) {
              out.get(rs.getInt(1)).put(value, read);
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

  /** Binds the segments as four arrays (interval, resolution, from, to) from {@code first} on. */
  private static int setSegments(
      Connection c, PreparedStatement st, int first, List<ResolutionPlan.Segment> plan)
      throws SQLException {
    Integer[] idx = new Integer[plan.size()];
    Integer[] res = new Integer[plan.size()];
    Long[] lo = new Long[plan.size()];
    Long[] hi = new Long[plan.size()];
    for (int i = 0; i < plan.size(); i++) {
      ResolutionPlan.Segment s = plan.get(i);
      idx[i] = s.interval();
      res[i] = s.resolutionSeconds();
      lo[i] = s.fromEpochSeconds();
      hi[i] = s.toEpochSeconds();
    }
    Array[] arrays = {
      c.createArrayOf("int4", idx),
      c.createArrayOf("int4", res),
      c.createArrayOf("int8", lo),
      c.createArrayOf("int8", hi)
    };
    for (int i = 0; i < arrays.length; i++) {
      st.setArray(first + i, arrays[i]);
    }
    return first + arrays.length;
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
