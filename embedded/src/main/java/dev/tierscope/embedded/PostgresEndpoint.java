package dev.tierscope.embedded;

import java.util.Objects;

/**
 * Where a PostgreSQL server can be reached: a JDBC URL plus credentials.
 *
 * @param jdbcUrl for example {@code jdbc:postgresql://localhost:5432/postgres}
 * @param user the user name
 * @param password the password, empty when the server does not ask for one
 */
public record PostgresEndpoint(String jdbcUrl, String user, String password) {

  public PostgresEndpoint {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
  }

  /** Leaves the password out. */
  @Override
  public String toString() {
    return "PostgresEndpoint[jdbcUrl=" + jdbcUrl + ", user=" + user + "]";
  }
}
