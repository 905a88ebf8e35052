package dev.tierscope.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.store.Rollups;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Exemplar;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import org.HdrHistogram.Histogram;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The window tables are partitioned by resolution and time (V9): rows without a partition wait in
 * the default partition, the rollup job creates the partitions and moves them, retention drops
 * whole partitions and deletes only the rows of a partial one, and reads are exact throughout.
 */
class PostgresPartitionsIT {

  /** Windows are written from four days before NOW to NOW, one every 15 minutes. */
  private static final Instant NOW = Instant.parse("2026-11-20T06:00:00Z");

  private static final Instant FIRST = NOW.minus(Duration.ofDays(4));
  private static final String CLS = "interactive_premium";
  private static final String[] RAW_TABLES = {
    "window_histogram", "window_counter", "window_exemplar"
  };

  private final SplittableRandom random = new SplittableRandom(5);
  private final Histogram all = new Histogram(2);
  private long requests;
  private MigratedSchema db;

  @AfterEach
  void dropSchema() throws SQLException {
    if (db != null) {
      db.close();
    }
  }

  @Test
  void rollupsCreatePartitionsMoveDefaultRowsAndRetentionDropsWholeDays() throws SQLException {
    db = MigratedSchema.create("parts", 3);
    assertThat(partitionedTables())
        .containsExactlyInAnyOrder(
            "window_histogram", "window_counter", "window_slice", "window_exemplar");
    fill(new PostgresCheckpointStore(db.dataSource));
    // nothing has created a partition yet: every row waits in a default partition
    for (String t : RAW_TABLES) {
      assertThat(count(t + "_default", FIRST, NOW.plusSeconds(1))).as(t).isEqualTo(count(t));
    }
    long rawRows = rawRows(FIRST, NOW.plusSeconds(1));

    Rollups rollups = new PostgresRollups(db.dataSource, Rollups.Settings.defaults());
    Instant now1 = NOW.plus(Duration.ofMinutes(10));
    Rollups.Result first = rollups.run(now1);

    // Raw windows are kept two days: today's and the two days before have partitions now (the
    // oldest partly out of retention), the rows of those days moved out of the default partition.
    Instant today = Instant.parse("2026-11-20T00:00:00Z");
    for (String day : List.of("20261118", "20261119", "20261120", "20261121")) {
      assertThat(exists("window_histogram_r10_" + day)).as(day).isTrue();
      assertThat(exists("window_counter_r10_" + day)).as(day).isTrue();
      assertThat(exists("window_slice_r10_" + day)).as(day).isTrue();
      assertThat(exists("window_exemplar_" + day)).as(day).isTrue();
      assertThat(exists("window_histogram_r60_" + day)).as(day).isTrue();
    }
    assertThat(exists("window_histogram_r10_20261117")).isFalse();
    for (String t : RAW_TABLES) {
      assertThat(count(t + "_default", today.minus(Duration.ofDays(2)), NOW.plusSeconds(1)))
          .as(t)
          .isZero();
    }
    // What retention deleted one by one: the raw rows older than two days that had no partition
    // (the default partition's). No partition was old enough to drop: the oldest day's raw rows
    // older than two days stay until the whole day has expired.
    Instant cutoff1 = now1.minus(Duration.ofDays(2));
    Instant day1 = Instant.parse("2026-11-18T00:00:00Z");
    assertThat(first.partitionsDropped()).isZero();
    assertThat(first.rowsDeleted()).isEqualTo(rawRows - rawRows(day1, NOW.plusSeconds(1)));
    assertThat(rawRows(FIRST, day1)).isZero();
    assertThat(rawRows(day1, cutoff1)).isPositive();
    assertExactThroughTheRollups();

    // Two days later (no new windows): the partitions that ended before the cutoff go whole, the
    // partly expired day stays whole, nothing is deleted row by row.
    Instant now2 = now1.plus(Duration.ofDays(2));
    Instant cutoff2 = now2.minus(Duration.ofDays(2));
    long partial = rawRows(today, cutoff2);
    assertThat(partial).isPositive();
    Rollups.Result second = rollups.run(now2);
    assertThat(second.partitionsDropped())
        .as("two raw days of 3 raw tables and exemplars")
        .isEqualTo(8);
    assertThat(second.rowsDeleted()).isZero();
    assertThat(rawRows(today, cutoff2)).isEqualTo(partial);
    for (String day : List.of("20261118", "20261119")) {
      assertThat(exists("window_histogram_r10_" + day)).as(day).isFalse();
      assertThat(exists("window_slice_r10_" + day)).as(day).isFalse();
      assertThat(exists("window_exemplar_" + day)).as(day).isFalse();
      assertThat(exists("window_histogram_r60_" + day)).as("minutes are kept 35 days").isTrue();
    }
    assertThat(rawRows(FIRST, today)).isZero();
    assertExactThroughTheRollups();
  }

  @Test
  void concurrentCreatorsAndWritersMakeOnePartitionAndLoseNoRow() throws Exception {
    db = MigratedSchema.create("parts", 6);
    PostgresCheckpointStore store = new PostgresCheckpointStore(db.dataSource);
    CyclicBarrier start = new CyclicBarrier(5);
    List<CompletableFuture<?>> work = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      work.add(
          CompletableFuture.runAsync(
              () -> {
                try (Connection c = db.dataSource.getConnection();
                    PreparedStatement st =
                        c.prepareStatement(
                            "SELECT tierscope_ensure_partition('window_histogram', 10, ?)")) {
                  start.await();
                  st.setObject(1, OffsetDateTime.ofInstant(NOW, ZoneOffset.UTC));
                  st.execute();
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              }));
    }
    work.add(
        CompletableFuture.runAsync(
            () -> {
              try {
                start.await();
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
              for (int w = 0; w < 40; w++) {
                store.commit(
                    "g", 1, List.of(), List.of(delta(NOW.minusSeconds(3600).plusSeconds(w * 10))));
              }
            }));
    CompletableFuture.allOf(work.toArray(CompletableFuture[]::new)).join();

    assertThat(exists("window_histogram_r10_20261120")).isTrue();
    assertThat(count("window_histogram")).isEqualTo(40);
    assertThat(count("window_histogram_r10_20261120")).isEqualTo(40);
    assertThat(count("window_histogram_default")).isZero();
    assertExactThroughTheRollups(NOW.minusSeconds(3600), NOW);
  }

  @Test
  void migrationMovesTheRowsOfAnUnpartitionedStoreIntoPartitions() throws SQLException {
    db = MigratedSchema.empty("parts", 2);
    Flyway.configure()
        .dataSource(db.dataSource)
        .locations(Migrations.LOCATION)
        .target("8")
        .load()
        .migrate();
    assertThat(partitionedTables()).isEmpty();
    // Today's checkpoint also lists counter dimensions (V10), which a version-8 store lacks: the
    // table exists for the fill only, so that V10 has to list them again from the counters (the
    // exact reads below need them).
    execute(
        "CREATE TABLE counter_dimension (tenant text, traffic_class text, counter text,"
            + " dimension text, PRIMARY KEY (tenant, traffic_class, counter, dimension))");
    fill(new PostgresCheckpointStore(db.dataSource));
    execute("DROP TABLE counter_dimension");
    long histograms = count("window_histogram");
    long exemplars = count("window_exemplar");

    Migrations.migrate(db.dataSource);

    assertThat(partitionedTables()).hasSize(4);
    assertThat(count("window_histogram")).isEqualTo(histograms);
    assertThat(count("window_exemplar")).isEqualTo(exemplars);
    for (String t : RAW_TABLES) {
      assertThat(count(t + "_default")).as(t).isZero();
    }
    for (String day : List.of("20261116", "20261117", "20261118", "20261119", "20261120")) {
      assertThat(exists("window_histogram_r10_" + day)).as(day).isTrue();
      assertThat(exists("window_exemplar_" + day)).as(day).isTrue();
    }
    assertExactThroughTheRollups();
  }

  // --- helpers --------------------------------------------------------------------------------

  /** One window every 15 minutes from FIRST to NOW, each with a few requests and an exemplar. */
  private void fill(PostgresCheckpointStore store) {
    List<WindowDelta> deltas = new ArrayList<>();
    for (Instant w = FIRST; !w.isAfter(NOW); w = w.plus(Duration.ofMinutes(15))) {
      deltas.add(delta(w));
    }
    store.commit("g", 1, List.of(), deltas);
  }

  private WindowDelta delta(Instant window) {
    Histogram h = new Histogram(2);
    int n = 1 + random.nextInt(5);
    for (int i = 0; i < n; i++) {
      h.recordValue(50_000 + random.nextLong(3_000_000));
    }
    all.add(h);
    requests += n;
    return new WindowDelta(
        new WindowKey("default", CLS, window.toEpochMilli()),
        10_000,
        Map.of(Metric.TTFT, h),
        Map.of(CounterKey.of(Counter.REQUESTS), (long) n),
        List.of(new Exemplar(String.format("%032x", window.getEpochSecond()), h.getMaxValue())));
  }

  /** The whole range reads the same as what was written: through rollups or raw windows. */
  private void assertExactThroughTheRollups() {
    assertExactThroughTheRollups(FIRST, NOW.plusSeconds(60)); // whole minutes: raw windows expire
  }

  private void assertExactThroughTheRollups(Instant from, Instant to) {
    PostgresWindowReader reader =
        new PostgresWindowReader(
            db.dataSource, 10, Duration.ZERO, WindowReadMetrics.NONE, Clock.systemUTC());
    Histogram read =
        reader.merged("default", CLS, EnumSet.of(Metric.TTFT), from, to).get(Metric.TTFT);
    assertThat(read.getTotalCount()).isEqualTo(all.getTotalCount());
    for (double q : new double[] {50, 95, 99, 100}) {
      assertThat(read.getValueAtPercentile(q)).isEqualTo(all.getValueAtPercentile(q));
    }
    assertThat(reader.counters("default", CLS, from, to).get(CounterKey.of(Counter.REQUESTS)))
        .isEqualTo(requests);
  }

  /** Raw rows (10 s histograms, counters and exemplars) with a window start in [from, to). */
  private long rawRows(Instant from, Instant to) throws SQLException {
    long n = 0;
    for (String t : RAW_TABLES) {
      n += count(t, from, to);
    }
    return n;
  }

  private void execute(String sql) throws SQLException {
    try (Connection c = db.dataSource.getConnection();
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  private long count(String table) throws SQLException {
    return count(table, Instant.EPOCH, Instant.parse("2100-01-01T00:00:00Z"));
  }

  private long count(String table, Instant from, Instant to) throws SQLException {
    String raw = table.startsWith("window_exemplar") ? "" : " AND resolution_seconds = 10";
    try (Connection c = db.dataSource.getConnection();
        PreparedStatement st =
            c.prepareStatement(
                "SELECT count(*) FROM "
                    + table
                    + " WHERE window_start >= ? AND window_start < ?"
                    + raw)) {
      st.setObject(1, OffsetDateTime.ofInstant(from, ZoneOffset.UTC));
      st.setObject(2, OffsetDateTime.ofInstant(to, ZoneOffset.UTC));
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private boolean exists(String table) throws SQLException {
    try (Connection c = db.dataSource.getConnection();
        PreparedStatement st = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      st.setString(1, table);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    }
  }

  private List<String> partitionedTables() throws SQLException {
    List<String> names = new ArrayList<>();
    try (Connection c = db.dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid"
                    + " WHERE c.relnamespace = current_schema()::regnamespace")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }
}
