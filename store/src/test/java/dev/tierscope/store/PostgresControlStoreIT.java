package dev.tierscope.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.core.control.ControlStore;
import dev.tierscope.core.leader.LeaderElection;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link PostgresControlStore} fenced by {@link PostgresLeaderElection} on a real PostgreSQL. */
class PostgresControlStoreIT extends ControlStoreContract {

  private static DbSchema schema;
  private static HikariDataSource dataSource;
  private static int instances;

  @BeforeAll
  static void migrateFreshSchema() {
    schema = TestInfra.newSchema("control_state");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.jdbcUrl());
    config.setUsername(schema.user());
    config.setPassword(schema.password());
    config.setMaximumPoolSize(6);
    dataSource = new HikariDataSource(config);
    Migrations.migrate(dataSource);
  }

  @AfterAll
  static void closeAndDropSchema() throws SQLException {
    if (dataSource != null) {
      dataSource.close();
    }
    if (schema != null) {
      try (Connection c = TestInfra.connect(schema);
          Statement s = c.createStatement()) {
        s.execute("drop schema " + schema.schema() + " cascade");
      }
    }
  }

  @Override
  protected LeaderElection newElection() {
    return new PostgresLeaderElection(dataSource, "instance-" + ++instances);
  }

  @Override
  protected ControlStore store() {
    return new PostgresControlStore(dataSource);
  }
}
