package dev.tierscope.store;

import dev.tierscope.core.store.GenerationMembers;
import dev.tierscope.core.store.PartitionCheckpoint;
import dev.tierscope.core.store.Rollups;
import dev.tierscope.core.store.StoredExemplar;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Exemplar;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.HdrHistogram.Histogram;

/**
 * A database as Tierscope writes it, kept as a fixture so that every later version proves it still
 * reads it the same way (after its own migrations): {@code StoredDataCompatibilityIT}.
 *
 * <p>{@link #main} writes windows, counters, exemplars and checkpoints through the store's own
 * write path ({@link PostgresCheckpointStore#commit}), rolls them up ({@link PostgresRollups}),
 * then saves the rows of every table as SQL ({@code compat/<name>.sql}) and what the readers answer
 * over a set of queries ({@code compat/<name>.answers}). Run it again only to capture a new schema
 * version, under a new name; never overwrite a captured fixture.
 *
 * <pre>
 * java -cp ... dev.tierscope.store.StoredDataFixture store/src/test/resources/compat v2
 * </pre>
 */
final class StoredDataFixture {

  static final Instant T0 = Instant.parse("2026-11-20T09:00:00Z");
  static final String TENANT = "acme";
  static final String GROUP = "tierscope-aggregator";
  static final String TOPIC = "tierscope.spans.v1";
  static final List<String> CLASSES = List.of("interactive_premium", "deferred_batch");

  /** The tables of schema version 2, in an order their rows can be inserted in. */
  static final List<String> TABLES =
      List.of(
          "window_histogram",
          "window_counter",
          "window_exemplar",
          "partition_checkpoint",
          "rollup_progress");

  private StoredDataFixture() {}

  /** Captures a fixture: {@code args[0]} the folder, {@code args[1]} its name. */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    String name = args[1];
    try (MigratedSchema db = MigratedSchema.create("fixture", 2)) {
      write(db.dataSource);
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(name + ".sql"), dump(db.dataSource), StandardCharsets.UTF_8);
      Files.writeString(
          dir.resolve(name + ".answers"), answers(db.dataSource), StandardCharsets.UTF_8);
    }
  }

  /**
   * 70 minutes of one tenant's windows for two classes (some windows empty), a second tenant's few,
   * exemplars, token counters per workflow and two partitions' checkpoints; then the rollups as of
   * 15 minutes after the last window.
   */
  static void write(DataSource dataSource) {
    // as generation 4's member: its commits carry the claim epochs it was given
    GenerationMembers store = new GenerationMembers(new PostgresCheckpointStore(dataSource));
    store.claim(GROUP, TOPIC, List.of(0, 1, 2), 4);
    SplittableRandom random = new SplittableRandom(2026);
    List<WindowDelta> deltas = new ArrayList<>();
    for (int w = 0; w < 420; w++) {
      Instant start = T0.plusSeconds(10L * w);
      for (String cls : CLASSES) {
        if (random.nextInt(3) != 0 || (cls.equals("deferred_batch") && w % 7 != 0)) {
          continue;
        }
        deltas.add(delta(random, TENANT, cls, start));
      }
      if (w % 60 == 0) {
        deltas.add(delta(random, "globex", "interactive_premium", start));
      }
      if (deltas.size() >= 50) {
        store.commit(
            GROUP,
            4,
            List.of(checkpoint(0, w * 100L, random), checkpoint(1, w * 90L, random)),
            deltas);
        deltas.clear();
      }
    }
    store.commit(GROUP, 4, List.of(checkpoint(0, 42_000, random)), deltas);
    new PostgresRollups(dataSource, Rollups.Settings.defaults())
        .run(T0.plus(Duration.ofMinutes(85)));
  }

  private static WindowDelta delta(
      SplittableRandom random, String tenant, String cls, Instant start) {
    Map<Metric, Histogram> h = new EnumMap<>(Metric.class);
    int n = 1 + random.nextInt(8);
    List<Exemplar> exemplars = new ArrayList<>();
    for (Metric m : List.of(Metric.TTFT, Metric.EDGE, Metric.MODEL)) {
      Histogram x = new Histogram(2);
      for (int i = 0; i < n; i++) {
        long v = 20_000 + random.nextLong(2_500_000);
        x.recordValue(v);
        if (m == Metric.TTFT && exemplars.size() < Exemplar.KEPT_PER_WINDOW) {
          byte[] id = new byte[16];
          random.nextBytes(id);
          exemplars.add(new Exemplar(HexFormat.of().formatHex(id), v));
        }
      }
      h.put(m, x);
    }
    exemplars.sort(Exemplar.SLOWEST_FIRST);
    Map<CounterKey, Long> c = new HashMap<>();
    c.put(CounterKey.of(Counter.REQUESTS), (long) n);
    c.put(CounterKey.of(Counter.STREAMS), (long) random.nextInt(n + 1));
    c.put(new CounterKey(Counter.INPUT_TOKENS, random.nextBoolean() ? "chat" : "rag"), 100L * n);
    return new WindowDelta(
        new WindowKey(tenant, cls, start.toEpochMilli()), 10_000, h, Map.copyOf(c), exemplars);
  }

  private static PartitionCheckpoint checkpoint(int partition, long offset, SplittableRandom r) {
    byte[] snapshot = new byte[16 + r.nextInt(48)];
    r.nextBytes(snapshot);
    return new PartitionCheckpoint(TOPIC, partition, 0, offset, snapshot);
  }

  /** What the readers answer over a fixed set of queries, one line per fact. */
  static String answers(DataSource dataSource) {
    StringBuilder out = new StringBuilder();
    PostgresWindowReader reader =
        new PostgresWindowReader(
            dataSource, 10, Duration.ZERO, WindowReadMetrics.NONE, java.time.Clock.systemUTC());
    List<List<Instant>> queries =
        List.of(
            List.of(T0, T0.plus(Duration.ofMinutes(70))),
            List.of(T0, T0.plus(Duration.ofHours(1)), T0.plus(Duration.ofMinutes(70))),
            List.of(
                T0.plusSeconds(25),
                T0.plusSeconds(25 + 900),
                T0.plusSeconds(25 + 1800),
                T0.plus(Duration.ofMinutes(69)).plusMillis(1)),
            List.of(T0.minus(Duration.ofHours(1)), T0.plusSeconds(5)));
    for (String tenant : List.of(TENANT, "globex")) {
      for (String cls : CLASSES) {
        for (List<Instant> b : queries) {
          List<Map<Metric, Histogram>> h =
              reader.mergedPerInterval(tenant, cls, EnumSet.allOf(Metric.class), b);
          List<Map<CounterKey, Long>> c =
              reader.countersPerInterval(tenant, cls, EnumSet.allOf(Counter.class), b);
          for (int i = 0; i + 1 < b.size(); i++) {
            String where = tenant + " " + cls + " [" + b.get(i) + ", " + b.get(i + 1) + ")";
            for (Metric m : Metric.values()) {
              Histogram x = h.get(i).get(m);
              out.append(
                  String.format(
                      "histogram %s %s count=%d min=%d p50=%d p90=%d p95=%d p99=%d max=%d%n",
                      where,
                      m.id(),
                      x.getTotalCount(),
                      x.getTotalCount() == 0 ? 0 : x.getMinValue(),
                      x.getValueAtPercentile(50),
                      x.getValueAtPercentile(90),
                      x.getValueAtPercentile(95),
                      x.getValueAtPercentile(99),
                      x.getMaxValue()));
            }
            new TreeMap<>(
                    c.get(i).entrySet().stream()
                        .collect(
                            java.util.stream.Collectors.toMap(
                                e -> e.getKey().counter().id() + "/" + e.getKey().dimension(),
                                Map.Entry::getValue)))
                .forEach(
                    (k, v) ->
                        out.append("counter ")
                            .append(where)
                            .append(' ')
                            .append(k)
                            .append('=')
                            .append(v)
                            .append('\n'));
          }
        }
        PostgresExemplarReader exemplars = new PostgresExemplarReader(dataSource);
        for (StoredExemplar e :
            exemplars.slowest(tenant, cls, T0, T0.plus(Duration.ofMinutes(70)), 25)) {
          out.append(
              String.format(
                  "exemplar %s %s %s %s %d%n",
                  tenant, cls, e.windowStart(), e.exemplar().traceId(), e.exemplar().ttftMicros()));
        }
      }
    }
    Map<Integer, PartitionCheckpoint> claimed =
        new GenerationMembers(new PostgresCheckpointStore(dataSource))
            .claim(GROUP, TOPIC, List.of(0, 1, 2), 4);
    claimed.forEach(
        (p, cp) ->
            out.append(
                String.format(
                    "checkpoint %s-%d next=%d snapshot=%s%n",
                    cp.topic(), p, cp.nextOffset(), HexFormat.of().formatHex(cp.snapshot()))));
    return out.toString();
  }

  /** Every row of {@link #TABLES} as INSERT statements, in primary key order. */
  static String dump(DataSource dataSource) throws SQLException {
    StringBuilder out = new StringBuilder();
    out.append("-- Rows written by Tierscope's store (schema version 2), captured by")
        .append(" StoredDataFixture.\n");
    try (Connection c = dataSource.getConnection()) {
      for (String table : TABLES) {
        try (PreparedStatement st =
                c.prepareStatement("SELECT * FROM " + table + " ORDER BY 1, 2, 3");
            ResultSet rs = st.executeQuery()) {
          ResultSetMetaData md = rs.getMetaData();
          List<String> columns = new ArrayList<>();
          for (int i = 1; i <= md.getColumnCount(); i++) {
            columns.add(md.getColumnName(i));
          }
          while (rs.next()) {
            List<String> values = new ArrayList<>();
            for (int i = 1; i <= md.getColumnCount(); i++) {
              values.add(literal(rs, i, md.getColumnType(i)));
            }
            out.append("INSERT INTO ")
                .append(table)
                .append(" (")
                .append(String.join(", ", columns))
                .append(") VALUES (")
                .append(String.join(", ", values))
                .append(");\n");
          }
        }
      }
    }
    return out.toString();
  }

  private static String literal(ResultSet rs, int i, int type) throws SQLException {
    Object v = rs.getObject(i);
    if (v == null) {
      return "NULL";
    }
    return switch (type) {
      case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY ->
          "'\\x" + HexFormat.of().formatHex(rs.getBytes(i)) + "'::bytea";
      case Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE ->
          "'"
              + rs.getObject(i, OffsetDateTime.class).withOffsetSameInstant(ZoneOffset.UTC)
              + "'::timestamptz";
      case Types.INTEGER, Types.BIGINT, Types.SMALLINT -> v.toString();
      default -> "'" + v.toString().replace("'", "''") + "'";
    };
  }
}
