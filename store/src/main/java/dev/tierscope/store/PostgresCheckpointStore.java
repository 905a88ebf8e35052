package dev.tierscope.store;

import dev.tierscope.core.store.CheckpointStore;
import dev.tierscope.core.store.Claim;
import dev.tierscope.core.store.Claimant;
import dev.tierscope.core.store.FencedException;
import dev.tierscope.core.store.PartitionCheckpoint;
import dev.tierscope.core.store.RefusedDelta;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Dimension;
import dev.tierscope.core.window.Exemplar;
import dev.tierscope.core.window.HistogramCodec;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.Slice;
import dev.tierscope.core.window.SliceCodec;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;

/**
 * {@link CheckpointStore} on PostgreSQL: one transaction per checkpoint merges the window deltas
 * (histograms decoded, merged and re-encoded under a row lock; counters added in SQL) and each
 * class's all-time totals, and writes each partition's offset and snapshot, guarded by the claim
 * epoch of the partition's row.
 *
 * <p>Time for claims is the database's: a row's {@code updated_at} is set with {@code now()} by
 * every claim and commit, and a claimant's lease is measured against {@code now()}, so instances
 * with skewed clocks agree on whether an owner still looks alive.
 *
 * <p>Rows are locked in a fixed order (partitions, then window keys, then class totals) so that two
 * instances merging into the same windows and totals cannot deadlock.
 *
 * <p>Data failures are kept apart from outages. A statement PostgreSQL refuses for its data (SQL
 * state class {@code 22}, data exception: a NUL character, a sum beyond {@code bigint}; class
 * {@code 54}, program limit exceeded: an index row too large) fails the first attempt; the
 * transaction is then written again with a savepoint around each delta, the refused deltas are
 * rolled back to their savepoint and returned ({@link RefusedDelta}), and everything else commits
 * together with the checkpoints, the class totals taking exactly the deltas the windows took. Any
 * other failure (connection, timeout, serialization) writes nothing and throws {@link
 * StoreException}: the caller retries.
 */
public final class PostgresCheckpointStore implements CheckpointStore {

  private static final Comparator<WindowDelta> DELTA_ORDER =
      Comparator.comparing((WindowDelta d) -> d.key().tenant())
          .thenComparing(d -> d.key().trafficClass())
          .thenComparingLong(d -> d.key().windowStartEpochMillis());

  /** Past this many, the dimensions known to be registered are forgotten (and registered again). */
  private static final int MAX_KNOWN_DIMENSIONS = 1_000_000;

  private final DataSource dataSource;

  /**
   * (tenant, class, counter, dimension) known to be in {@code counter_dimension}: added only after
   * the transaction that registered them committed, so that a key is registered again until one
   * has.
   */
  private final Set<String> knownDimensions = ConcurrentHashMap.newKeySet();

  public PostgresCheckpointStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Map<Integer, Claim> claim(
      String group, String topic, Collection<Integer> partitions, Claimant claimant) {
    Map<Integer, Claim> out = new TreeMap<>();
    if (partitions.isEmpty()) {
      return out;
    }
    Integer[] ids = partitions.stream().distinct().sorted().toArray(Integer[]::new);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        try (PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO partition_checkpoint (consumer_group, topic, partition_id, generation)"
                    + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
          for (int p : ids) {
            insert.setString(1, group);
            insert.setString(2, topic);
            insert.setInt(3, p);
            insert.setInt(4, claimant.generation());
            insert.addBatch();
          }
          insert.executeBatch();
        }
        Array idArray = c.createArrayOf("integer", ids);
        // Locked in partition order; the lease is measured in database time, one clock for every
        // instance whatever their own clocks say.
        try (PreparedStatement select =
            c.prepareStatement(
                "SELECT partition_id, owner, generation,"
                    + " (extract(epoch FROM now() - updated_at) * 1000)::bigint"
                    + " FROM partition_checkpoint"
                    + " WHERE consumer_group = ? AND topic = ? AND partition_id = ANY (?)"
                    + " ORDER BY partition_id FOR UPDATE")) {
          select.setString(1, group);
          select.setString(2, topic);
          select.setArray(3, idArray);
          try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
              int partition = rs.getInt(1);
              String owner = rs.getString(2);
              int generation = rs.getInt(3);
              long writtenAgoMillis = rs.getLong(4);
              if (owner != null
                  && !owner.equals(claimant.owner())
                  && generation > claimant.generation()
                  && writtenAgoMillis < claimant.lease().toMillis()) {
                throw new FencedException(
                    "partition "
                        + topic
                        + "-"
                        + partition
                        + " is held by "
                        + owner
                        + " with generation "
                        + generation
                        + ", written "
                        + writtenAgoMillis
                        + " ms ago; "
                        + claimant.owner()
                        + " has generation "
                        + claimant.generation());
              }
            }
          }
        }
        try (PreparedStatement update =
            c.prepareStatement(
                "UPDATE partition_checkpoint SET claim_epoch = claim_epoch + 1, owner = ?,"
                    + " generation = ?, updated_at = now()"
                    + " WHERE consumer_group = ? AND topic = ? AND partition_id = ANY (?)"
                    + " RETURNING partition_id, claim_epoch, next_offset, snapshot")) {
          update.setString(1, claimant.owner());
          update.setInt(2, claimant.generation());
          update.setString(3, group);
          update.setString(4, topic);
          update.setArray(5, idArray);
          try (ResultSet rs = update.executeQuery()) {
            while (rs.next()) {
              out.put(rs.getInt(1), claimOf(rs, topic));
            }
          }
        }
        c.commit();
        return out;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("claiming partitions " + partitions + " of " + topic, e);
    }
  }

  /** A claim from a row of (partition_id, claim_epoch, next_offset, snapshot). */
  private static Claim claimOf(ResultSet rs, String topic) throws SQLException {
    int partition = rs.getInt(1);
    long epoch = rs.getLong(2);
    long next = rs.getLong(3);
    PartitionCheckpoint cp =
        rs.wasNull()
            ? null
            : new PartitionCheckpoint(topic, partition, epoch, next, rs.getBytes(4));
    return new Claim(topic, partition, epoch, cp);
  }

  @Override
  public Map<Integer, Claim> resume(String group, String topic, Map<Integer, Long> epochs) {
    Map<Integer, Claim> out = new TreeMap<>();
    if (epochs.isEmpty()) {
      return out;
    }
    Integer[] ids = epochs.keySet().stream().sorted().toArray(Integer[]::new);
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "SELECT partition_id, claim_epoch, next_offset, snapshot, owner"
                    + " FROM partition_checkpoint"
                    + " WHERE consumer_group = ? AND topic = ? AND partition_id = ANY (?)")) {
      select.setString(1, group);
      select.setString(2, topic);
      select.setArray(3, c.createArrayOf("integer", ids));
      try (ResultSet rs = select.executeQuery()) {
        while (rs.next()) {
          int partition = rs.getInt(1);
          if (rs.getString(5) != null && rs.getLong(2) == epochs.get(partition)) {
            out.put(partition, claimOf(rs, topic));
          }
        }
      }
    } catch (SQLException e) {
      throw new StoreException("reading back partitions " + epochs.keySet() + " of " + topic, e);
    }
    for (Map.Entry<Integer, Long> e : epochs.entrySet()) {
      if (!out.containsKey(e.getKey())) {
        throw new FencedException(notHeld(topic, e.getKey(), e.getValue()));
      }
    }
    return out;
  }

  @Override
  public void release(String group, String topic, Map<Integer, Long> epochs) {
    if (epochs.isEmpty()) {
      return;
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (PreparedStatement update =
          c.prepareStatement(
              "UPDATE partition_checkpoint SET owner = NULL WHERE consumer_group = ? AND topic = ?"
                  + " AND partition_id = ? AND claim_epoch = ?")) {
        for (Map.Entry<Integer, Long> e : new TreeMap<>(epochs).entrySet()) {
          update.setString(1, group);
          update.setString(2, topic);
          update.setInt(3, e.getKey());
          update.setLong(4, e.getValue());
          update.addBatch();
        }
        update.executeBatch();
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException("releasing partitions " + epochs.keySet() + " of " + topic, e);
    }
  }

  private static String notHeld(String topic, int partition, long epoch) {
    return "partition "
        + topic
        + "-"
        + partition
        + " is no longer held with claim epoch "
        + epoch
        + ": a later claim took it";
  }

  @Override
  public List<RefusedDelta> commit(
      String group,
      int generation,
      List<PartitionCheckpoint> checkpoints,
      List<WindowDelta> deltas) {
    List<WindowDelta> sorted = new ArrayList<>(deltas);
    sorted.sort(DELTA_ORDER);
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        writeCheckpoints(c, group, generation, checkpoints);
        mergeHistograms(c, sorted);
        Set<String> registered = registerDimensions(c, sorted);
        addCounters(c, sorted);
        addExemplars(c, sorted);
        mergeSlices(c, sorted);
        addToTotals(c, sorted);
        c.commit();
        if (knownDimensions.size() + registered.size() > MAX_KNOWN_DIMENSIONS) {
          knownDimensions.clear();
        }
        knownDimensions.addAll(registered);
        return List.of();
      } catch (SQLException e) {
        c.rollback();
        if (!isDataError(e)) {
          throw e;
        }
      } catch (RuntimeException e) {
        c.rollback();
        throw e;
      }
      // The data of some delta was refused: write each delta under its own savepoint.
      try {
        List<RefusedDelta> refused = commitIsolating(c, group, generation, checkpoints, sorted);
        c.commit();
        return refused;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new StoreException(
          "committing a checkpoint of " + checkpoints.size() + " partitions", e);
    }
  }

  /**
   * True for a failure caused by the data written, which writing it again cannot cure: SQL state
   * class 22 (data exception) or 54 (program limit exceeded).
   */
  static boolean isDataError(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s && s.getSQLState() != null) {
        String state = s.getSQLState();
        if (state.startsWith("22") || state.startsWith("54")) {
          return true;
        }
      }
    }
    SQLException next = e.getNextException();
    return next != null && next != e && isDataError(next);
  }

  private List<RefusedDelta> commitIsolating(
      Connection c,
      String group,
      int generation,
      List<PartitionCheckpoint> checkpoints,
      List<WindowDelta> sorted)
      throws SQLException {
    writeCheckpoints(c, group, generation, checkpoints);
    List<RefusedDelta> refused = new ArrayList<>();
    List<WindowDelta> accepted = new ArrayList<>(sorted.size());
    for (WindowDelta d : sorted) {
      java.sql.Savepoint before = c.setSavepoint();
      try {
        List<WindowDelta> one = List.of(d);
        mergeHistograms(c, one);
        registerDimensions(c, one);
        addCounters(c, one);
        addExemplars(c, one);
        mergeSlices(c, one);
        c.releaseSavepoint(before);
      } catch (SQLException e) {
        if (!isDataError(e)) {
          throw e;
        }
        c.rollback(before);
        refused.add(new RefusedDelta(d.key(), e.getMessage()));
        continue;
      }
      accepted.add(d);
    }
    // the totals take exactly the deltas the windows took
    addToTotals(c, accepted);
    return refused;
  }

  private static void writeCheckpoints(
      Connection c, String group, int generation, List<PartitionCheckpoint> checkpoints)
      throws SQLException {
    List<PartitionCheckpoint> sorted = new ArrayList<>(checkpoints);
    sorted.sort(
        Comparator.comparing(PartitionCheckpoint::topic)
            .thenComparingInt(PartitionCheckpoint::partition));
    try (PreparedStatement update =
        c.prepareStatement(
            "UPDATE partition_checkpoint SET next_offset = ?, snapshot = ?, generation = ?,"
                + " updated_at = now() WHERE consumer_group = ? AND topic = ? AND partition_id = ?"
                + " AND claim_epoch = ? AND owner IS NOT NULL")) {
      for (PartitionCheckpoint p : sorted) {
        update.setLong(1, p.nextOffset());
        update.setBytes(2, p.snapshot());
        update.setInt(3, generation);
        update.setString(4, group);
        update.setString(5, p.topic());
        update.setInt(6, p.partition());
        update.setLong(7, p.claimEpoch());
        if (update.executeUpdate() != 1) {
          throw new FencedException(
              "checkpoint refused: " + notHeld(p.topic(), p.partition(), p.claimEpoch()));
        }
      }
    }
  }

  /**
   * Merges each delta's histograms into {@code window_histogram}: per window one statement locks
   * the rows that exist (in metric id order, the same in every instance), then one batch updates
   * them with the merged histograms and one batch inserts the new ones; an insert that finds its
   * row taken by a concurrent instance is merged into that row under its lock ({@link #mergeOne}).
   * Three round trips per window instead of two per histogram: the windows gained histograms (fan
   * out, stream continuity) and the checkpoint's time went with them.
   */
  private static void mergeHistograms(Connection c, List<WindowDelta> deltas) throws SQLException {
    try (HistogramCodec.Merger merger = new HistogramCodec.Merger();
        PreparedStatement select =
            c.prepareStatement(
                "SELECT metric, histogram FROM window_histogram WHERE tenant = ? AND traffic_class"
                    + " = ? AND metric = ANY (?) AND resolution_seconds = ? AND window_start = ?"
                    + " ORDER BY metric FOR UPDATE");
        PreparedStatement selectOne =
            c.prepareStatement(
                "SELECT histogram FROM window_histogram WHERE tenant = ? AND traffic_class = ?"
                    + " AND metric = ? AND resolution_seconds = ? AND window_start = ? FOR UPDATE");
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO window_histogram (tenant, traffic_class, metric, resolution_seconds,"
                    + " window_start, value_count, p50_micros, p90_micros, p95_micros, p99_micros,"
                    + " max_micros, histogram) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    + " ON CONFLICT DO NOTHING");
        PreparedStatement update =
            c.prepareStatement(
                "UPDATE window_histogram SET value_count = ?, p50_micros = ?, p90_micros = ?,"
                    + " p95_micros = ?, p99_micros = ?, max_micros = ?, histogram = ?,"
                    + " updated_at = now() WHERE tenant = ? AND traffic_class = ? AND metric = ?"
                    + " AND resolution_seconds = ? AND window_start = ?")) {
      for (WindowDelta d : deltas) {
        TreeMap<String, Metric> ordered = new TreeMap<>();
        for (Metric m : Metric.values()) {
          Histogram h = d.histograms().get(m);
          if (h != null && h.getTotalCount() > 0) {
            ordered.put(m.id(), m);
          }
        }
        if (ordered.isEmpty()) {
          continue;
        }
        WindowKey k = d.key();
        int resolution = (int) (d.windowMillis() / 1000);
        OffsetDateTime start = timestamp(k.windowStartEpochMillis());
        Map<String, byte[]> existing = new java.util.HashMap<>();
        select.setString(1, k.tenant());
        select.setString(2, k.trafficClass());
        select.setArray(3, c.createArrayOf("text", ordered.keySet().toArray()));
        select.setInt(4, resolution);
        select.setObject(5, start);
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            existing.put(rs.getString(1), rs.getBytes(2));
          }
        }
        List<Metric> inserted = new ArrayList<>();
        boolean updated = false;
        for (Metric m : ordered.values()) {
          Histogram delta = d.histograms().get(m);
          byte[] stored = existing.get(m.id());
          if (stored != null) {
            Histogram merged = merger.add(null, stored);
            merged.add(delta);
            setStats(update, 1, merged);
            bindHistogramKey(update, 8, k, m, resolution, start);
            update.addBatch();
            updated = true;
          } else {
            bindHistogramKey(insert, 1, k, m, resolution, start);
            setStats(insert, 6, delta);
            insert.addBatch();
            inserted.add(m);
          }
        }
        if (updated) {
          update.executeBatch();
        }
        if (inserted.isEmpty()) {
          continue;
        }
        int[] counts = insert.executeBatch();
        for (int i = 0; i < counts.length; i++) {
          if (counts[i] == 0) {
            // Another instance inserted this row since our SELECT: merge into it under its lock.
            Metric m = inserted.get(i);
            mergeOne(selectOne, insert, update, k, m, resolution, start, d.histograms().get(m));
          }
        }
      }
    }
  }

  /** Binds tenant, class, metric, resolution and window start from {@code first} on. */
  private static void bindHistogramKey(
      PreparedStatement st, int first, WindowKey k, Metric m, int resolution, OffsetDateTime start)
      throws SQLException {
    bindWindowRowKey(st, first, k, m.id(), resolution, start);
  }

  /**
   * Binds tenant, class, the row's metric or dimension id, resolution and window start from {@code
   * first} on: the key that window histograms and slices share.
   */
  private static void bindWindowRowKey(
      PreparedStatement st, int first, WindowKey k, String id, int resolution, OffsetDateTime start)
      throws SQLException {
    st.setString(first, k.tenant());
    st.setString(first + 1, k.trafficClass());
    st.setString(first + 2, id);
    st.setInt(first + 3, resolution);
    st.setObject(first + 4, start);
  }

  private static void mergeOne(
      PreparedStatement select,
      PreparedStatement insert,
      PreparedStatement update,
      WindowKey k,
      Metric m,
      int resolution,
      OffsetDateTime start,
      Histogram delta)
      throws SQLException {
    // Two tries: if another instance inserts the row between our SELECT and INSERT, the INSERT
    // does nothing and the second SELECT ... FOR UPDATE finds (and locks) its row.
    for (int attempt = 0; attempt < 2; attempt++) {
      bindHistogramKey(select, 1, k, m, resolution, start);
      byte[] existing = null;
      try (ResultSet rs = select.executeQuery()) {
        if (rs.next()) {
          existing = rs.getBytes(1);
        }
      }
      if (existing != null) {
        Histogram merged = HistogramCodec.decode(existing);
        merged.add(delta);
        setStats(update, 1, merged);
        bindHistogramKey(update, 8, k, m, resolution, start);
        update.executeUpdate();
        return;
      }
      bindHistogramKey(insert, 1, k, m, resolution, start);
      setStats(insert, 6, delta);
      if (insert.executeUpdate() == 1) {
        return;
      }
    }
    throw new StoreException(
        "could not merge histogram " + m.id() + " of " + k, new SQLException("row vanished"));
  }

  /** Sets count, p50, p90, p95, p99, max and the encoded histogram from {@code first} on. */
  private static void setStats(PreparedStatement st, int first, Histogram h) throws SQLException {
    st.setLong(first, h.getTotalCount());
    st.setLong(first + 1, h.getValueAtPercentile(50));
    st.setLong(first + 2, h.getValueAtPercentile(90));
    st.setLong(first + 3, h.getValueAtPercentile(95));
    st.setLong(first + 4, h.getValueAtPercentile(99));
    st.setLong(first + 5, h.getMaxValue());
    st.setBytes(first + 6, HistogramCodec.encode(h));
  }

  /**
   * Lists in {@code counter_dimension} each (tenant, class, counter, dimension) of the deltas not
   * known to be there yet (the reads find a counter's dimensions there); the keys it wrote, to be
   * remembered once the transaction commits. In key order, so that concurrent instances lock in the
   * same order.
   */
  private Set<String> registerDimensions(Connection c, List<WindowDelta> deltas)
      throws SQLException {
    TreeMap<String, String[]> missing = new TreeMap<>();
    for (WindowDelta d : deltas) {
      for (CounterKey counter : d.counters().keySet()) {
        String key =
            d.key().tenant()
                + '\u0000'
                + d.key().trafficClass()
                + '\u0000'
                + counter.counter().id()
                + '\u0000'
                + counter.dimension();
        if (!knownDimensions.contains(key)) {
          missing.putIfAbsent(
              key,
              new String[] {
                d.key().tenant(),
                d.key().trafficClass(),
                counter.counter().id(),
                counter.dimension()
              });
        }
      }
    }
    if (missing.isEmpty()) {
      return Set.of();
    }
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO counter_dimension (tenant, traffic_class, counter, dimension)"
                + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
      for (String[] k : missing.values()) {
        for (int i = 0; i < 4; i++) {
          insert.setString(i + 1, k[i]);
        }
        insert.addBatch();
      }
      insert.executeBatch();
    }
    return missing.keySet();
  }

  private static void addCounters(Connection c, List<WindowDelta> deltas) throws SQLException {
    try (PreparedStatement upsert =
        c.prepareStatement(
            "INSERT INTO window_counter (tenant, traffic_class, counter, dimension,"
                + " resolution_seconds, window_start, value) VALUES (?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (tenant, traffic_class, counter, dimension, resolution_seconds,"
                + " window_start) DO UPDATE SET value = window_counter.value + EXCLUDED.value,"
                + " updated_at = now()")) {
      int batched = 0;
      for (WindowDelta d : deltas) {
        WindowKey k = d.key();
        OffsetDateTime start = timestamp(k.windowStartEpochMillis());
        // Sorted so concurrent instances lock counter rows in the same order.
        TreeMap<String, Map.Entry<CounterKey, Long>> ordered = new TreeMap<>();
        for (Map.Entry<CounterKey, Long> e : d.counters().entrySet()) {
          ordered.put(e.getKey().counter().id() + '\u0000' + e.getKey().dimension(), e);
        }
        for (Map.Entry<CounterKey, Long> e : ordered.values()) {
          upsert.setString(1, k.tenant());
          upsert.setString(2, k.trafficClass());
          upsert.setString(3, e.getKey().counter().id());
          upsert.setString(4, e.getKey().dimension());
          upsert.setInt(5, (int) (d.windowMillis() / 1000));
          upsert.setObject(6, start);
          upsert.setLong(7, e.getValue());
          upsert.addBatch();
          batched++;
        }
      }
      if (batched > 0) {
        upsert.executeBatch();
      }
    }
  }

  /** Keeps the slowest {@value Exemplar#KEPT_PER_WINDOW} requests of each window across deltas. */
  private static void addExemplars(Connection c, List<WindowDelta> deltas) throws SQLException {
    boolean any = false;
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO window_exemplar (tenant, traffic_class, window_start, trace_id,"
                + " ttft_micros, edge_micros, mesh_micros, model_micros, queue_micros, mesh_role,"
                + " client_path, protocol_fallback, retransmits)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
      for (WindowDelta d : deltas) {
        for (Exemplar e : d.exemplars()) {
          insert.setString(1, d.key().tenant());
          insert.setString(2, d.key().trafficClass());
          insert.setObject(3, timestamp(d.key().windowStartEpochMillis()));
          insert.setString(4, e.traceId());
          insert.setLong(5, e.ttftMicros());
          Exemplar.Breakdown b = e.breakdown();
          boolean known = !b.equals(Exemplar.Breakdown.UNKNOWN);
          micros(insert, 6, b.edgeMicros());
          micros(insert, 7, b.meshMicros());
          micros(insert, 8, b.modelMicros());
          micros(insert, 9, b.queueMicros());
          insert.setString(10, known ? b.meshRole() : null);
          insert.setString(11, known ? b.clientPath() : null);
          insert.setObject(12, known ? b.protocolFallback() : null, Types.BOOLEAN);
          insert.setObject(13, known ? b.retransmits() : null, Types.INTEGER);
          insert.addBatch();
          any = true;
        }
      }
      if (!any) {
        return;
      }
      insert.executeBatch();
    }
    try (PreparedStatement trim =
        c.prepareStatement(
            "DELETE FROM window_exemplar e WHERE tenant = ? AND traffic_class = ?"
                + " AND window_start = ? AND trace_id NOT IN (SELECT trace_id FROM window_exemplar"
                + " WHERE tenant = e.tenant AND traffic_class = e.traffic_class"
                + " AND window_start = e.window_start ORDER BY ttft_micros DESC, trace_id"
                + " LIMIT "
                + Exemplar.KEPT_PER_WINDOW
                + ")")) {
      for (WindowDelta d : deltas) {
        if (d.exemplars().isEmpty()) {
          continue;
        }
        trim.setString(1, d.key().tenant());
        trim.setString(2, d.key().trafficClass());
        trim.setObject(3, timestamp(d.key().windowStartEpochMillis()));
        trim.addBatch();
      }
      trim.executeBatch();
    }
  }

  /**
   * Merges each delta's breakdown slices into {@code window_slice}: per window one statement locks
   * the rows that exist (in key order), then one batch updates them with the merged slices and one
   * batch inserts the new ones. An insert that finds its row taken by a concurrent instance is
   * merged into that row under its lock.
   */
  private static void mergeSlices(Connection c, List<WindowDelta> deltas) throws SQLException {
    try (PreparedStatement select =
            c.prepareStatement(
                "SELECT dimension, dimension_value, slice FROM window_slice WHERE tenant = ?"
                    + " AND traffic_class = ? AND dimension = ANY (?) AND resolution_seconds = ?"
                    + " AND window_start = ? ORDER BY dimension, dimension_value FOR UPDATE");
        PreparedStatement selectOne =
            c.prepareStatement(
                "SELECT slice FROM window_slice WHERE tenant = ? AND traffic_class = ?"
                    + " AND dimension = ? AND resolution_seconds = ? AND window_start = ?"
                    + " AND dimension_value = ? FOR UPDATE");
        PreparedStatement update =
            c.prepareStatement(
                "UPDATE window_slice SET requests = ?, slice = ?, updated_at = now()"
                    + " WHERE tenant = ? AND traffic_class = ? AND dimension = ?"
                    + " AND resolution_seconds = ? AND window_start = ? AND dimension_value = ?");
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO window_slice (tenant, traffic_class, dimension, resolution_seconds,"
                    + " window_start, dimension_value, requests, slice)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
      for (WindowDelta d : deltas) {
        if (d.slices().isEmpty()) {
          continue;
        }
        WindowKey k = d.key();
        int resolution = (int) (d.windowMillis() / 1000);
        OffsetDateTime start = timestamp(k.windowStartEpochMillis());
        record SliceKey(String dimension, String value) {}
        TreeMap<String, TreeMap<String, Slice>> ordered = new TreeMap<>();
        for (Slice s : d.slices()) {
          ordered.computeIfAbsent(s.dimension().id(), x -> new TreeMap<>()).put(s.value(), s);
        }
        Map<SliceKey, Slice> existing = new java.util.HashMap<>();
        select.setString(1, k.tenant());
        select.setString(2, k.trafficClass());
        select.setArray(3, c.createArrayOf("text", ordered.keySet().toArray()));
        select.setInt(4, resolution);
        select.setObject(5, start);
        try (ResultSet rs = select.executeQuery()) {
          while (rs.next()) {
            Dimension dim = Dimension.fromId(rs.getString(1));
            if (dim != null) {
              existing.put(
                  new SliceKey(rs.getString(1), rs.getString(2)),
                  SliceCodec.decode(dim, rs.getString(2), rs.getBytes(3)));
            }
          }
        }
        List<Slice> inserted = new ArrayList<>();
        for (TreeMap<String, Slice> byValue : ordered.values()) {
          for (Slice s : byValue.values()) {
            Slice stored = existing.get(new SliceKey(s.dimension().id(), s.value()));
            if (stored != null) {
              stored.add(s);
              bindSlice(update, 1, stored);
              bindSliceKey(update, 3, k, s, resolution, start);
              update.addBatch();
            } else {
              bindSliceKey(insert, 1, k, s, resolution, start);
              bindSlice(insert, 7, s);
              insert.addBatch();
              inserted.add(s);
            }
          }
        }
        update.executeBatch();
        if (inserted.isEmpty()) {
          continue;
        }
        int[] counts = insert.executeBatch();
        for (int i = 0; i < counts.length; i++) {
          if (counts[i] != 0) {
            continue;
          }
          // Another instance inserted this row since our SELECT: merge into it under its lock.
          Slice s = inserted.get(i);
          bindSliceKey(selectOne, 1, k, s, resolution, start);
          Slice stored;
          try (ResultSet rs = selectOne.executeQuery()) {
            if (!rs.next()) {
              throw new StoreException(
                  "could not merge slice " + s.dimension().id() + "=" + s.value() + " of " + k,
                  new SQLException("row vanished"));
            }
            stored = SliceCodec.decode(s.dimension(), s.value(), rs.getBytes(1));
          }
          stored.add(s);
          bindSlice(update, 1, stored);
          bindSliceKey(update, 3, k, s, resolution, start);
          update.executeUpdate();
        }
      }
    }
  }

  /** Binds requests and the encoded slice from {@code first} on. */
  private static void bindSlice(PreparedStatement st, int first, Slice s) throws SQLException {
    st.setLong(first, s.requests());
    st.setBytes(first + 1, SliceCodec.encode(s));
  }

  /** Binds tenant, class, dimension, resolution, window start and value from {@code first} on. */
  private static void bindSliceKey(
      PreparedStatement st, int first, WindowKey k, Slice s, int resolution, OffsetDateTime start)
      throws SQLException {
    bindWindowRowKey(st, first, k, s.dimension().id(), resolution, start);
    st.setString(first + 5, s.value());
  }

  /** A duration in microseconds, NULL when unknown (negative). */
  private static void micros(PreparedStatement s, int index, long micros) throws SQLException {
    if (micros < 0) {
      s.setNull(index, Types.BIGINT);
    } else {
      s.setLong(index, micros);
    }
  }

  /**
   * Merges the deltas of each class into its all-time totals ({@code total_histogram}, {@code
   * total_counter}), after every window row: rows are locked in table order, then by tenant, class
   * and metric or counter, the same order in every transaction.
   */
  private static void addToTotals(Connection c, List<WindowDelta> sorted) throws SQLException {
    record ClassKey(String tenant, String trafficClass) {}
    Map<ClassKey, Map<Metric, Histogram>> histograms = new LinkedHashMap<>();
    Map<ClassKey, TreeMap<String, Map.Entry<CounterKey, Long>>> counters = new LinkedHashMap<>();
    for (WindowDelta d : sorted) {
      ClassKey k = new ClassKey(d.key().tenant(), d.key().trafficClass());
      Map<Metric, Histogram> byMetric =
          histograms.computeIfAbsent(k, x -> new EnumMap<>(Metric.class));
      d.histograms()
          .forEach(
              (m, h) -> {
                if (h.getTotalCount() == 0) {
                  return;
                }
                Histogram into = byMetric.get(m);
                if (into == null) {
                  into = h.copy();
                  into.setAutoResize(true);
                  byMetric.put(m, into);
                } else {
                  into.add(h);
                }
              });
      TreeMap<String, Map.Entry<CounterKey, Long>> byCounter =
          counters.computeIfAbsent(k, x -> new TreeMap<>());
      d.counters()
          .forEach(
              (ck, v) -> {
                if (v != 0) {
                  byCounter.merge(
                      ck.counter().id() + '\u0000' + ck.dimension(),
                      Map.entry(ck, v),
                      (a, b) -> Map.entry(ck, a.getValue() + b.getValue()));
                }
              });
    }
    try (PreparedStatement select =
            c.prepareStatement(
                "SELECT histogram FROM total_histogram WHERE tenant = ? AND traffic_class = ?"
                    + " AND metric = ? FOR UPDATE");
        PreparedStatement insert =
            c.prepareStatement(
                "INSERT INTO total_histogram (tenant, traffic_class, metric, value_count,"
                    + " histogram) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING");
        PreparedStatement update =
            c.prepareStatement(
                "UPDATE total_histogram SET value_count = ?, histogram = ?, updated_at = now()"
                    + " WHERE tenant = ? AND traffic_class = ? AND metric = ?")) {
      for (Map.Entry<ClassKey, Map<Metric, Histogram>> e : histograms.entrySet()) {
        for (Map.Entry<Metric, Histogram> m : e.getValue().entrySet()) {
          mergeTotal(select, insert, update, e.getKey().tenant(), e.getKey().trafficClass(), m);
        }
      }
    }
    try (PreparedStatement upsert =
        c.prepareStatement(
            "INSERT INTO total_counter (tenant, traffic_class, counter, dimension, value)"
                + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (tenant, traffic_class, counter, dimension)"
                + " DO UPDATE SET value = total_counter.value + EXCLUDED.value,"
                + " updated_at = now()")) {
      int batched = 0;
      for (Map.Entry<ClassKey, TreeMap<String, Map.Entry<CounterKey, Long>>> e :
          counters.entrySet()) {
        for (Map.Entry<CounterKey, Long> v : e.getValue().values()) {
          upsert.setString(1, e.getKey().tenant());
          upsert.setString(2, e.getKey().trafficClass());
          upsert.setString(3, v.getKey().counter().id());
          upsert.setString(4, v.getKey().dimension());
          upsert.setLong(5, v.getValue());
          upsert.addBatch();
          batched++;
        }
      }
      if (batched > 0) {
        upsert.executeBatch();
      }
    }
  }

  private static void mergeTotal(
      PreparedStatement select,
      PreparedStatement insert,
      PreparedStatement update,
      String tenant,
      String trafficClass,
      Map.Entry<Metric, Histogram> delta)
      throws SQLException {
    String metric = delta.getKey().id();
    // Two tries, as for window rows: a concurrent first insert makes ours do nothing.
    for (int attempt = 0; attempt < 2; attempt++) {
      select.setString(1, tenant);
      select.setString(2, trafficClass);
      select.setString(3, metric);
      byte[] existing = null;
      try (ResultSet rs = select.executeQuery()) {
        if (rs.next()) {
          existing = rs.getBytes(1);
        }
      }
      if (existing != null) {
        Histogram merged = HistogramCodec.decode(existing);
        merged.add(delta.getValue());
        update.setLong(1, merged.getTotalCount());
        update.setBytes(2, HistogramCodec.encode(merged));
        update.setString(3, tenant);
        update.setString(4, trafficClass);
        update.setString(5, metric);
        update.executeUpdate();
        return;
      }
      insert.setString(1, tenant);
      insert.setString(2, trafficClass);
      insert.setString(3, metric);
      insert.setLong(4, delta.getValue().getTotalCount());
      insert.setBytes(5, HistogramCodec.encode(delta.getValue()));
      if (insert.executeUpdate() == 1) {
        return;
      }
    }
    throw new StoreException(
        "could not merge the total " + metric + " of " + tenant + "/" + trafficClass,
        new SQLException("row vanished"));
  }

  static OffsetDateTime timestamp(long epochMillis) {
    return OffsetDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneOffset.UTC);
  }
}
