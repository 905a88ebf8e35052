package dev.tierscope.testsupport;

import java.util.Objects;

/**
 * A freshly created PostgreSQL schema that belongs to one test.
 *
 * @param jdbcUrl the server's JDBC URL with {@code currentSchema=<schema>}, so that unqualified
 *     table names (and Flyway's default schema) resolve to this schema
 * @param user the user name
 * @param password the password, possibly empty
 * @param schema the schema name: lowercase, unquoted-identifier safe
 */
public record DbSchema(String jdbcUrl, String user, String password, String schema) {

  public DbSchema {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(schema, "schema");
  }

  /** Leaves the password out. */
  @Override
  public String toString() {
    return "DbSchema[jdbcUrl=" + jdbcUrl + ", user=" + user + ", schema=" + schema + "]";
  }
}
