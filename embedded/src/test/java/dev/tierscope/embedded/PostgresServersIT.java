package dev.tierscope.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PostgresServersIT {

  @TempDir Path tmp;

  @Test
  void selectVersionWorks() throws Exception {
    long t0 = System.nanoTime();
    try (PostgresServer server = PostgresServers.open(null)) {
      System.out.printf(
          "%s ready in %d ms%n", server, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      assertThat(query(server.endpoint(), "select version()")).startsWith("PostgreSQL");
    }
  }

  @Test
  void embeddedServerKeepsDataInGivenDirectoryAcrossRestarts() throws Exception {
    Path dataDir = tmp.resolve("pg");
    try (PostgresServer server = PostgresServers.startEmbedded(dataDir)) {
      assertThat(server.isEmbedded()).isTrue();
      query(server.endpoint(), "create table kept(v text); insert into kept values ('yes')");
    }
    try (PostgresServer server = PostgresServers.startEmbedded(dataDir)) {
      assertThat(query(server.endpoint(), "select v from kept")).isEqualTo("yes");
    }
  }

  private static String query(PostgresEndpoint endpoint, String sql) throws Exception {
    try (Connection c =
            DriverManager.getConnection(endpoint.jdbcUrl(), endpoint.user(), endpoint.password());
        Statement s = c.createStatement()) {
      if (!s.execute(sql)) {
        return null;
      }
      try (ResultSet rs = s.getResultSet()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }
}
