package dev.tierscope.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.core.store.StoredExemplar;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Exemplar;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link PostgresExemplarReader} on exemplars written through the aggregator's own write path
 * ({@link PostgresCheckpointStore#commit}): the slowest of a range first, the range by window
 * start, tenants and classes apart, and only what the store kept (the slowest few per window).
 */
class PostgresExemplarReaderIT {

  private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
  private static final String CLS = "interactive_premium";
  private static final String OTHER_CLS = "deferred_batch";
  private static final String TENANT = "exemplars";

  private static DbSchema schema;
  private static HikariDataSource dataSource;
  private static PostgresExemplarReader reader;

  /** What the store keeps: per (tenant, class, window) the slowest Exemplar.KEPT_PER_WINDOW. */
  private static final List<StoredExemplar> kept = new ArrayList<>();

  @BeforeAll
  static void thirtyWindowsOfExemplars() {
    schema = TestInfra.newSchema("exemplars");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.jdbcUrl());
    config.setUsername(schema.user());
    config.setPassword(schema.password());
    config.setMaximumPoolSize(2);
    dataSource = new HikariDataSource(config);
    Migrations.migrate(dataSource);
    reader = new PostgresExemplarReader(dataSource);

    PostgresCheckpointStore store = new PostgresCheckpointStore(dataSource);
    SplittableRandom random = new SplittableRandom(7);
    for (int w = 0; w < 30; w++) {
      Instant start = T0.plusSeconds(10L * w);
      // Two commits per window, as two aggregator instances (or two checkpoints) would make: the
      // store keeps the slowest of both together.
      List<StoredExemplar> window = new ArrayList<>();
      for (int commit = 0; commit < 2; commit++) {
        List<Exemplar> exemplars = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          String traceId = traceId(random);
          long ttft = 100_000 + random.nextLong(5_000_000);
          exemplars.add(new Exemplar(traceId, ttft));
          window.add(new StoredExemplar(start, new Exemplar(traceId, ttft)));
        }
        exemplars.sort(Comparator.comparingLong(Exemplar::ttftMicros).reversed());
        store.commit(
            "exemplar-it",
            1,
            List.of(),
            List.of(
                delta(TENANT, CLS, start, exemplars),
                // Same window, other class and other tenant: never in the answers below.
                delta(TENANT, OTHER_CLS, start, List.of(new Exemplar(traceId(random), 9_999_999))),
                delta("other", CLS, start, List.of(new Exemplar(traceId(random), 9_999_999)))));
      }
      window.sort(slowestFirst());
      kept.addAll(window.subList(0, Exemplar.KEPT_PER_WINDOW));
    }
    kept.sort(slowestFirst());
  }

  @AfterAll
  static void close() {
    if (dataSource != null) {
      dataSource.close();
    }
  }

  @Test
  void slowestOfTheRangeComeFirstAcrossWindows() {
    List<StoredExemplar> all =
        reader.slowest(TENANT, CLS, T0, T0.plus(Duration.ofMinutes(5)), 1_000);
    assertThat(all).containsExactlyElementsOf(kept);
    assertThat(reader.slowest(TENANT, CLS, T0, T0.plus(Duration.ofMinutes(5)), 7))
        .containsExactlyElementsOf(kept.subList(0, 7));
  }

  @Test
  void rangeSelectsWindowsByStartFromInclusiveToExclusive() {
    Instant from = T0.plusSeconds(50);
    Instant to = T0.plusSeconds(120);
    List<StoredExemplar> expected =
        kept.stream()
            .filter(e -> !e.windowStart().isBefore(from) && e.windowStart().isBefore(to))
            .toList();
    assertThat(expected).hasSize(7 * Exemplar.KEPT_PER_WINDOW);
    assertThat(reader.slowest(TENANT, CLS, from, to, 1_000)).containsExactlyElementsOf(expected);
    // A window that starts before 'from' is left out even where it overlaps the range.
    assertThat(reader.slowest(TENANT, CLS, from.minusSeconds(5), from, 1_000)).isEmpty();
  }

  @Test
  void tenantsAndClassesStayApart() {
    assertThat(reader.slowest(TENANT, OTHER_CLS, T0, T0.plus(Duration.ofMinutes(5)), 1_000))
        .hasSize(30 * 2)
        .allMatch(e -> e.exemplar().ttftMicros() == 9_999_999);
    assertThat(reader.slowest("other", CLS, T0, T0.plus(Duration.ofMinutes(5)), 1_000))
        .hasSize(30 * 2);
    assertThat(reader.slowest("nobody", CLS, T0, T0.plus(Duration.ofMinutes(5)), 10)).isEmpty();
  }

  @Test
  void breakdownsComeBackAsWrittenUnknownPartsIncluded() {
    Instant start = T0.plus(Duration.ofHours(1));
    Exemplar full =
        new Exemplar(
            "a".repeat(32),
            2_000_000,
            new Exemplar.Breakdown(900_000, 300_000, 800_000, 650_000, "tool", "vpn", true, 3));
    Exemplar noClient =
        new Exemplar(
            "b".repeat(32),
            1_000_000,
            new Exemplar.Breakdown(-1, 200_000, 800_000, -1, "none", "", false, 0));
    Exemplar unknown = new Exemplar("c".repeat(32), 500_000);
    new PostgresCheckpointStore(dataSource)
        .commit(
            "exemplar-it",
            1,
            List.of(),
            List.of(delta("breakdowns", CLS, start, List.of(full, noClient, unknown))));

    assertThat(reader.slowest("breakdowns", CLS, start, start.plusSeconds(10), 10))
        .extracting(StoredExemplar::exemplar)
        .containsExactly(full, noClient, unknown);
  }

  @Test
  void emptyOrInvertedRangeAndBadLimit() {
    assertThat(reader.slowest(TENANT, CLS, T0, T0, 10)).isEmpty();
    assertThat(reader.slowest(TENANT, CLS, T0.plusSeconds(60), T0, 10)).isEmpty();
    assertThatThrownBy(() -> reader.slowest(TENANT, CLS, T0, T0.plusSeconds(60), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit");
  }

  private static WindowDelta delta(
      String tenant, String cls, Instant start, List<Exemplar> exemplars) {
    return new WindowDelta(
        new WindowKey(tenant, cls, start.toEpochMilli()),
        10_000,
        Map.of(),
        Map.of(CounterKey.of(Counter.REQUESTS), (long) exemplars.size()),
        exemplars);
  }

  private static Comparator<StoredExemplar> slowestFirst() {
    return Comparator.comparingLong((StoredExemplar e) -> e.exemplar().ttftMicros())
        .reversed()
        .thenComparing(e -> e.exemplar().traceId());
  }

  private static String traceId(SplittableRandom random) {
    byte[] id = new byte[16];
    random.nextBytes(id);
    return HexFormat.of().formatHex(id);
  }
}
