package dev.tierscope.store;

import dev.tierscope.core.store.Rollups;
import dev.tierscope.core.window.Dimension;
import dev.tierscope.core.window.HistogramCodec;
import dev.tierscope.core.window.Slice;
import dev.tierscope.core.window.SliceCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;

/**
 * {@link Rollups} on PostgreSQL: rolls raw windows up (10 s -> 1 min -> 1 h -> 1 d) by merging
 * histograms exactly and summing counters, and deletes rows past their retention.
 *
 * <p>Why recompute instead of merging deltas: a rollup row is always the merge of the finer rows
 * that exist when it is computed, so running the job twice, or from two aggregator instances
 * (serialised by an advisory lock), gives the same rows. {@code rollup_progress} records how far
 * each resolution is complete; finer rows updated after the last run (very late, partial requests)
 * have their coarse window recomputed on the next run.
 *
 * <p>Retention drops whole partitions (V9: one per table, resolution and day, 30 days for the 1 h
 * rollups) once every window in them is past retention and covered by the next resolution, so that
 * expiring a day costs the same however many rows it holds and leaves nothing to vacuum; a window
 * is therefore kept up to one partition span longer than its retention. Rows that had no partition
 * (in a table's default partition) are deleted one by one. Each run first creates the partitions
 * the next day's windows and the last two days' late ones need.
 *
 * <pre>{@code
 * Rollups rollups = new PostgresRollups(dataSource, Rollups.Settings.defaults());
 * Rollups.Result r = rollups.run(clock.instant());
 * }</pre>
 */
public final class PostgresRollups implements Rollups {

  /** Advisory lock key: "tierscope rollups". */
  private static final long LOCK_KEY = 0x7469657273636f70L;

  /** The tables of windows that are rolled up and expired per resolution. */
  private static final String[] TABLES = {"window_histogram", "window_counter", "window_slice"};

  /**
   * How far back windows are still written: the ingest accepts spans up to 2 days old, and a
   * request is counted in the window it started in.
   */
  static final Duration WRITE_HORIZON = Duration.ofDays(2).plusHours(1);

  /** How far ahead partitions are created (the ingest accepts spans up to 5 minutes ahead). */
  static final Duration AHEAD = Duration.ofDays(1);

  private final DataSource dataSource;
  private final Settings settings;

  public PostgresRollups(DataSource dataSource, Settings settings) {
    this.dataSource = dataSource;
    this.settings = settings;
  }

  @Override
  public Result run(Instant now) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(true);
      if (!tryLock(c)) {
        return new Result(false, Map.of(), 0);
      }
      try {
        ensurePartitions(c, now);
        Map<Integer, Integer> rolled = new LinkedHashMap<>();
        Instant fineComplete = null;
        for (int i = 1; i < settings.levels().size(); i++) {
          int fine = settings.levels().get(i - 1);
          int coarse = settings.levels().get(i);
          Instant bound = now.minus(settings.delay());
          if (fineComplete != null && fineComplete.isBefore(bound)) {
            bound = fineComplete;
          }
          Instant completeBefore = floor(bound, coarse);
          rolled.put(coarse, rollLevel(c, fine, coarse, completeBefore));
          fineComplete = completeBefore;
        }
        int[] dropped = {0};
        long deleted = applyRetention(c, now, dropped);
        return new Result(true, rolled, deleted, dropped[0]);
      } finally {
        unlock(c);
      }
    } catch (SQLException e) {
      throw new StoreException("rolling up windows", e);
    }
  }

  private int rollLevel(Connection c, int fine, int coarse, Instant completeBefore)
      throws SQLException {
    Instant previous = null;
    OffsetDateTime lastRolledAt = null;
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT complete_before, rolled_at FROM rollup_progress WHERE resolution_seconds = ?")) {
      st.setInt(1, coarse);
      try (ResultSet rs = st.executeQuery()) {
        if (rs.next()) {
          previous = rs.getObject(1, OffsetDateTime.class).toInstant();
          lastRolledAt = rs.getObject(2, OffsetDateTime.class);
        }
      }
    }
    OffsetDateTime startedAt = dbNow(c);
    int windows = 0;

    // Coarse windows that finer rows updated since the last run (very late data).
    if (previous != null && lastRolledAt != null) {
      TreeSet<Instant> stale = new TreeSet<>();
      for (String table : TABLES) {
        try (PreparedStatement st =
            c.prepareStatement(
                "SELECT DISTINCT window_start FROM "
                    + table
                    + " WHERE resolution_seconds = ? AND updated_at >= ? AND window_start < ?")) {
          st.setInt(1, fine);
          st.setObject(2, lastRolledAt);
          st.setObject(3, ts(previous));
          try (ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
              stale.add(floor(rs.getObject(1, OffsetDateTime.class).toInstant(), coarse));
            }
          }
        }
      }
      for (Instant w : stale) {
        c.setAutoCommit(false);
        try {
          recompute(c, fine, coarse, w, w.plusSeconds(coarse));
          c.commit();
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        } finally {
          c.setAutoCommit(true);
        }
        windows++;
      }
    }

    // New complete windows, in chunks.
    Instant from = previous;
    if (from == null) {
      from = earliest(c, fine);
      if (from == null) {
        from = completeBefore;
      }
      from = floor(from, coarse);
    }
    while (from.isBefore(completeBefore)) {
      Instant to = from.plusSeconds((long) coarse * settings.chunkWindows());
      if (to.isAfter(completeBefore)) {
        to = completeBefore;
      }
      c.setAutoCommit(false);
      try {
        windows += recompute(c, fine, coarse, from, to);
        saveProgress(c, coarse, to, startedAt);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
      from = to;
    }
    saveProgress(
        c,
        coarse,
        previous != null && previous.isAfter(completeBefore) ? previous : completeBefore,
        startedAt);
    return windows;
  }

  /** Replaces the coarse rows of [from, to) by the merge of the finer rows. */
  private static int recompute(Connection c, int fine, int coarse, Instant from, Instant to)
      throws SQLException {
    record Key(String tenant, String cls, String metric, Instant window) {}
    Map<Key, Histogram> merged = new LinkedHashMap<>();
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT tenant, traffic_class, metric, window_start, histogram FROM window_histogram"
                + " WHERE resolution_seconds = ? AND window_start >= ? AND window_start < ?")) {
      st.setInt(1, fine);
      st.setObject(2, ts(from));
      st.setObject(3, ts(to));
      try (ResultSet rs = st.executeQuery();
          HistogramCodec.Merger merger = new HistogramCodec.Merger()) {
        while (rs.next()) {
          Key k =
              new Key(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  floor(rs.getObject(4, OffsetDateTime.class).toInstant(), coarse));
          merged.put(k, merger.add(merged.get(k), rs.getBytes(5)));
        }
      }
    }
    try (PreparedStatement upsert =
        c.prepareStatement(
            "INSERT INTO window_histogram (tenant, traffic_class, metric, resolution_seconds,"
                + " window_start, value_count, p50_micros, p90_micros, p95_micros, p99_micros,"
                + " max_micros, histogram) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (tenant, traffic_class, metric, resolution_seconds, window_start)"
                + " DO UPDATE SET value_count = EXCLUDED.value_count,"
                + " p50_micros = EXCLUDED.p50_micros, p90_micros = EXCLUDED.p90_micros,"
                + " p95_micros = EXCLUDED.p95_micros, p99_micros = EXCLUDED.p99_micros,"
                + " max_micros = EXCLUDED.max_micros, histogram = EXCLUDED.histogram,"
                + " updated_at = now()")) {
      for (Map.Entry<Key, Histogram> e : merged.entrySet()) {
        Key k = e.getKey();
        Histogram h = e.getValue();
        upsert.setString(1, k.tenant());
        upsert.setString(2, k.cls());
        upsert.setString(3, k.metric());
        upsert.setInt(4, coarse);
        upsert.setObject(5, ts(k.window()));
        upsert.setLong(6, h.getTotalCount());
        upsert.setLong(7, h.getValueAtPercentile(50));
        upsert.setLong(8, h.getValueAtPercentile(90));
        upsert.setLong(9, h.getValueAtPercentile(95));
        upsert.setLong(10, h.getValueAtPercentile(99));
        upsert.setLong(11, h.getMaxValue());
        upsert.setBytes(12, HistogramCodec.encode(h));
        upsert.addBatch();
      }
      if (!merged.isEmpty()) {
        upsert.executeBatch();
      }
    }
    try (PreparedStatement st =
        c.prepareStatement(
            "INSERT INTO window_counter (tenant, traffic_class, counter, dimension,"
                + " resolution_seconds, window_start, value)"
                + " SELECT tenant, traffic_class, counter, dimension, ?,"
                + " to_timestamp(floor(extract(epoch FROM window_start) / ?) * ?), sum(value)"
                + " FROM window_counter WHERE resolution_seconds = ? AND window_start >= ?"
                + " AND window_start < ? GROUP BY 1, 2, 3, 4, 6"
                + " ON CONFLICT (tenant, traffic_class, counter, dimension, resolution_seconds,"
                + " window_start) DO UPDATE SET value = EXCLUDED.value, updated_at = now()")) {
      st.setInt(1, coarse);
      st.setInt(2, coarse);
      st.setInt(3, coarse);
      st.setInt(4, fine);
      st.setObject(5, ts(from));
      st.setObject(6, ts(to));
      st.executeUpdate();
    }
    java.util.Set<Instant> windows = recomputeSlices(c, fine, coarse, from, to);
    merged.keySet().forEach(k -> windows.add(k.window()));
    return windows.size();
  }

  /** Replaces the coarse breakdown slices of [from, to) by the merge of the finer ones. */
  private static java.util.Set<Instant> recomputeSlices(
      Connection c, int fine, int coarse, Instant from, Instant to) throws SQLException {
    record Key(String tenant, String cls, String dimension, String value, Instant window) {}
    Map<Key, Slice> merged = new LinkedHashMap<>();
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT tenant, traffic_class, dimension, dimension_value, window_start, slice"
                + " FROM window_slice WHERE resolution_seconds = ? AND window_start >= ?"
                + " AND window_start < ?")) {
      st.setInt(1, fine);
      st.setObject(2, ts(from));
      st.setObject(3, ts(to));
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          Dimension dim = Dimension.fromId(rs.getString(3));
          if (dim == null) {
            continue; // a dimension this version does not know: left to the version that does
          }
          Key k =
              new Key(
                  rs.getString(1),
                  rs.getString(2),
                  rs.getString(3),
                  rs.getString(4),
                  floor(rs.getObject(5, OffsetDateTime.class).toInstant(), coarse));
          Slice s = SliceCodec.decode(dim, k.value(), rs.getBytes(6));
          Slice into = merged.get(k);
          if (into == null) {
            merged.put(k, s);
          } else {
            into.add(s);
          }
        }
      }
    }
    java.util.Set<Instant> windows = new TreeSet<>();
    if (merged.isEmpty()) {
      return windows;
    }
    try (PreparedStatement upsert =
        c.prepareStatement(
            "INSERT INTO window_slice (tenant, traffic_class, dimension, resolution_seconds,"
                + " window_start, dimension_value, requests, slice) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (tenant, traffic_class, dimension, resolution_seconds, window_start,"
                + " dimension_value) DO UPDATE SET requests = EXCLUDED.requests,"
                + " slice = EXCLUDED.slice, updated_at = now()")) {
      for (Map.Entry<Key, Slice> e : merged.entrySet()) {
        Key k = e.getKey();
        upsert.setString(1, k.tenant());
        upsert.setString(2, k.cls());
        upsert.setString(3, k.dimension());
        upsert.setInt(4, coarse);
        upsert.setObject(5, ts(k.window()));
        upsert.setString(6, k.value());
        upsert.setLong(7, e.getValue().requests());
        upsert.setBytes(8, SliceCodec.encode(e.getValue()));
        upsert.addBatch();
      }
      upsert.executeBatch();
    }
    merged.keySet().forEach(k -> windows.add(k.window()));
    return windows;
  }

  /**
   * Creates the partitions that windows written from {@link #WRITE_HORIZON} ago (spans up to the
   * ingest's oldest accepted age) to {@link #AHEAD} from now fall into, for every resolution and
   * table, except those retention would drop at once. Rows without a partition land in each table's
   * default partition and are moved when theirs is created.
   */
  private void ensurePartitions(Connection c, Instant now) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT tierscope_ensure_partition(?, ?, ?)")) {
      for (int i = 0; i < settings.levels().size(); i++) {
        int res = settings.levels().get(i);
        Instant from = now.minus(WRITE_HORIZON);
        Duration keep = settings.retention().get(res);
        if (keep != null && now.minus(keep).isAfter(from)) {
          from = now.minus(keep);
        }
        // a day at a time: every partition spans whole days (the database knows how many)
        for (Instant at = floor(from, 86_400);
            at.isBefore(now.plus(AHEAD));
            at = at.plusSeconds(86_400)) {
          for (String table : TABLES) {
            ensure(st, table, res, at);
          }
          if (i == 0) {
            ensure(st, "window_exemplar", null, at);
          }
        }
      }
    }
  }

  private static void ensure(PreparedStatement st, String table, Integer res, Instant at)
      throws SQLException {
    st.setString(1, table);
    if (res == null) {
      st.setNull(2, java.sql.Types.INTEGER);
    } else {
      st.setInt(2, res);
    }
    st.setObject(3, ts(at));
    st.execute();
  }

  private long applyRetention(Connection c, Instant now, int[] partitionsDropped)
      throws SQLException {
    long deleted = 0;
    List<Integer> levels = settings.levels();
    for (int i = 0; i < levels.size(); i++) {
      int res = levels.get(i);
      Duration keep = settings.retention().get(res);
      if (keep == null) {
        continue;
      }
      Instant cutoff = now.minus(keep);
      if (i + 1 < levels.size()) {
        // Never delete what the next resolution does not cover yet.
        Instant covered = progress(c, levels.get(i + 1));
        if (covered == null) {
          continue;
        }
        if (covered.isBefore(cutoff)) {
          cutoff = covered;
        }
      }
      for (String table : TABLES) {
        partitionsDropped[0] += dropPartitions(c, table, res, cutoff);
        try (PreparedStatement st =
            c.prepareStatement(
                "DELETE FROM "
                    + table
                    + "_default WHERE resolution_seconds = ? AND window_start < ?")) {
          st.setInt(1, res);
          st.setObject(2, ts(cutoff));
          deleted += st.executeUpdate();
        }
      }
      if (i == 0) {
        partitionsDropped[0] += dropPartitions(c, "window_exemplar", null, cutoff);
        try (PreparedStatement st =
            c.prepareStatement("DELETE FROM window_exemplar_default WHERE window_start < ?")) {
          st.setObject(1, ts(cutoff));
          deleted += st.executeUpdate();
        }
      }
    }
    return deleted;
  }

  /** Drops the table's partitions of the resolution that end at or before {@code before}. */
  private static int dropPartitions(Connection c, String table, Integer res, Instant before)
      throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT tierscope_drop_partitions(?, ?, ?)")) {
      st.setString(1, table);
      if (res == null) {
        st.setNull(2, java.sql.Types.INTEGER);
      } else {
        st.setInt(2, res);
      }
      st.setObject(3, ts(before));
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  private static Instant progress(Connection c, int resolution) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT complete_before FROM rollup_progress WHERE resolution_seconds = ?")) {
      st.setInt(1, resolution);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getObject(1, OffsetDateTime.class).toInstant() : null;
      }
    }
  }

  private static void saveProgress(
      Connection c, int resolution, Instant completeBefore, OffsetDateTime rolledAt)
      throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "INSERT INTO rollup_progress (resolution_seconds, complete_before, rolled_at)"
                + " VALUES (?, ?, ?) ON CONFLICT (resolution_seconds) DO UPDATE SET"
                + " complete_before = EXCLUDED.complete_before, rolled_at = EXCLUDED.rolled_at")) {
      st.setInt(1, resolution);
      st.setObject(2, ts(completeBefore));
      st.setObject(3, rolledAt);
      st.executeUpdate();
    }
  }

  private static Instant earliest(Connection c, int resolution) throws SQLException {
    Instant min = null;
    for (String table : TABLES) {
      try (PreparedStatement st =
          c.prepareStatement(
              "SELECT min(window_start) FROM " + table + " WHERE resolution_seconds = ?")) {
        st.setInt(1, resolution);
        try (ResultSet rs = st.executeQuery()) {
          if (rs.next() && rs.getObject(1) != null) {
            Instant v = rs.getObject(1, OffsetDateTime.class).toInstant();
            if (min == null || v.isBefore(min)) {
              min = v;
            }
          }
        }
      }
    }
    return min;
  }

  private static OffsetDateTime dbNow(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT now()");
        ResultSet rs = st.executeQuery()) {
      rs.next();
      return rs.getObject(1, OffsetDateTime.class);
    }
  }

  private static boolean tryLock(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
      st.setLong(1, LOCK_KEY);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private static void unlock(Connection c) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT pg_advisory_unlock(?)")) {
      st.setLong(1, LOCK_KEY);
      st.execute();
    }
  }

  static Instant floor(Instant t, long seconds) {
    long s = Math.floorDiv(t.getEpochSecond(), seconds) * seconds;
    return Instant.ofEpochSecond(s);
  }

  private static OffsetDateTime ts(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }
}
