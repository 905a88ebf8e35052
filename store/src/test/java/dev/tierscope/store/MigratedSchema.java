package dev.tierscope.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** A fresh schema of the test PostgreSQL, with a small pool; migrated to the latest version. */
final class MigratedSchema implements AutoCloseable {

  final DbSchema schema;
  final HikariDataSource dataSource;

  private MigratedSchema(DbSchema schema, HikariDataSource dataSource) {
    this.schema = schema;
    this.dataSource = dataSource;
  }

  static MigratedSchema create(String prefix, int poolSize) {
    MigratedSchema db = empty(prefix, poolSize);
    Migrations.migrate(db.dataSource);
    return db;
  }

  /** A fresh schema with no table yet. */
  static MigratedSchema empty(String prefix, int poolSize) {
    DbSchema schema = TestInfra.newSchema(prefix);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.jdbcUrl());
    config.setUsername(schema.user());
    config.setPassword(schema.password());
    config.setMaximumPoolSize(poolSize);
    config.setPoolName(prefix);
    return new MigratedSchema(schema, new HikariDataSource(config));
  }

  /** Closes the pool and drops the schema. */
  @Override
  public void close() throws SQLException {
    dataSource.close();
    try (Connection c = TestInfra.connect(schema);
        Statement s = c.createStatement()) {
      s.execute("drop schema " + schema.schema() + " cascade");
    }
  }
}
