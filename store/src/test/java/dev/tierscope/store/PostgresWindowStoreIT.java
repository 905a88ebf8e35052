package dev.tierscope.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.core.store.PartitionCheckpoint;
import dev.tierscope.core.store.WindowStoreContract;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresCheckpointStore} and {@link PostgresWindowReader} against the window contract on a
 * real PostgreSQL (one fresh, migrated schema for the class), plus what only a database can get
 * wrong: the precomputed columns of a window row, and concurrent instances merging into the same
 * rows.
 */
class PostgresWindowStoreIT extends WindowStoreContract {

  private static DbSchema schema;
  private static HikariDataSource dataSource;

  @BeforeAll
  static void migrateFreshSchema() {
    schema = TestInfra.newSchema("store");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.jdbcUrl());
    config.setUsername(schema.user());
    config.setPassword(schema.password());
    config.setMaximumPoolSize(4);
    config.setPoolName("store-it");
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
  protected Stores newStores() {
    return new Stores(
        new PostgresCheckpointStore(dataSource),
        new PostgresWindowReader(dataSource, 10),
        new PostgresExemplarReader(dataSource));
  }

  @Test
  void precomputedColumnsEqualMergedHistogramAfterTwoMerges() throws SQLException {
    SplittableRandom random = new SplittableRandom(23);
    long[] first = ttftMicros(random, 250);
    long[] second = ttftMicros(random, 150);
    second[0] = 6_400_000;
    checkpoints.claim(group, topic, List.of(0), 1);
    checkpoints.commit(
        group,
        1,
        List.of(checkpoint(0, 250, bytes(1))),
        List.of(delta(window(4), Map.of(Metric.TTFT, histogram(first)), Map.of())));
    checkpoints.commit(
        group,
        1,
        List.of(checkpoint(0, 400, bytes(2))),
        List.of(delta(window(4), Map.of(Metric.TTFT, histogram(second)), Map.of())));

    Histogram expected = histogram(first, second);
    Histogram merged =
        reader.merged(tenant, CLASS, EnumSet.of(Metric.TTFT), from(4), to(5)).get(Metric.TTFT);
    assertSameDistribution(merged, expected);

    try (Connection c = dataSource.getConnection();
        PreparedStatement st =
            c.prepareStatement(
                "SELECT value_count, p50_micros, p90_micros, p95_micros, p99_micros, max_micros,"
                    + " resolution_seconds FROM window_histogram WHERE tenant = ?"
                    + " AND traffic_class = ? AND metric = ? AND window_start = ?")) {
      st.setString(1, tenant);
      st.setString(2, CLASS);
      st.setString(3, Metric.TTFT.id());
      st.setObject(4, OffsetDateTime.ofInstant(from(4), ZoneOffset.UTC));
      try (ResultSet rs = st.executeQuery()) {
        assertThat(rs.next()).as("one row for the window").isTrue();
        assertThat(rs.getLong("value_count")).isEqualTo(400).isEqualTo(merged.getTotalCount());
        assertThat(rs.getLong("p50_micros")).isEqualTo(merged.getValueAtPercentile(50));
        assertThat(rs.getLong("p90_micros")).isEqualTo(merged.getValueAtPercentile(90));
        assertThat(rs.getLong("p95_micros")).isEqualTo(merged.getValueAtPercentile(95));
        assertThat(rs.getLong("p99_micros")).isEqualTo(merged.getValueAtPercentile(99));
        assertThat(rs.getLong("max_micros"))
            .isEqualTo(merged.getMaxValue())
            .isEqualTo(expected.getMaxValue())
            .isGreaterThanOrEqualTo(6_400_000);
        assertThat(rs.getInt("resolution_seconds")).isEqualTo(10);
        assertThat(rs.next()).as("only one row for the window").isFalse();
      }
    }
  }

  /**
   * Two aggregator instances (partitions 0 and 1 of one group) commit 20 times each into the same
   * three windows at the same time, naming the windows in opposite orders: every value and count
   * arrives exactly once and neither instance fails.
   */
  @Test
  void concurrentCommitsFromTwoInstancesLoseNothing() throws Exception {
    int commits = 20;
    int windows = 3;
    checkpoints.claim(group, topic, List.of(0, 1), 1);

    // values per instance, commit, window; and the expected totals per window
    long[][][][] ttft = new long[2][commits][windows][];
    long[][][][] e2e = new long[2][commits][windows][];
    Histogram[] expectedTtft = new Histogram[windows];
    Histogram[] expectedE2e = new Histogram[windows];
    for (int w = 0; w < windows; w++) {
      expectedTtft[w] = new Histogram(2);
      expectedE2e[w] = new Histogram(2);
    }
    SplittableRandom random = new SplittableRandom(42);
    for (int i = 0; i < 2; i++) {
      for (int n = 0; n < commits; n++) {
        for (int w = 0; w < windows; w++) {
          ttft[i][n][w] = ttftMicros(random, 7);
          e2e[i][n][w] = e2eMicros(random, 4);
          expectedTtft[w].add(histogram(ttft[i][n][w]));
          expectedE2e[w].add(histogram(e2e[i][n][w]));
        }
      }
    }

    CyclicBarrier start = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Void>> done = new ArrayList<>();
      for (int instance = 0; instance < 2; instance++) {
        int i = instance;
        Callable<Void> aggregator =
            () -> {
              start.await(30, TimeUnit.SECONDS);
              for (int n = 0; n < commits; n++) {
                List<WindowDelta> deltas = new ArrayList<>();
                for (int w = 0; w < windows; w++) {
                  deltas.add(
                      delta(
                          window(w),
                          Map.of(
                              Metric.TTFT, histogram(ttft[i][n][w]),
                              Metric.E2E, histogram(e2e[i][n][w])),
                          Map.of(
                              CounterKey.of(Counter.REQUESTS),
                              7L,
                              new CounterKey(Counter.INPUT_TOKENS, "shared-workflow"),
                              1_000L,
                              new CounterKey(Counter.INPUT_TOKENS, "workflow-" + i),
                              10L)));
                }
                if (i == 1) {
                  Collections.reverse(deltas);
                }
                checkpoints.commit(
                    group, 1, List.of(checkpoint(i, (n + 1) * 100L, bytes(n))), deltas);
              }
              return null;
            };
        done.add(pool.submit(aggregator));
      }
      for (Future<Void> f : done) {
        f.get(2, TimeUnit.MINUTES); // rethrows a deadlock or a lost row as ExecutionException
      }
    } finally {
      pool.shutdownNow();
    }

    for (int w = 0; w < windows; w++) {
      Map<Metric, Histogram> merged =
          reader.merged(tenant, CLASS, EnumSet.of(Metric.TTFT, Metric.E2E), from(w), to(w + 1));
      assertSameDistribution(merged.get(Metric.TTFT), expectedTtft[w]);
      assertSameDistribution(merged.get(Metric.E2E), expectedE2e[w]);
      assertThat(merged.get(Metric.TTFT).getTotalCount()).isEqualTo(2L * commits * 7);
      assertThat(reader.counters(tenant, CLASS, from(w), to(w + 1)))
          .containsOnly(
              Map.entry(CounterKey.of(Counter.REQUESTS), 2L * commits * 7),
              Map.entry(
                  new CounterKey(Counter.INPUT_TOKENS, "shared-workflow"), 2L * commits * 1_000),
              Map.entry(new CounterKey(Counter.INPUT_TOKENS, "workflow-0"), commits * 10L),
              Map.entry(new CounterKey(Counter.INPUT_TOKENS, "workflow-1"), commits * 10L));
    }
    assertThat(storedValueCounts(Metric.TTFT))
        .containsOnly(
            Map.entry(from(0).toEpochMilli(), 2L * commits * 7),
            Map.entry(from(1).toEpochMilli(), 2L * commits * 7),
            Map.entry(from(2).toEpochMilli(), 2L * commits * 7));
    Map<Integer, PartitionCheckpoint> resumed = checkpoints.claim(group, topic, List.of(0, 1), 2);
    assertCheckpoint(resumed.get(0), 0, commits * 100L, bytes(commits - 1));
    assertCheckpoint(resumed.get(1), 1, commits * 100L, bytes(commits - 1));
  }

  /** value_count per window start (epoch milliseconds) of this case's tenant. */
  private Map<Long, Long> storedValueCounts(Metric metric) throws SQLException {
    Map<Long, Long> out = new HashMap<>();
    try (Connection c = dataSource.getConnection();
        PreparedStatement st =
            c.prepareStatement(
                "SELECT window_start, value_count FROM window_histogram WHERE tenant = ?"
                    + " AND traffic_class = ? AND metric = ?")) {
      st.setString(1, tenant);
      st.setString(2, CLASS);
      st.setString(3, metric.id());
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          out.put(rs.getObject(1, OffsetDateTime.class).toInstant().toEpochMilli(), rs.getLong(2));
        }
      }
    }
    return out;
  }
}
