package dev.tierscope.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
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

  @Test
  void theEmbeddedServerRequiresItsGeneratedPasswordNotTrust() throws Exception {
    try (PostgresServer server = PostgresServers.startEmbedded(null)) {
      PostgresEndpoint endpoint = server.endpoint();
      assertThat(endpoint.password()).hasSizeGreaterThanOrEqualTo(32);
      assertThat(query(endpoint, "select 'ok'")).isEqualTo("ok");
      assertThat(
              query(endpoint, "select count(*) from pg_hba_file_rules where auth_method = 'trust'"))
          .isEqualTo("0");
      assertThat(query(endpoint, "show listen_addresses")).isEqualTo("localhost");
      for (String wrong : List.of("", "postgres", endpoint.password() + "x")) {
        assertThatThrownBy(
                () ->
                    query(
                        new PostgresEndpoint(endpoint.jdbcUrl(), endpoint.user(), wrong),
                        "select 1"))
            .isInstanceOf(SQLException.class)
            .hasMessageContaining("password");
      }
    }
  }

  @Test
  void aPersistentServerKeepsItsPasswordInAFileOnlyItsOwnerReads() throws Exception {
    Path dataDir = tmp.resolve("kept");
    String first;
    try (PostgresServer server = PostgresServers.startEmbedded(dataDir)) {
      first = server.endpoint().password();
    }
    Path file = tmp.resolve("kept.password");
    assertThat(Files.readString(file).strip()).isEqualTo(first);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    try (PostgresServer server = PostgresServers.startEmbedded(dataDir)) {
      assertThat(server.endpoint().password()).isEqualTo(first);
      assertThat(query(server.endpoint(), "select 'again'")).isEqualTo("again");
    }
  }

  @Test
  void aDataDirectoryMadeWithTrustGetsAPasswordAtItsNextStart() throws Exception {
    Path dataDir = tmp.resolve("old");
    try (PostgresServer server = PostgresServers.startEmbedded(dataDir)) {
      query(server.endpoint(), "create table kept(v text); insert into kept values ('still')");
    }
    // as an earlier Tierscope left it: trust for everyone, no password file
    Path hba = dataDir.resolve("pg_hba.conf");
    Files.writeString(hba, Files.readString(hba).replaceAll("scram-sha-256", "trust"));
    Files.delete(tmp.resolve("old.password"));

    try (PostgresServer server = PostgresServers.startEmbedded(dataDir)) {
      PostgresEndpoint endpoint = server.endpoint();
      assertThat(query(endpoint, "select v from kept")).isEqualTo("still");
      assertThat(
              query(endpoint, "select count(*) from pg_hba_file_rules where auth_method = 'trust'"))
          .isEqualTo("0");
      assertThatThrownBy(
              () ->
                  query(new PostgresEndpoint(endpoint.jdbcUrl(), endpoint.user(), ""), "select 1"))
          .isInstanceOf(SQLException.class);
      assertThat(Files.readString(tmp.resolve("old.password")).strip())
          .isEqualTo(endpoint.password());
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
