package dev.tierscope.store;

import dev.tierscope.core.alerting.AlertKey;
import dev.tierscope.core.alerting.AlertState;
import dev.tierscope.core.alerting.AlertStateStore;
import dev.tierscope.core.alerting.AlertStatus;
import dev.tierscope.core.leader.Lease;
import dev.tierscope.core.slo.Sli;
import dev.tierscope.core.store.FencedException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * {@link AlertStateStore} on PostgreSQL ({@code alert_state}), fenced by {@code leader_term}: a
 * save first takes a share lock on the role's term row and compares it with the lease, so a new
 * leader's term (an update of that row) waits for a save in flight and every later save of the old
 * term is refused.
 */
public final class PostgresAlertStateStore implements AlertStateStore {

  private final DataSource dataSource;

  public PostgresAlertStateStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Map<AlertKey, AlertState> load() {
    Map<AlertKey, AlertState> out = new LinkedHashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement st =
            c.prepareStatement(
                "SELECT tenant, traffic_class, sli, severity, status, starts_at, ends_at,"
                    + " pushed_at, webhook_status, annotation_keys, annotation_values"
                    + " FROM alert_state ORDER BY tenant, traffic_class, sli, severity");
        ResultSet rs = st.executeQuery()) {
      while (rs.next()) {
        Sli sli = Sli.fromId(rs.getString(3));
        if (sli == null) {
          continue; // written by a newer version
        }
        AlertKey key = new AlertKey(rs.getString(1), rs.getString(2), sli, rs.getString(4));
        String[] keys = (String[]) rs.getArray(10).getArray();
        String[] values = (String[]) rs.getArray(11).getArray();
        Map<String, String> annotations = new LinkedHashMap<>();
        for (int i = 0; i < keys.length && i < values.length; i++) {
          annotations.put(keys[i], values[i]);
        }
        String webhook = rs.getString(9);
        out.put(
            key,
            new AlertState(
                key,
                AlertStatus.fromId(rs.getString(5)),
                instant(rs, 6),
                instant(rs, 7),
                instant(rs, 8),
                webhook == null ? null : AlertStatus.fromId(webhook),
                annotations));
      }
    } catch (SQLException e) {
      throw new StoreException("reading alert state", e);
    }
    return out;
  }

  @Override
  public void save(Lease lease, Collection<AlertState> states, Collection<AlertKey> removed) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        fence(c, lease);
        upsert(c, lease, states);
        delete(c, removed);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new StoreException("saving the state of " + states.size() + " alerts", e);
    }
  }

  private static void fence(Connection c, Lease lease) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement("SELECT term FROM leader_term WHERE role = ? FOR SHARE")) {
      st.setString(1, lease.role());
      try (ResultSet rs = st.executeQuery()) {
        long current = rs.next() ? rs.getLong(1) : 0;
        if (current != lease.term()) {
          throw new FencedException(
              "alert state of term "
                  + lease.term()
                  + " refused: "
                  + lease.role()
                  + " is in term "
                  + current);
        }
      }
    }
  }

  private static void upsert(Connection c, Lease lease, Collection<AlertState> states)
      throws SQLException {
    if (states.isEmpty()) {
      return;
    }
    try (PreparedStatement st =
        c.prepareStatement(
            "INSERT INTO alert_state (tenant, traffic_class, sli, severity, status, starts_at,"
                + " ends_at, pushed_at, webhook_status, annotation_keys, annotation_values,"
                + " updated_term) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (tenant, traffic_class, sli, severity) DO UPDATE SET"
                + " status = EXCLUDED.status, starts_at = EXCLUDED.starts_at,"
                + " ends_at = EXCLUDED.ends_at, pushed_at = EXCLUDED.pushed_at,"
                + " webhook_status = EXCLUDED.webhook_status,"
                + " annotation_keys = EXCLUDED.annotation_keys,"
                + " annotation_values = EXCLUDED.annotation_values,"
                + " updated_term = EXCLUDED.updated_term, updated_at = now()")) {
      for (AlertState s : states) {
        AlertKey k = s.key();
        st.setString(1, k.tenant());
        st.setString(2, k.trafficClass());
        st.setString(3, k.sli().id());
        st.setString(4, k.severity());
        st.setString(5, s.status().id());
        st.setObject(6, timestamp(s.startsAt()));
        st.setObject(7, timestamp(s.endsAt()));
        st.setObject(8, timestamp(s.pushedAt()));
        st.setString(9, s.webhookStatus() == null ? null : s.webhookStatus().id());
        List<String> keys = new ArrayList<>(s.annotations().keySet());
        List<String> values = new ArrayList<>(s.annotations().values());
        Array ka = c.createArrayOf("text", keys.toArray());
        Array va = c.createArrayOf("text", values.toArray());
        st.setArray(10, ka);
        st.setArray(11, va);
        st.setLong(12, lease.term());
        st.addBatch();
      }
      st.executeBatch();
    }
  }

  private static void delete(Connection c, Collection<AlertKey> removed) throws SQLException {
    if (removed.isEmpty()) {
      return;
    }
    try (PreparedStatement st =
        c.prepareStatement(
            "DELETE FROM alert_state WHERE tenant = ? AND traffic_class = ? AND sli = ?"
                + " AND severity = ?")) {
      for (AlertKey k : removed) {
        st.setString(1, k.tenant());
        st.setString(2, k.trafficClass());
        st.setString(3, k.sli().id());
        st.setString(4, k.severity());
        st.addBatch();
      }
      st.executeBatch();
    }
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static OffsetDateTime timestamp(Instant t) {
    return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }
}
