package dev.tierscope.store;

import dev.tierscope.core.leader.LeaderElection;
import dev.tierscope.core.leader.Lease;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link LeaderElection} on PostgreSQL: a role is led by the instance whose database session holds
 * the role's advisory lock; {@code leader_term} numbers the leaderships.
 *
 * <p>Why a session-level advisory lock: PostgreSQL releases it when the session ends, however it
 * ends (the instance stopped, crashed, or lost its connection), so a successor takes over without a
 * lease timeout to tune, and two sessions can never hold it at once. The lock is taken with {@code
 * pg_try_advisory_lock(int, int)}: the first key is Tierscope's namespace for leader locks, the
 * second {@code hashtext(<schema>/<role>)} (the two-key space never overlaps the single-key locks,
 * such as the rollup job's). The schema is in the key because advisory locks are per database while
 * {@code leader_term} is per schema: two deployments in two schemas of one database each have their
 * leader. Each new leader raises the role's term in the same session; {@link #tryLead} on a held
 * role checks that the session is alive and the term unchanged.
 *
 * <p>The session is a connection taken from the pool and held for as long as the leadership lasts
 * (one connection per led role). On {@link #stepDown} the lock is released before the connection
 * goes back to the pool, so a pooled session never keeps a lock.
 *
 * <pre>{@code
 * try (PostgresLeaderElection election = new PostgresLeaderElection(dataSource, "api-7f3a")) {
 *   election.tryLead("alerting").ifPresent(lease -> ...);
 * }
 * }</pre>
 */
public final class PostgresLeaderElection implements LeaderElection {

  private static final Logger log = LoggerFactory.getLogger(PostgresLeaderElection.class);

  /** First advisory lock key of every leader lock: "TsLd". */
  static final int LOCK_NAMESPACE = 0x54734c64;

  /** Seconds a liveness check of a held session may take before the leadership counts as lost. */
  private static final int CHECK_TIMEOUT_SECONDS = 5;

  private record Held(Connection connection, Lease lease) {}

  private final DataSource dataSource;
  private final String holder;
  private final Map<String, Held> held = new HashMap<>();

  /**
   * @param holder this instance's name, recorded in {@code leader_term} (for people, not for the
   *     election)
   */
  public PostgresLeaderElection(DataSource dataSource, String holder) {
    if (holder == null || holder.isBlank()) {
      throw new IllegalArgumentException("holder must not be blank");
    }
    this.dataSource = dataSource;
    this.holder = holder;
  }

  @Override
  public synchronized Optional<Lease> tryLead(String role) {
    Lease.checkRole(role);
    Held h = held.get(role);
    if (h != null) {
      if (stillLeads(h)) {
        return Optional.of(h.lease());
      }
      log.warn("lost the leadership of {} (term {})", role, h.lease().term());
      held.remove(role);
      discard(h.connection());
    }
    Connection c = null;
    try {
      c = dataSource.getConnection();
      c.setAutoCommit(true);
      if (!tryLock(c, role)) {
        c.close();
        return Optional.empty();
      }
      long term = nextTerm(c, role);
      Lease lease = new Lease(role, term);
      held.put(role, new Held(c, lease));
      log.info("{} leads {} in term {}", holder, role, term);
      return Optional.of(lease);
    } catch (SQLException e) {
      if (c != null) {
        discard(c);
      }
      log.warn("could not try to lead {}: {}", role, e.toString());
      return Optional.empty();
    }
  }

  @Override
  public synchronized void stepDown(String role) {
    Held h = held.remove(role);
    if (h == null) {
      return;
    }
    try (PreparedStatement st =
        h.connection().prepareStatement("SELECT pg_advisory_unlock(?, hashtext(?))")) {
      st.setInt(1, LOCK_NAMESPACE);
      st.setString(2, lockKey(h.connection(), role));
      st.execute();
      h.connection().close();
      log.info("{} stepped down from {} (term {})", holder, role, h.lease().term());
    } catch (SQLException e) {
      // the session is broken: ending it releases the lock
      discard(h.connection());
    }
  }

  @Override
  public synchronized void close() {
    for (String role : List.copyOf(held.keySet())) {
      stepDown(role);
    }
  }

  /** The backend process id of the session holding {@code role}, or -1; for tests. */
  synchronized int sessionPid(String role) throws SQLException {
    Held h = held.get(role);
    if (h == null) {
      return -1;
    }
    try (PreparedStatement st = h.connection().prepareStatement("SELECT pg_backend_pid()");
        ResultSet rs = st.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private boolean stillLeads(Held h) {
    try (PreparedStatement st =
        h.connection().prepareStatement("SELECT term FROM leader_term WHERE role = ?")) {
      st.setQueryTimeout(CHECK_TIMEOUT_SECONDS);
      st.setString(1, h.lease().role());
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() && rs.getLong(1) == h.lease().term();
      }
    } catch (SQLException e) {
      return false;
    }
  }

  /** The lock's text key: the session's schema and the role. */
  private static String lockKey(Connection c, String role) throws SQLException {
    return c.getSchema() + "/" + role;
  }

  private static boolean tryLock(Connection c, String role) throws SQLException {
    try (PreparedStatement st = c.prepareStatement("SELECT pg_try_advisory_lock(?, hashtext(?))")) {
      st.setInt(1, LOCK_NAMESPACE);
      st.setString(2, lockKey(c, role));
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private long nextTerm(Connection c, String role) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "INSERT INTO leader_term (role, term, holder) VALUES (?, 1, ?)"
                + " ON CONFLICT (role) DO UPDATE SET term = leader_term.term + 1,"
                + " holder = EXCLUDED.holder, acquired_at = now() RETURNING term")) {
      st.setString(1, role);
      st.setString(2, holder);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * Ends a session that may still hold a lock: the physical connection is aborted (PostgreSQL
   * releases the locks of a session that ends), then handed back, so that the pool finds it dead
   * and replaces it instead of lending out a session that holds a lock.
   */
  private static void discard(Connection c) {
    try {
      c.abort(Runnable::run);
    } catch (SQLException | RuntimeException e) {
      // already unusable
    }
    try {
      c.close();
    } catch (SQLException | RuntimeException e) {
      // already unusable
    }
  }
}
