package dev.tierscope.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.core.store.ClassTotals;
import dev.tierscope.core.store.GenerationMembers;
import dev.tierscope.core.store.Rollups;
import dev.tierscope.core.store.TenantScope;
import dev.tierscope.core.store.TotalsContract;
import dev.tierscope.core.store.TotalsReader;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
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
 * {@link PostgresCheckpointStore}'s class totals and {@link PostgresTotalsReader} against the
 * totals contract on a real PostgreSQL, plus what only the database can get wrong: totals outlive
 * rollups and retention (they only grow), and concurrent instances merging into the same totals
 * neither deadlock nor lose a value.
 */
class PostgresTotalsIT extends TotalsContract {

  private static DbSchema schema;
  private static HikariDataSource dataSource;

  @BeforeAll
  static void migrateFreshSchema() {
    schema = TestInfra.newSchema("totals");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.jdbcUrl());
    config.setUsername(schema.user());
    config.setPassword(schema.password());
    config.setMaximumPoolSize(4);
    config.setPoolName("totals-it");
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

  @Override
  protected TotalsReader newTotals() {
    return new PostgresTotalsReader(dataSource);
  }

  /** In a schema of its own: the rollups it runs far ahead would hide the other cases' windows. */
  @Test
  void totalsStayWhenRollupsAndRetentionDeleteTheWindows() throws SQLException {
    DbSchema own = TestInfra.newSchema("totals_retention");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(own.jdbcUrl());
    config.setUsername(own.user());
    config.setPassword(own.password());
    config.setMaximumPoolSize(2);
    try (HikariDataSource ds = new HikariDataSource(config)) {
      Migrations.migrate(ds);
      store = new PostgresCheckpointStore(ds);
      checkpoints = new GenerationMembers(store);
      totals = new PostgresTotalsReader(ds);
      reader = new PostgresWindowReader(ds, 10);
      totalsStayWhenRollupsAndRetentionDeleteTheWindows(ds);
    } finally {
      try (Connection c = TestInfra.connect(own);
          Statement s = c.createStatement()) {
        s.execute("drop schema " + own.schema() + " cascade");
      }
    }
  }

  private void totalsStayWhenRollupsAndRetentionDeleteTheWindows(HikariDataSource dataSource) {
    checkpoints.claim(group, topic, List.of(0), 1);
    List<WindowDelta> deltas = new ArrayList<>();
    for (int w = 0; w < 30; w++) {
      deltas.add(
          delta(tenant, CLASS, w, Map.of(Metric.TTFT, histogram(100_000L * (w + 1))), requests(2)));
    }
    checkpoints.commit(group, 1, List.of(checkpoint(0, 30)), deltas);
    ClassTotals before = totals.totals(TenantScope.only(List.of(tenant))).get(0);

    // 61 days later with retentions of minutes: everything rolls up, then every resolution is past
    // its retention, by more than a partition's span (a day, 30 days for hours).
    Instant later = Instant.ofEpochMilli(BASE_EPOCH_MILLIS).plus(Duration.ofDays(61));
    Rollups.Settings shortLived =
        new Rollups.Settings(
            List.of(10, 60, 3600),
            Duration.ofMinutes(3),
            Map.of(10, Duration.ofMinutes(1), 60, Duration.ofMinutes(2), 3600, Duration.ofHours(1)),
            60);
    Rollups.Result r = new PostgresRollups(dataSource, shortLived).run(later);
    assertThat(r.ran()).isTrue();
    assertThat(r.rowsDeleted()).as("retention deleted the windows").isPositive();
    Instant from = Instant.ofEpochMilli(BASE_EPOCH_MILLIS);
    assertThat(
            reader
                .merged(tenant, CLASS, EnumSet.of(Metric.TTFT), from, from.plus(Duration.ofDays(1)))
                .get(Metric.TTFT)
                .getTotalCount())
        .as("the windows are gone")
        .isZero();

    ClassTotals after = totals.totals(TenantScope.only(List.of(tenant))).get(0);
    assertThat(after.histograms().get(Metric.TTFT)).isEqualTo(before.histograms().get(Metric.TTFT));
    assertThat(after.histograms().get(Metric.TTFT).getTotalCount()).isEqualTo(30);
    assertThat(after.counters()).isEqualTo(before.counters());
    assertThat(after.since()).isEqualTo(before.since());

    // and they keep growing from there
    checkpoints.commit(
        group,
        1,
        List.of(checkpoint(0, 31)),
        List.of(delta(tenant, CLASS, 31, Map.of(Metric.TTFT, histogram(5_000)), requests(1))));
    assertThat(totals.totals(TenantScope.only(List.of(tenant))).get(0).counters())
        .containsEntry(CounterKey.of(Counter.REQUESTS), 61L);
  }

  /**
   * Two instances commit 20 times each into two classes of one tenant at once, naming the classes
   * in opposite orders: neither fails (no deadlock) and the totals hold every value once.
   */
  @Test
  void concurrentInstancesAddUpInTheTotalsWithoutDeadlock() throws Exception {
    int commits = 20;
    checkpoints.claim(group, topic, List.of(0, 1), 1);
    CyclicBarrier start = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    Histogram expected = new Histogram(2);
    for (int i = 0; i < 2; i++) {
      for (int n = 0; n < commits; n++) {
        expected.recordValue(1_000L * (100 * i + n + 1));
      }
    }
    try {
      List<Future<Void>> done = new ArrayList<>();
      for (int instance = 0; instance < 2; instance++) {
        int i = instance;
        Callable<Void> aggregator =
            () -> {
              start.await(30, TimeUnit.SECONDS);
              for (int n = 0; n < commits; n++) {
                Histogram h = histogram(1_000L * (100 * i + n + 1));
                List<WindowDelta> deltas = new ArrayList<>();
                deltas.add(delta(tenant, CLASS, n % 3, Map.of(Metric.TTFT, h), requests(1)));
                deltas.add(
                    delta(tenant, OTHER_CLASS, n % 3, Map.of(Metric.TTFT, h.copy()), requests(1)));
                if (i == 1) {
                  Collections.reverse(deltas);
                }
                checkpoints.commit(group, 1, List.of(checkpoint(i, n + 1L)), deltas);
              }
              return null;
            };
        done.add(pool.submit(aggregator));
      }
      for (Future<Void> f : done) {
        f.get(2, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    List<ClassTotals> all = totals.totals(TenantScope.only(List.of(tenant)));
    assertThat(all).hasSize(2);
    for (ClassTotals t : all) {
      assertThat(t.histograms().get(Metric.TTFT)).isEqualTo(expected);
      assertThat(t.counters()).containsEntry(CounterKey.of(Counter.REQUESTS), 2L * commits);
    }
  }
}
