package dev.tierscope.store;

import dev.tierscope.core.store.ExemplarReader;
import dev.tierscope.core.store.StoredExemplar;
import dev.tierscope.core.window.Exemplar;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * {@link ExemplarReader} on PostgreSQL: reads the exemplars the aggregator keeps for every raw
 * window (table {@code window_exemplar}), the trace ids of the slowest requests by TTFT, so that a
 * dashboard can go from a percentile to the traces behind it.
 *
 * <p>Why a reader of its own rather than a method of {@link PostgresWindowReader}: exemplars exist
 * for raw windows only (rollups keep none, and retention drops them with the raw windows), and a
 * query wants the slowest of a whole range, not a merge per interval. The primary key (tenant,
 * class, window start, trace id) makes the range an index scan; only the exemplars of the range are
 * sorted, at most {@value Exemplar#KEPT_PER_WINDOW} per window.
 *
 * <pre>{@code
 * ExemplarReader exemplars = new PostgresExemplarReader(dataSource);
 * List<StoredExemplar> slowest = exemplars.slowest("default", "interactive_premium", from, to, 20);
 * }</pre>
 */
public final class PostgresExemplarReader implements ExemplarReader {

  private static final String SLOWEST =
      "SELECT window_start, trace_id, ttft_micros, edge_micros, mesh_micros, model_micros,"
          + " queue_micros, mesh_role, client_path, protocol_fallback, retransmits"
          + " FROM window_exemplar"
          + " WHERE tenant = ? AND traffic_class = ? AND window_start >= ? AND window_start < ?"
          + " ORDER BY ttft_micros DESC, trace_id LIMIT ?";

  private final DataSource dataSource;

  public PostgresExemplarReader(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /**
   * {@inheritDoc}
   *
   * @throws StoreException when the database cannot be read
   */
  @Override
  public List<StoredExemplar> slowest(
      String tenant, String trafficClass, Instant from, Instant to, int limit) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, was " + limit);
    }
    if (!from.isBefore(to)) {
      return List.of();
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(SLOWEST)) {
      s.setString(1, tenant);
      s.setString(2, trafficClass);
      s.setObject(3, PostgresCheckpointStore.timestamp(from.toEpochMilli()));
      s.setObject(4, PostgresCheckpointStore.timestamp(to.toEpochMilli()));
      s.setInt(5, limit);
      List<StoredExemplar> out = new ArrayList<>();
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          out.add(
              new StoredExemplar(
                  r.getObject(1, OffsetDateTime.class).toInstant(),
                  new Exemplar(r.getString(2), r.getLong(3), breakdown(r))));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("reading the exemplars of " + trafficClass, e);
    }
  }

  /** The breakdown columns; rows written before they existed have none. */
  private static Exemplar.Breakdown breakdown(ResultSet r) throws SQLException {
    String meshRole = r.getString(8);
    if (meshRole == null) {
      return Exemplar.Breakdown.UNKNOWN;
    }
    String clientPath = r.getString(9);
    return new Exemplar.Breakdown(
        micros(r, 4),
        micros(r, 5),
        micros(r, 6),
        micros(r, 7),
        meshRole,
        clientPath == null ? "" : clientPath,
        r.getBoolean(10),
        r.getInt(11));
  }

  private static long micros(ResultSet r, int column) throws SQLException {
    long v = r.getLong(column);
    return r.wasNull() ? -1 : v;
  }
}
