package dev.tierscope.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.core.store.Rollups;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresWindowReader} over rollups: for random interval lists, reading through the 1 h and
 * 1 min rollups wherever they are complete gives exactly what reading only the raw windows gives,
 * with far fewer rows; without the progress table only raw windows are read.
 */
class PostgresWindowReaderIT {

  private static final Instant T0 = Instant.parse("2026-11-20T00:00:00Z");
  private static final Instant END = T0.plus(Duration.ofHours(5));
  private static final String CLS = "interactive_premium";
  private static final String TENANT = "reader";
  private static final EnumSet<Metric> METRICS =
      EnumSet.of(Metric.TTFT, Metric.EDGE, Metric.TOOLCHAIN);
  private static final EnumSet<Counter> COUNTERS =
      EnumSet.of(Counter.REQUESTS, Counter.INPUT_TOKENS, Counter.CLIENT_PATH, Counter.STREAMS);

  private static DbSchema schema;
  private static HikariDataSource dataSource;

  @BeforeAll
  static void fiveHoursRolledUp() {
    schema = TestInfra.newSchema("reader");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.jdbcUrl());
    config.setUsername(schema.user());
    config.setPassword(schema.password());
    config.setMaximumPoolSize(2);
    dataSource = new HikariDataSource(config);
    Migrations.migrate(dataSource);
    SplittableRandom random = new SplittableRandom(5);
    List<WindowDelta> deltas = new ArrayList<>();
    for (Instant w = T0; w.isBefore(END); w = w.plusSeconds(10)) {
      if (random.nextInt(10) == 0) {
        continue; // windows without traffic
      }
      Map<Metric, Histogram> h = new EnumMap<>(Metric.class);
      for (Metric m : METRICS) {
        if (m == Metric.TOOLCHAIN && random.nextBoolean()) {
          continue;
        }
        Histogram x = new Histogram(2);
        for (int i = 0; i < 1 + random.nextInt(6); i++) {
          x.recordValue(1_000 + random.nextLong(3_000_000));
        }
        h.put(m, x);
      }
      Map<CounterKey, Long> c = new HashMap<>();
      c.put(CounterKey.of(Counter.REQUESTS), 1L + random.nextInt(6));
      c.put(new CounterKey(Counter.INPUT_TOKENS, random.nextBoolean() ? "chat" : "rag"), 100L);
      c.put(new CounterKey(Counter.CLIENT_PATH, random.nextBoolean() ? "vpn" : "direct"), 2L);
      deltas.add(new WindowDelta(new WindowKey(TENANT, CLS, w.toEpochMilli()), 10_000, h, c));
    }
    new PostgresCheckpointStore(dataSource).commit("reader-it", 1, List.of(), deltas);
    // complete: minutes up to END - 1 h 3 min, hours up to END - 2 h
    new PostgresRollups(dataSource, Rollups.Settings.defaults())
        .run(END.minus(Duration.ofHours(1)));
  }

  @AfterAll
  static void close() throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("drop schema " + schema.schema() + " cascade");
    }
    dataSource.close();
  }

  private static PostgresWindowReader reader(Map<Integer, Long> rows) {
    return new PostgresWindowReader(
        dataSource,
        10,
        Duration.ZERO,
        (res, n) -> rows.merge(res, n, Long::sum),
        Clock.systemUTC());
  }

  @Test
  void rollupReadsEqualRawReadsForRandomIntervals() throws SQLException {
    SplittableRandom random = new SplittableRandom(17);
    List<List<Instant>> queries = new ArrayList<>();
    for (int q = 0; q < 25; q++) {
      List<Instant> b = new ArrayList<>();
      Instant t = T0.minusSeconds(60).plusMillis(random.nextLong(3_600_000));
      b.add(t);
      for (int i = 0; i < 1 + random.nextInt(5); i++) {
        t = t.plusMillis(1 + random.nextLong(2 * 3_600_000L));
        b.add(t);
      }
      queries.add(b);
    }
    queries.add(List.of(T0, END));

    Map<Integer, Long> rolledRows = new TreeMap<>();
    PostgresWindowReader rolled = reader(rolledRows);
    List<List<Map<Metric, Histogram>>> h = new ArrayList<>();
    List<List<Map<CounterKey, Long>>> c = new ArrayList<>();
    for (List<Instant> b : queries) {
      h.add(rolled.mergedPerInterval(TENANT, CLS, METRICS, b));
      c.add(rolled.countersPerInterval(TENANT, CLS, COUNTERS, b));
    }

    Map<Integer, Long> rawRows = new TreeMap<>();
    withoutProgressTable(
        () -> {
          PostgresWindowReader raw = reader(rawRows);
          for (int q = 0; q < queries.size(); q++) {
            List<Instant> b = queries.get(q);
            List<Map<Metric, Histogram>> rh = raw.mergedPerInterval(TENANT, CLS, METRICS, b);
            List<Map<CounterKey, Long>> rc = raw.countersPerInterval(TENANT, CLS, COUNTERS, b);
            for (int i = 0; i < rh.size(); i++) {
              for (Metric m : METRICS) {
                assertSame(
                    h.get(q).get(i).get(m), rh.get(i).get(m), b + " interval " + i + " " + m);
              }
              assertThat(c.get(q).get(i)).as(b + " interval " + i).isEqualTo(rc.get(i));
            }
          }
        });

    assertThat(rawRows).containsOnlyKeys(10);
    assertThat(rolledRows).containsKeys(10, 60, 3600);
    long rolledTotal = rolledRows.values().stream().mapToLong(Long::longValue).sum();
    assertThat(rolledTotal * 2)
        .as("rows read with rollups vs raw only")
        .isLessThan(rawRows.get(10));
    assertThat(c.get(queries.size() - 1).get(0))
        .containsKeys(
            CounterKey.of(Counter.REQUESTS),
            new CounterKey(Counter.INPUT_TOKENS, "chat"),
            new CounterKey(Counter.INPUT_TOKENS, "rag"),
            new CounterKey(Counter.CLIENT_PATH, "vpn"),
            new CounterKey(Counter.CLIENT_PATH, "direct"))
        .doesNotContainKey(CounterKey.of(Counter.STREAMS));
  }

  private interface SqlRunnable {
    void run() throws SQLException;
  }

  private static void withoutProgressTable(SqlRunnable body) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("ALTER TABLE rollup_progress RENAME TO rollup_progress_hidden");
      try {
        body.run();
      } finally {
        s.execute("ALTER TABLE rollup_progress_hidden RENAME TO rollup_progress");
      }
    }
  }

  private static void assertSame(Histogram actual, Histogram expected, String what) {
    assertThat(actual.getTotalCount()).as(what + " count").isEqualTo(expected.getTotalCount());
    if (expected.getTotalCount() == 0) {
      return;
    }
    for (double p : new double[] {1, 25, 50, 90, 95, 99, 99.9, 100}) {
      assertThat(actual.getValueAtPercentile(p))
          .as(what + " p" + p)
          .isEqualTo(expected.getValueAtPercentile(p));
    }
    assertThat(actual.getMaxValue()).isEqualTo(expected.getMaxValue());
  }
}
