package dev.tierscope.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.core.leader.LeaderElection;
import dev.tierscope.core.leader.Lease;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresLeaderElection} against the leader election contract on a real PostgreSQL. Each
 * instance has a pool of its own, as separate processes would; a crash terminates the leader's
 * database session ({@code pg_terminate_backend}), as a dead process or network does.
 */
class PostgresLeaderElectionIT extends LeaderElectionContract {

  private static DbSchema schema;
  private static final java.util.List<HikariDataSource> pools = new java.util.ArrayList<>();
  private static int instances;

  @BeforeAll
  static void migrateFreshSchema() {
    schema = TestInfra.newSchema("leader");
    try (HikariDataSource ds = pool()) {
      Migrations.migrate(ds);
    }
  }

  @AfterAll
  static void closeAndDropSchema() throws SQLException {
    pools.forEach(HikariDataSource::close);
    if (schema != null) {
      try (Connection c = TestInfra.connect(schema);
          Statement s = c.createStatement()) {
        s.execute("drop schema " + schema.schema() + " cascade");
      }
    }
  }

  private static HikariDataSource pool() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.jdbcUrl());
    config.setUsername(schema.user());
    config.setPassword(schema.password());
    config.setMaximumPoolSize(3);
    config.setMinimumIdle(0);
    return new HikariDataSource(config);
  }

  @Override
  protected LeaderElection newInstance() {
    HikariDataSource ds = pool();
    pools.add(ds);
    return new PostgresLeaderElection(ds, "instance-" + ++instances);
  }

  @Override
  protected void crash(LeaderElection instance) throws SQLException {
    int pid = ((PostgresLeaderElection) instance).sessionPid(role);
    assertThat(pid).as("the instance holds a session for " + role).isPositive();
    try (Connection c = TestInfra.connect(schema);
        PreparedStatement st = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
      st.setInt(1, pid);
      try (ResultSet rs = st.executeQuery()) {
        assertThat(rs.next() && rs.getBoolean(1)).isTrue();
      }
    }
    // pg_terminate_backend only signals the backend; the crash is complete (its advisory locks
    // released) once the session is gone, which on a loaded machine can take a moment.
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
    try (Connection c = TestInfra.connect(schema);
        PreparedStatement st =
            c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ?")) {
      st.setInt(1, pid);
      while (true) {
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          if (rs.getLong(1) == 0) {
            return;
          }
        }
        assertThat(System.nanoTime())
            .as("session %d gone after termination", pid)
            .isLessThan(deadline);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
      }
    }
  }

  @Test
  void theTermIsRecordedWithItsHolderAndPooledSessionsKeepNoLock() throws SQLException {
    PostgresLeaderElection a = (PostgresLeaderElection) newInstance();
    Lease lease = a.tryLead(role).orElseThrow();
    try (Connection c = TestInfra.connect(schema);
        PreparedStatement st =
            c.prepareStatement(
                "SELECT term, holder FROM " + schema.schema() + ".leader_term WHERE role = ?")) {
      st.setString(1, role);
      try (ResultSet rs = st.executeQuery()) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getLong(1)).isEqualTo(lease.term());
        assertThat(rs.getString(2)).startsWith("instance-");
      }
    }
    a.close();
    // every session of the pool is back and none of them holds an advisory lock of this role
    try (Connection c = TestInfra.connect(schema);
        PreparedStatement st =
            c.prepareStatement(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = (?::int4)::oid"
                    + " AND objid = hashtext(?)::oid")) {
      st.setInt(1, PostgresLeaderElection.LOCK_NAMESPACE);
      st.setString(2, schema.schema() + "/" + role); // the lock's key: schema and role
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        assertThat(rs.getLong(1)).isZero();
      }
    }
  }
}
