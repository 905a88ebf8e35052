package dev.tierscope.store;

import dev.tierscope.core.attribution.Tier;
import dev.tierscope.core.control.Action;
import dev.tierscope.core.control.ClassReading;
import dev.tierscope.core.control.ControlSignal;
import dev.tierscope.core.control.ControlState;
import dev.tierscope.core.control.ControlStore;
import dev.tierscope.core.control.Evidence;
import dev.tierscope.core.leader.Lease;
import dev.tierscope.core.store.FencedException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;

/**
 * {@link ControlStore} on PostgreSQL ({@code control_state}, {@code control_signal}), fenced by
 * {@code leader_term} as the alert state is: a save takes a share lock on the role's term row and
 * compares it with the lease, so a new leader's term waits for a save in flight and every later
 * save of the old term is refused.
 */
public final class PostgresControlStore implements ControlStore {

  private static final String SIGNAL_COLUMNS =
      "s.tenant, s.traffic_class, s.action, s.degradation_level, s.since, s.evaluated_at,"
          + " s.expires_at, s.mesh_level, s.mesh_since, s.reasons, s.requests, s.ttft_count,"
          + " s.ttft_p95_micros, s.threshold_micros, s.burn_rate, s.queue_share, s.verdict,"
          + " s.peak_burn_rate, s.peak_queue_share,"
          + " c.rung, c.rungs, c.trigger_class, c.cause, c.baseline_rps, c.rps, c.window_from,"
          + " c.window_to";

  private final DataSource dataSource;

  public PostgresControlStore(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Map<String, ControlState> states() {
    Map<String, ControlState> out = new TreeMap<>();
    Map<String, Map<String, ControlState.ClassState>> classes = new TreeMap<>();
    try (Connection c = dataSource.getConnection()) {
      try (PreparedStatement st =
              c.prepareStatement(
                  "SELECT tenant, traffic_class, action, degradation_level, since, mesh_level,"
                      + " mesh_since FROM control_signal ORDER BY tenant, traffic_class");
          ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          classes
              .computeIfAbsent(rs.getString(1), t -> new LinkedHashMap<>())
              .put(
                  rs.getString(2),
                  new ControlState.ClassState(
                      rs.getInt(6),
                      instant(rs, 7),
                      Action.fromId(rs.getString(3)),
                      rs.getInt(4),
                      instant(rs, 5)));
        }
      }
      try (PreparedStatement st =
              c.prepareStatement(
                  "SELECT tenant, rung, rung_since, trigger_class, cause, baseline_rps"
                      + " FROM control_state ORDER BY tenant");
          ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          String tenant = rs.getString(1);
          out.put(
              tenant,
              new ControlState(
                  tenant,
                  rs.getInt(2),
                  instant(rs, 3),
                  rs.getString(4),
                  tier(rs.getString(5)),
                  rs.getDouble(6),
                  classes.getOrDefault(tenant, Map.of())));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("reading the control state", e);
    }
    return out;
  }

  @Override
  public void save(Lease lease, ControlState state, List<ControlSignal> signals) {
    for (ControlSignal s : signals) {
      if (!s.tenant().equals(state.tenant())) {
        throw new IllegalArgumentException(
            "signal of " + s.tenant() + " saved with the state of " + state.tenant());
      }
    }
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        fence(c, lease);
        upsertState(c, lease, state, signals);
        upsertSignals(c, lease, state, signals);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(true);
      }
    } catch (SQLException e) {
      throw new StoreException("saving the control state of " + state.tenant(), e);
    }
  }

  @Override
  public List<ControlSignal> signals(String tenant) {
    String sql =
        "SELECT "
            + SIGNAL_COLUMNS
            + " FROM control_signal s JOIN control_state c ON c.tenant = s.tenant"
            + (tenant == null ? "" : " WHERE s.tenant = ?")
            + " ORDER BY s.tenant, s.traffic_class";
    List<Row> rows = new ArrayList<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement st = c.prepareStatement(sql)) {
      if (tenant != null) {
        st.setString(1, tenant);
      }
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          rows.add(row(rs));
        }
      }
    } catch (SQLException e) {
      throw new StoreException("reading the control signals", e);
    }
    Map<String, ClassReading> readings = new TreeMap<>();
    for (Row r : rows) {
      readings.put(r.tenant + "\u0000" + r.reading.trafficClass(), r.reading);
    }
    List<ControlSignal> out = new ArrayList<>(rows.size());
    for (Row r : rows) {
      ClassReading trigger =
          r.rung == 0 ? null : readings.get(r.tenant + "\u0000" + r.triggerClass);
      out.add(
          new ControlSignal(
              r.tenant,
              r.reading.trafficClass(),
              r.action,
              r.level,
              r.since,
              r.evaluatedAt,
              r.expiresAt,
              r.reasons,
              new Evidence(
                  r.rung,
                  r.rungs,
                  r.triggerClass,
                  r.cause,
                  r.windowFrom,
                  r.windowTo,
                  trigger,
                  r.reading.requests() == 0 ? null : r.reading,
                  r.rps,
                  r.baselineRps)));
    }
    return out;
  }

  /** One joined row of {@code signals}. */
  private record Row(
      String tenant,
      Action action,
      int level,
      Instant since,
      Instant evaluatedAt,
      Instant expiresAt,
      List<String> reasons,
      ClassReading reading,
      int rung,
      int rungs,
      String triggerClass,
      Tier cause,
      double baselineRps,
      double rps,
      Instant windowFrom,
      Instant windowTo) {}

  private static Row row(ResultSet rs) throws SQLException {
    String[] reasons = (String[]) rs.getArray(10).getArray();
    return new Row(
        rs.getString(1),
        Action.fromId(rs.getString(3)),
        rs.getInt(4),
        instant(rs, 5),
        instant(rs, 6),
        instant(rs, 7),
        Arrays.asList(reasons),
        new ClassReading(
            rs.getString(2),
            rs.getLong(11),
            rs.getLong(12),
            rs.getLong(13),
            rs.getLong(14),
            rs.getDouble(15),
            rs.getDouble(18),
            rs.getDouble(16),
            rs.getDouble(19),
            tier(rs.getString(17))),
        rs.getInt(20),
        rs.getInt(21),
        rs.getString(22),
        tier(rs.getString(23)),
        rs.getDouble(24),
        rs.getDouble(25),
        instant(rs, 26),
        instant(rs, 27));
  }

  private static void fence(Connection c, Lease lease) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement("SELECT term FROM leader_term WHERE role = ? FOR SHARE")) {
      st.setString(1, lease.role());
      try (ResultSet rs = st.executeQuery()) {
        long current = rs.next() ? rs.getLong(1) : 0;
        if (current != lease.term()) {
          throw new FencedException(
              "control state of term "
                  + lease.term()
                  + " refused: "
                  + lease.role()
                  + " is in term "
                  + current);
        }
      }
    }
  }

  private static void upsertState(
      Connection c, Lease lease, ControlState state, List<ControlSignal> signals)
      throws SQLException {
    Evidence e = signals.isEmpty() ? null : signals.get(0).evidence();
    Instant evaluatedAt = signals.isEmpty() ? state.rungSince() : signals.get(0).evaluatedAt();
    try (PreparedStatement st =
        c.prepareStatement(
            "INSERT INTO control_state (tenant, rung, rungs, rung_since, trigger_class, cause,"
                + " baseline_rps, rps, window_from, window_to, evaluated_at, updated_term)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (tenant) DO UPDATE SET rung = EXCLUDED.rung,"
                + " rungs = EXCLUDED.rungs, rung_since = EXCLUDED.rung_since,"
                + " trigger_class = EXCLUDED.trigger_class, cause = EXCLUDED.cause,"
                + " baseline_rps = EXCLUDED.baseline_rps, rps = EXCLUDED.rps,"
                + " window_from = EXCLUDED.window_from, window_to = EXCLUDED.window_to,"
                + " evaluated_at = EXCLUDED.evaluated_at, updated_term = EXCLUDED.updated_term,"
                + " updated_at = now()")) {
      st.setString(1, state.tenant());
      st.setInt(2, state.rung());
      st.setInt(3, e == null ? 0 : e.rungs());
      st.setObject(4, timestamp(state.rungSince()));
      st.setString(5, state.triggerClass());
      st.setString(6, state.cause() == null ? null : state.cause().id());
      st.setDouble(7, state.baselineRequestsPerSecond());
      st.setDouble(8, e == null ? 0 : e.requestsPerSecond());
      st.setObject(9, timestamp(e == null ? evaluatedAt : e.windowFrom()));
      st.setObject(10, timestamp(e == null ? evaluatedAt : e.windowTo()));
      st.setObject(11, timestamp(evaluatedAt));
      st.setLong(12, lease.term());
      st.executeUpdate();
    }
  }

  private static void upsertSignals(
      Connection c, Lease lease, ControlState state, List<ControlSignal> signals)
      throws SQLException {
    List<String> classes = new ArrayList<>();
    try (PreparedStatement st =
        c.prepareStatement(
            "INSERT INTO control_signal (tenant, traffic_class, action, degradation_level, since,"
                + " evaluated_at, expires_at, mesh_level, mesh_since, reasons, requests,"
                + " ttft_count, ttft_p95_micros, threshold_micros, burn_rate, queue_share,"
                + " verdict, updated_term, peak_burn_rate, peak_queue_share)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                + " ON CONFLICT (tenant, traffic_class) DO UPDATE SET action = EXCLUDED.action,"
                + " degradation_level = EXCLUDED.degradation_level, since = EXCLUDED.since,"
                + " evaluated_at = EXCLUDED.evaluated_at, expires_at = EXCLUDED.expires_at,"
                + " mesh_level = EXCLUDED.mesh_level, mesh_since = EXCLUDED.mesh_since,"
                + " reasons = EXCLUDED.reasons, requests = EXCLUDED.requests,"
                + " ttft_count = EXCLUDED.ttft_count, ttft_p95_micros = EXCLUDED.ttft_p95_micros,"
                + " threshold_micros = EXCLUDED.threshold_micros,"
                + " burn_rate = EXCLUDED.burn_rate, queue_share = EXCLUDED.queue_share,"
                + " verdict = EXCLUDED.verdict, updated_term = EXCLUDED.updated_term,"
                + " peak_burn_rate = EXCLUDED.peak_burn_rate,"
                + " peak_queue_share = EXCLUDED.peak_queue_share")) {
      for (ControlSignal s : signals) {
        ControlState.ClassState cs = state.classes().get(s.trafficClass());
        ClassReading r = s.evidence().own();
        st.setString(1, s.tenant());
        st.setString(2, s.trafficClass());
        st.setString(3, s.action().id());
        st.setInt(4, s.degradationLevel());
        st.setObject(5, timestamp(s.since()));
        st.setObject(6, timestamp(s.evaluatedAt()));
        st.setObject(7, timestamp(s.expiresAt()));
        st.setInt(8, cs == null ? 0 : cs.meshLevel());
        st.setObject(9, timestamp(cs == null ? s.since() : cs.meshSince()));
        st.setArray(10, c.createArrayOf("text", s.reasons().toArray()));
        st.setLong(11, r == null ? 0 : r.requests());
        st.setLong(12, r == null ? 0 : r.ttftCount());
        st.setLong(13, r == null ? 0 : r.ttftP95Micros());
        st.setLong(14, r == null ? 0 : r.thresholdMicros());
        st.setDouble(15, r == null ? 0 : r.burnRate());
        st.setDouble(16, r == null ? 0 : r.queueShare());
        st.setString(17, r == null || r.verdict() == null ? null : r.verdict().id());
        st.setLong(18, lease.term());
        st.setDouble(19, r == null ? 0 : r.peakBurnRate());
        st.setDouble(20, r == null ? 0 : r.peakQueueShare());
        st.addBatch();
        classes.add(s.trafficClass());
      }
      st.executeBatch();
    }
    try (PreparedStatement st =
        c.prepareStatement(
            "DELETE FROM control_signal WHERE tenant = ? AND NOT (traffic_class = ANY (?))")) {
      st.setString(1, state.tenant());
      st.setArray(2, c.createArrayOf("text", classes.toArray()));
      st.executeUpdate();
    }
  }

  private static Tier tier(String id) {
    if (id == null) {
      return null;
    }
    for (Tier t : Tier.values()) {
      if (t.id().equals(id)) {
        return t;
      }
    }
    return null; // written by a newer version
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static OffsetDateTime timestamp(Instant t) {
    return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }
}
