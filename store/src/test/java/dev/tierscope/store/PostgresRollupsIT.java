package dev.tierscope.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.core.store.Rollups;
import dev.tierscope.core.store.RollupsContract;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresRollups} against the rollup contract, and rollups 10 s -> 1 min -> 1 h on a real
 * PostgreSQL as the rows show them: exact merges per resolution, progress, late updates, retention.
 * Every case gets a fresh schema (rollup progress is global to a schema).
 */
class PostgresRollupsIT extends RollupsContract {

  private static final Instant T0 = Instant.parse("2026-11-20T00:00:00Z");
  private static final String CLS = "interactive_premium";

  private MigratedSchema db;
  private HikariDataSource dataSource;
  private PostgresCheckpointStore store;
  private final SplittableRandom random = new SplittableRandom(11);

  @Override
  protected Stores newStores() {
    db = MigratedSchema.create("rollups", 2);
    dataSource = db.dataSource;
    store = new PostgresCheckpointStore(dataSource);
    return new Stores(
        store,
        // read rollup progress on every query, so that a run shows at once
        new PostgresWindowReader(
            dataSource, 10, Duration.ZERO, WindowReadMetrics.NONE, Clock.systemUTC()),
        new PostgresExemplarReader(dataSource));
  }

  @Override
  protected Rollups rollups(Rollups.Settings settings) {
    return new PostgresRollups(dataSource, settings);
  }

  /** Retention drops whole partitions: a raw window's day goes once all of it is expired. */
  @Override
  protected Duration retentionGranularity() {
    return Duration.ofDays(1);
  }

  @AfterEach
  void dropSchema() throws SQLException {
    db.close();
  }

  /** Three hours of 10 s windows with 20 TTFT values each. */
  private void fillThreeHours() {
    List<WindowDelta> deltas = new ArrayList<>();
    for (long w = 0; w < 3 * 360; w++) {
      deltas.add(delta(T0.plusSeconds(w * 10), 20));
      if (deltas.size() == 200) {
        store.commit("g", 1, List.of(), deltas);
        deltas.clear();
      }
    }
    store.commit("g", 1, List.of(), deltas);
  }

  private WindowDelta delta(Instant window, int values) {
    Histogram h = new Histogram(2);
    for (int i = 0; i < values; i++) {
      h.recordValue(50_000 + random.nextLong(3_000_000));
    }
    Map<Metric, Histogram> hs = new EnumMap<>(Metric.class);
    hs.put(Metric.TTFT, h);
    return new WindowDelta(
        new WindowKey("default", CLS, window.toEpochMilli()),
        10_000,
        hs,
        Map.of(CounterKey.of(Counter.REQUESTS), (long) values));
  }

  private static Rollups.Settings settings(Duration rawRetention) {
    return settings(rawRetention, Duration.ofMinutes(3));
  }

  private static Rollups.Settings settings(Duration rawRetention, Duration delay) {
    return new Rollups.Settings(
        List.of(10, 60, 3600),
        delay,
        Map.of(10, rawRetention, 60, Duration.ofDays(35), 3600, Duration.ofDays(400)),
        60);
  }

  private Histogram ttft(int resolution, Instant from, Instant to) {
    return new PostgresWindowReader(dataSource, resolution)
        .merged("default", CLS, EnumSet.of(Metric.TTFT), from, to)
        .get(Metric.TTFT);
  }

  private long requests(int resolution, Instant from, Instant to) {
    return new PostgresWindowReader(dataSource, resolution)
        .counters("default", CLS, from, to)
        .getOrDefault(CounterKey.of(Counter.REQUESTS), 0L);
  }

  private static void assertSameHistogram(Histogram actual, Histogram expected) {
    assertThat(actual.getTotalCount()).isEqualTo(expected.getTotalCount());
    for (double q : new double[] {50, 90, 95, 99, 99.9, 100}) {
      assertThat(actual.getValueAtPercentile(q))
          .as("p%s", q)
          .isEqualTo(expected.getValueAtPercentile(q));
    }
  }

  @Test
  void hourP95FromMinuteRollupsEqualsP95FromTenSecondWindows() {
    fillThreeHours();
    Rollups.Result r =
        new PostgresRollups(dataSource, settings(Duration.ofDays(2)))
            .run(T0.plus(Duration.ofHours(3)).plusSeconds(600));

    assertThat(r.ran()).isTrue();
    assertThat(r.windowsRolled()).containsEntry(60, 180).containsEntry(3600, 3);
    Instant hourEnd = T0.plus(Duration.ofHours(1));
    Histogram raw = ttft(10, T0, hourEnd);
    assertThat(raw.getTotalCount()).isEqualTo(360 * 20);
    assertSameHistogram(ttft(60, T0, hourEnd), raw);
    assertSameHistogram(ttft(3600, T0, hourEnd), raw);
    assertSameHistogram(
        ttft(3600, T0, T0.plus(Duration.ofHours(3))), ttft(10, T0, T0.plus(Duration.ofHours(3))));
    assertThat(requests(60, T0, hourEnd)).isEqualTo(360 * 20);
    assertThat(requests(3600, T0, T0.plus(Duration.ofHours(3)))).isEqualTo(3 * 360 * 20);
  }

  @Test
  void rollupsOnlyCoverCompleteWindows() throws Exception {
    fillThreeHours();
    // Two hours and a half in: the third hour is not complete, the minutes up to 2:27 are.
    new PostgresRollups(dataSource, settings(Duration.ofDays(2)))
        .run(T0.plus(Duration.ofMinutes(150)));

    assertThat(progress(60)).isEqualTo(T0.plus(Duration.ofMinutes(147)));
    assertThat(progress(3600)).isEqualTo(T0.plus(Duration.ofHours(2)));
    assertThat(
            ttft(3600, T0.plus(Duration.ofHours(2)), T0.plus(Duration.ofHours(3))).getTotalCount())
        .isZero();
    assertThat(
            ttft(60, T0.plus(Duration.ofMinutes(147)), T0.plus(Duration.ofHours(3)))
                .getTotalCount())
        .isZero();
  }

  @Test
  void lateUpdateOfRolledUpWindowIsRolledUpAgainAndRerunIsIdempotent() {
    fillThreeHours();
    PostgresRollups rollups = new PostgresRollups(dataSource, settings(Duration.ofDays(2)));
    Instant now = T0.plus(Duration.ofHours(3)).plusSeconds(600);
    rollups.run(now);

    // A very late request lands in a window rolled up already.
    store.commit("g", 1, List.of(), List.of(delta(T0.plusSeconds(300), 7)));
    rollups.run(now);
    rollups.run(now);

    Instant hourEnd = T0.plus(Duration.ofHours(1));
    Histogram raw = ttft(10, T0, hourEnd);
    assertThat(raw.getTotalCount()).isEqualTo(360 * 20 + 7);
    assertSameHistogram(ttft(60, T0, hourEnd), raw);
    assertSameHistogram(ttft(3600, T0, hourEnd), raw);
    assertThat(requests(3600, T0, hourEnd)).isEqualTo(360 * 20 + 7);
  }

  @Test
  void retentionDropsARawDayOnlyOnceMinuteRollupsCoverAllOfIt() throws Exception {
    fillThreeHours(); // T0 is midnight: the first three hours of a day
    Histogram firstHour = ttft(10, T0, T0.plus(Duration.ofHours(1)));
    long raw = rawRowsBefore(T0.plus(Duration.ofDays(1)));

    // The job runs while the day is young, with a delay that lets minutes cover only the first
    // hour: the day's partitions are made (the rows move in), nothing is expired.
    Rollups.Result young =
        new PostgresRollups(dataSource, settings(Duration.ofHours(1), Duration.ofHours(2)))
            .run(T0.plus(Duration.ofHours(3)));
    assertThat(young.partitionsDropped()).isZero();
    assertThat(young.rowsDeleted()).isZero();
    assertThat(rawRowsBefore(T0.plus(Duration.ofDays(1)))).isEqualTo(raw);

    // A day later the raw windows are past their hour of retention, but minutes still cover only
    // the first hour (the delay holds them back): the day is not dropped.
    Instant nextDay = T0.plus(Duration.ofDays(1)).plus(Duration.ofHours(2));
    Rollups.Result held =
        new PostgresRollups(dataSource, settings(Duration.ofHours(1), Duration.ofDays(2)))
            .run(nextDay);
    assertThat(held.partitionsDropped()).isZero();
    assertThat(rawRowsBefore(T0.plus(Duration.ofDays(1)))).isEqualTo(raw);

    // Once minutes cover it all, the whole day goes: histograms, counters, slices and exemplars,
    // one partition each, and nothing is deleted row by row.
    Rollups.Result r = new PostgresRollups(dataSource, settings(Duration.ofHours(1))).run(nextDay);
    assertThat(r.partitionsDropped()).isEqualTo(4);
    assertThat(r.rowsDeleted()).isZero();
    assertThat(rawRowsBefore(nextDay)).isZero();
    assertSameHistogram(ttft(60, T0, T0.plus(Duration.ofHours(1))), firstHour);
  }

  private Instant progress(int resolution) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement st =
            c.prepareStatement(
                "SELECT complete_before FROM rollup_progress WHERE resolution_seconds = ?")) {
      st.setInt(1, resolution);
      try (ResultSet rs = st.executeQuery()) {
        assertThat(rs.next()).isTrue();
        return rs.getObject(1, java.time.OffsetDateTime.class).toInstant();
      }
    }
  }

  private long rawRowsBefore(Instant t) throws Exception {
    try (Connection c = dataSource.getConnection();
        PreparedStatement st =
            c.prepareStatement(
                "SELECT count(*) FROM window_histogram WHERE resolution_seconds = 10"
                    + " AND window_start < ?")) {
      st.setObject(1, java.time.OffsetDateTime.ofInstant(t, java.time.ZoneOffset.UTC));
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
