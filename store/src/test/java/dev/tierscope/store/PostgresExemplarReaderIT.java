package dev.tierscope.store;

import dev.tierscope.core.store.ExemplarReaderContract;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link PostgresExemplarReader} against the exemplar contract, on exemplars written through the
 * aggregator's own write path ({@link PostgresCheckpointStore#commit}) into a real PostgreSQL.
 */
class PostgresExemplarReaderIT extends ExemplarReaderContract {

  private static MigratedSchema db;

  @BeforeAll
  static void migrateFreshSchema() {
    db = MigratedSchema.create("exemplars", 2);
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
}
