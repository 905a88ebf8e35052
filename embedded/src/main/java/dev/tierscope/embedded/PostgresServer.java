package dev.tierscope.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * A handle on the PostgreSQL server chosen by {@link PostgresServers}: either an existing server
 * named by the environment or an embedded one that this JVM started. Closing it stops the embedded
 * server (an existing server is left alone). An embedded server that is never closed is stopped by
 * a JVM shutdown hook.
 */
public final class PostgresServer implements AutoCloseable {

  private final PostgresEndpoint endpoint;
  private final EmbeddedPostgres embedded;

  PostgresServer(PostgresEndpoint endpoint, EmbeddedPostgres embedded) {
    this.endpoint = endpoint;
    this.embedded = embedded;
  }

  /** How to connect; the database is {@code postgres} for an embedded server. */
  public PostgresEndpoint endpoint() {
    return endpoint;
  }

  /** Whether this JVM started the server (as opposed to it being named by TIERSCOPE_DB_URL). */
  public boolean isEmbedded() {
    return embedded != null;
  }

  /** Stops an embedded server; idempotent; does nothing for an existing server. */
  @Override
  public void close() {
    if (embedded != null) {
      try {
        embedded.close();
      } catch (IOException e) {
        throw new UncheckedIOException("Could not stop the embedded PostgreSQL", e);
      }
    }
  }

  @Override
  public String toString() {
    return (isEmbedded() ? "embedded " : "external ") + endpoint;
  }
}
