package dev.tierscope.store;

import dev.tierscope.core.store.CheckpointStoreContract;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** {@link PostgresCheckpointStore} against the checkpoint contract on a real PostgreSQL. */
class PostgresCheckpointStoreIT extends CheckpointStoreContract {

  private static MigratedSchema db;

  @BeforeAll
  static void migrateFreshSchema() {
    db = MigratedSchema.create("checkpoints", 4);
  }

  @AfterAll
  static void dropSchema() throws SQLException {
    if (db != null) {
      db.close();
    }
  }

  @Override
  protected Stores newStores() {
    return new Stores(
        new PostgresCheckpointStore(db.dataSource),
        new PostgresWindowReader(db.dataSource, 10),
        new PostgresExemplarReader(db.dataSource));
  }

  /** Writes this case's checkpoint rows back in time: the database's clock decides leases. */
  @Override
  protected void letTimePass(Duration d) {
    try (Connection c = db.dataSource.getConnection();
        PreparedStatement st =
            c.prepareStatement(
                "UPDATE partition_checkpoint SET updated_at = updated_at - ? * interval '1 ms'"
                    + " WHERE consumer_group = ?")) {
      st.setLong(1, d.toMillis());
      st.setString(2, group);
      st.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
