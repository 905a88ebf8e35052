package dev.tierscope.api;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.core.slo.SloCalculator;
import dev.tierscope.core.store.CheckpointStore;
import dev.tierscope.core.store.Rollups;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.core.window.WindowAggregator;
import dev.tierscope.store.Migrations;
import dev.tierscope.store.PostgresCheckpointStore;
import dev.tierscope.store.PostgresRollups;
import dev.tierscope.store.PostgresWindowReader;
import dev.tierscope.store.WindowReadMetrics;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Benchmark (not a test): the store at scale (issue 20, point 4). A bulk loader fills many tenants
 * x 3 classes x 30 days of windows and rollups, as the store holds them after 30 days with the
 * default retention (raw 10 s windows for the last 2 days, 1 min and 1 h rollups for all 30 days);
 * then the api answers {@code /api/v1/slo} over 30 days and 24 h and {@code /api/v1/slo/series}
 * over 24 h at 1 min steps for random tenants and classes, and the two ways of expiring a day of
 * raw windows are timed: dropping its partitions and deleting its rows.
 *
 * <p>How it loads (not the write path, which would take as long as the traffic did): one hour of
 * traffic per class is recorded with the aggregator's code for a template tenant and committed
 * through the store's commit path, the store's rollup job rolls it up to 1 min and 1 h rows, and
 * then every partition of the 30 days is built with one {@code INSERT ... SELECT} of the template's
 * rows shifted in time and renamed per tenant, into a table without indexes that is then attached
 * as the partition (PostgreSQL builds its indexes at once). Every hour of every tenant therefore
 * holds the same rows; the readers cannot tell (they read by key and time).
 *
 * <p>Per-tenant load: {@code -Drps=10} requests per second in all (premium 50%, standard 35%, batch
 * 15%), healthy traffic of every workflow with client paths, connection types, 3 regions, 3 models
 * and 2 model services (the breakdowns' rows). Before loading it prints the rows and the disk the
 * run needs (from the template's rows with their indexes) and refuses when the database's disk has
 * less free space (embedded PostgreSQL only; {@code -Dforce=true} loads anyway).
 *
 * <pre>
 * java -cp ... dev.tierscope.api.StoreScaleBenchmark     # -Dtenants=3 -Ddays=30 -Drps=10 -Dsamples=100
 * </pre>
 */
public final class StoreScaleBenchmark {

  /** The loaded store's "now": a whole hour; the api's clock is fixed at it. */
  static final Instant NOW = Instant.parse("2026-11-27T12:00:00Z");

  private static final Instant TEMPLATE_HOUR = Instant.parse("2000-01-03T00:00:00Z");
  private static final String TEMPLATE = "template";
  private static final String[] CLASSES = {Scenarios.PREMIUM, Scenarios.STANDARD, Scenarios.BATCH};
  private static final double[] SHARES = {0.5, 0.35, 0.15};
  private static final String[] REGIONS = {"eu-west-1", "us-east-1", "ap-south-1"};
  private static final String[] CONNECTIONS = {"wifi", "wired", "cell"};
  private static final String[] SERVICES = {"vllm-a", "vllm-b"};

  /** Retention the store keeps by default (Rollups.Settings.defaults): what 30 days leave. */
  private static final Map<Integer, Duration> KEPT = Rollups.Settings.defaults().retention();

  private static final String[] TABLES = {
    "window_histogram", "window_counter", "window_slice", "window_exemplar"
  };

  private StoreScaleBenchmark() {}

  public static void main(String[] args) throws Exception {
    int tenants = Integer.getInteger("tenants", 3);
    int days = Integer.getInteger("days", 30);
    double rps = Double.parseDouble(System.getProperty("rps", "10"));
    int samples = Integer.getInteger("samples", 100);
    boolean force = Boolean.getBoolean("force");
    System.out.printf(
        "store at scale: %d tenants x 3 classes x %d days, %.1f requests/s per tenant%n",
        tenants, days, rps);

    // -Dreuse=<schema>: measure reads again on a schema an earlier run loaded (TIERSCOPE_DB_URL)
    String reuse = System.getProperty("reuse");
    DbSchema schema =
        reuse == null
            ? TestInfra.newSchema("scale")
            : new DbSchema(
                System.getenv("TIERSCOPE_DB_URL") + "?currentSchema=" + reuse,
                System.getenv("TIERSCOPE_DB_USER"),
                System.getenv("TIERSCOPE_DB_PASSWORD"),
                reuse);
    System.out.println("schema " + schema.schema());
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.jdbcUrl());
    config.setUsername(schema.user());
    config.setPassword(schema.password());
    config.setMaximumPoolSize(4);
    config.addDataSourceProperty("options", "-c jit=off"); // as the api's pool (api/README.md)
    try (HikariDataSource ds = new HikariDataSource(config)) {
      if (reuse != null) {
        // a schema loaded by an earlier version gets the later migrations first
        Migrations.migrate(ds);
        measureReader(ds, tenants, samples);
        measureApi(schema, tenants, samples);
        System.exit(0);
      }
      Migrations.migrate(ds);
      long t0 = System.nanoTime();
      long requests = template(ds, rps);
      System.out.printf(
          "template: %d requests of one hour recorded, committed and rolled up in %.1f s%n",
          requests, (System.nanoTime() - t0) / 1e9);

      List<Target> targets = targets(ds, tenants, days);
      long rows = 0;
      long bytes = 0;
      for (Target t : targets) {
        rows += t.rows;
        bytes += t.bytes;
      }
      long free = freeDisk(ds);
      System.out.printf(
          "the run needs %,d rows, about %.1f GB on disk with indexes (%d partitions); free on the"
              + " database's disk: %s%n",
          rows,
          bytes / 1e9,
          targets.size(),
          free < 0 ? "unknown" : String.format("%.1f GB", free / 1e9));
      if (free >= 0 && bytes * 1.2 > free && !force) {
        System.out.println("not enough disk for it (with 20% to spare): -Dforce=true loads anyway");
        System.exit(2);
      }

      long t1 = System.nanoTime();
      load(ds, targets, tenants);
      long t2 = System.nanoTime();
      finish(ds);
      long t3 = System.nanoTime();
      System.out.printf(
          "loaded %,d rows in %.0f s (%,.0f rows/s); VACUUM ANALYZE %.0f s%n",
          rows, (t2 - t1) / 1e9, rows / ((t2 - t1) / 1e9), (t3 - t2) / 1e9);
      printSizes(ds, targets, tenants, days);

      measureReader(ds, tenants, samples);
      measureApi(schema, tenants, samples);
      retention(ds);
    }
    System.exit(0);
  }

  // --- the template ---------------------------------------------------------------------------

  /** One hour of the stated load per class for the template tenant, committed and rolled up. */
  private static long template(HikariDataSource ds, double rps) {
    SplittableRandom rnd = new SplittableRandom(42);
    WindowAggregator windows = new WindowAggregator(10_000, 2, Scenarios::ttftThresholdMicros);
    long n = 0;
    for (int c = 0; c < CLASSES.length; c++) {
      double perWindow = rps * SHARES[c] * 10;
      for (Instant w = TEMPLATE_HOUR;
          w.isBefore(TEMPLATE_HOUR.plus(Duration.ofHours(1)));
          w = w.plusSeconds(10)) {
        // whole requests per window, the fraction carried at random
        int k = (int) perWindow + (rnd.nextDouble() < perWindow - (int) perWindow ? 1 : 0);
        for (int i = 0; i < k; i++, n++) {
          Req r =
              Scenarios.healthy(
                  rnd, TEMPLATE, CLASSES[c], Scenarios.micros(w) + rnd.nextLong(10_000_000));
          double u = rnd.nextDouble();
          r.region = REGIONS[u < 0.7 ? 0 : u < 0.95 ? 1 : 2];
          r.connectionType = r.client ? CONNECTIONS[rnd.nextInt(CONNECTIONS.length)] : "";
          r.service = SERVICES[rnd.nextInt(SERVICES.length)];
          windows.record(r.summary());
        }
      }
    }
    CheckpointStore store = new PostgresCheckpointStore(ds);
    store.commit("template", 1, List.of(), windows.drain());
    new PostgresRollups(
            ds, new Rollups.Settings(List.of(10, 60, 3600), Duration.ofMinutes(3), Map.of(), 60))
        .run(TEMPLATE_HOUR.plus(Duration.ofMinutes(70)));
    // The template's day is its hour 24 times: its hour rows copied to the 23 other hours, rolled
    // up by the same job into the day's rows (rolling up 24 hours of raw windows gives the same
    // rows, in minutes instead of seconds).
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      for (String table : new String[] {"window_histogram", "window_counter", "window_slice"}) {
        String list = String.join(", ", columns(c, table));
        String select =
            list.replace("window_start", "window_start + h * interval '1 hour'")
                .replace("updated_at", "updated_at + h * interval '1 hour'");
        s.execute(
            "INSERT INTO "
                + table
                + " ("
                + list
                + ") SELECT "
                + select
                + " FROM "
                + table
                + " CROSS JOIN generate_series(1, 23) AS h WHERE tenant = '"
                + TEMPLATE
                + "' AND resolution_seconds = 3600");
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    new PostgresRollups(
            ds, new Rollups.Settings(List.of(3600, 86_400), Duration.ofMinutes(3), Map.of(), 60))
        .run(TEMPLATE_HOUR.plus(Duration.ofDays(1)).plus(Duration.ofMinutes(10)));
    return n;
  }

  // --- what to load ---------------------------------------------------------------------------

  /**
   * One partition to build: a table's rows of one resolution over [from, to) for every tenant.
   *
   * @param units whole hours (whole days for the day rollups) of the partition the loaded range
   *     covers, from {@code from}
   * @param unitSeconds 3 600, or 86 400 for the day rollups
   */
  private record Target(
      String table,
      Integer resolution,
      String name,
      Instant lo,
      Instant hi,
      Instant from,
      int units,
      long unitSeconds,
      long rows,
      long bytes) {

    double hours() {
      return units * unitSeconds / 3600.0;
    }
  }

  /** Every partition of the loaded range, with its rows and bytes from the template's. */
  private static List<Target> targets(HikariDataSource ds, int tenants, int days)
      throws SQLException {
    List<Target> out = new ArrayList<>();
    try (Connection c = ds.getConnection()) {
      for (String table : TABLES) {
        List<Integer> resolutions =
            table.equals("window_exemplar")
                ? Arrays.asList((Integer) null)
                : List.of(10, 60, 3600, 86_400);
        for (Integer res : resolutions) {
          Duration kept = KEPT.get(res == null ? 10 : res);
          Duration range = kept.compareTo(Duration.ofDays(days)) < 0 ? kept : Duration.ofDays(days);
          long templateRows = templateRows(c, table, res);
          double bytesPerRow = bytesPerRow(c, table, res, templateRows);
          // the template holds an hour of every resolution up to hours and a day of days: copies
          // by the hour, and by the day for the complete days of the day rollups
          long unit = res != null && res == 86_400 ? 86_400 : 3600;
          Instant start = ceil(NOW.minus(range), unit);
          Instant last = floor(NOW, unit);
          while (start.isBefore(last)) {
            Partition p = partitionOf(c, table, res, start);
            Instant end = p.hi.isAfter(last) ? last : p.hi;
            int units = (int) (Duration.between(start, end).toSeconds() / unit);
            long rows = templateRows * units * tenants;
            out.add(
                new Target(
                    table,
                    res,
                    p.name,
                    p.lo,
                    p.hi,
                    start,
                    units,
                    unit,
                    rows,
                    (long) (rows * bytesPerRow)));
            start = end;
          }
        }
      }
    }
    return out;
  }

  private record Partition(String name, Instant lo, Instant hi) {}

  private static Partition partitionOf(Connection c, String table, Integer res, Instant at)
      throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement("SELECT * FROM tierscope_partition_of(?, ?, ?)")) {
      st.setString(1, table);
      setResolution(st, 2, res);
      st.setObject(3, ts(at));
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return new Partition(
            rs.getString(1),
            rs.getObject(2, OffsetDateTime.class).toInstant(),
            rs.getObject(3, OffsetDateTime.class).toInstant());
      }
    }
  }

  private static long templateRows(Connection c, String table, Integer res) throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT count(*) FROM "
                + table
                + " WHERE tenant = ? AND window_start >= ? AND window_start < ?"
                + resolutionFilter(res))) {
      st.setString(1, TEMPLATE);
      // the first hour (and the day row, which starts there): what every hour's copy holds
      st.setObject(2, ts(TEMPLATE_HOUR));
      st.setObject(3, ts(TEMPLATE_HOUR.plus(Duration.ofHours(1))));
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /**
   * Bytes per row with indexes, from the template's partition (which holds only template rows); at
   * least the rows' own size plus PostgreSQL's per-row overhead in the heap and three indexes.
   */
  private static double bytesPerRow(Connection c, String table, Integer res, long rows)
      throws SQLException {
    if (rows == 0) {
      return 0;
    }
    Partition p = partitionOf(c, table, res, TEMPLATE_HOUR);
    // the template's partition holds its whole day: size and rows of all of it
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT pg_total_relation_size(to_regclass(?)), count(*), avg(pg_column_size(t.*))"
                + " FROM "
                + p.name
                + " t")) {
      st.setString(1, p.name);
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        long all = rs.getLong(2);
        double measured = rs.getLong(1) / (double) Math.max(1, all);
        double floor = rs.getDouble(3) + 28 + 3 * 40;
        // a small template partition is mostly empty pages: never estimate below the floor, and
        // take the measured size when it is not dominated by them
        return Math.max(floor, all >= 5_000 ? measured : floor);
      }
    }
  }

  // --- loading --------------------------------------------------------------------------------

  private static void load(HikariDataSource ds, List<Target> targets, int tenants)
      throws SQLException {
    String[] names = new String[tenants];
    for (int i = 0; i < tenants; i++) {
      names[i] = String.format("tenant-%03d", i + 1);
    }
    Map<String, List<String>> columns = new LinkedHashMap<>();
    long done = 0;
    long total = targets.stream().mapToLong(t -> t.rows).sum();
    long started = System.nanoTime();
    long lastPrint = started;
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      try (Statement s = c.createStatement()) {
        s.execute("SET synchronous_commit = off");
      }
      c.commit();
      for (Target t : targets) {
        List<String> cols = columns.get(t.table);
        if (cols == null) {
          cols = columns(c, t.table);
          columns.put(t.table, cols);
        }
        if (t.rows > 0) {
          build(c, t, cols, names);
        }
        c.commit();
        done += t.rows;
        long now = System.nanoTime();
        if (now - lastPrint > 10_000_000_000L) {
          double s = (now - started) / 1e9;
          System.out.printf(
              "  loaded %,d of %,d rows (%.0f%%) in %.0f s, about %.0f s to go%n",
              done, total, 100.0 * done / total, s, s / done * (total - done));
          lastPrint = now;
        }
      }
      // the counters' dimensions, as the checkpoint registers them with each tenant's first rows
      try (PreparedStatement st =
          c.prepareStatement(
              "INSERT INTO counter_dimension (tenant, traffic_class, counter, dimension)"
                  + " SELECT n.name, k.traffic_class, k.counter, k.dimension"
                  + " FROM counter_dimension k CROSS JOIN unnest(?::text[]) AS n(name)"
                  + " WHERE k.tenant = ? ON CONFLICT DO NOTHING")) {
        st.setArray(1, c.createArrayOf("text", names));
        st.setString(2, TEMPLATE);
        st.executeUpdate();
      }
      c.commit();
    }
  }

  /** Fills a new table with the target's rows, then attaches it as the partition. */
  private static void build(Connection c, Target t, List<String> cols, String[] tenants)
      throws SQLException {
    StringBuilder select = new StringBuilder();
    for (String col : cols) {
      if (select.length() > 0) {
        select.append(", ");
      }
      switch (col) {
        case "tenant" -> select.append("n.name");
        case "window_start", "updated_at" -> select.append("x.window_start + s.shift");
        default -> select.append("x.").append(col);
      }
    }
    String list = String.join(", ", cols);
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE " + t.name + " (LIKE " + t.table + " INCLUDING DEFAULTS)");
    }
    try (PreparedStatement st =
        c.prepareStatement(
            "INSERT INTO "
                + t.name
                + " ("
                + list
                + ") SELECT "
                + select
                + " FROM "
                + t.table
                + " x CROSS JOIN unnest(?::text[]) AS n(name)"
                + " CROSS JOIN (SELECT ?::timestamptz - ?::timestamptz + h * ? * interval '1 second'"
                + " AS shift FROM generate_series(0, ? - 1) AS h) s"
                + " WHERE x.tenant = ? AND x.window_start >= ? AND x.window_start < ?"
                + resolutionFilter(t.resolution))) {
      st.setArray(1, c.createArrayOf("text", tenants));
      st.setObject(2, ts(t.from));
      st.setObject(3, ts(TEMPLATE_HOUR));
      st.setLong(4, t.unitSeconds);
      st.setInt(5, t.units);
      st.setString(6, TEMPLATE);
      // the template's first hour only (its day row starts there): its partitions, not the ones
      // loaded so far
      st.setObject(7, ts(TEMPLATE_HOUR));
      st.setObject(8, ts(TEMPLATE_HOUR.plus(Duration.ofHours(1))));
      long inserted = st.executeUpdate();
      if (inserted != t.rows) {
        throw new IllegalStateException(t.name + ": " + inserted + " rows, expected " + t.rows);
      }
    }
    String bounds =
        t.resolution == null
            ? String.format("FROM ('%s') TO ('%s')", t.lo, t.hi)
            : String.format(
                "FROM (%d, '%s') TO (%d, '%s')", t.resolution, t.lo, t.resolution, t.hi);
    try (Statement s = c.createStatement()) {
      s.execute("ALTER TABLE " + t.table + " ATTACH PARTITION " + t.name + " FOR VALUES " + bounds);
    }
  }

  private static List<String> columns(Connection c, String table) throws SQLException {
    List<String> cols = new ArrayList<>();
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT column_name FROM information_schema.columns WHERE table_schema ="
                + " current_schema() AND table_name = ? ORDER BY ordinal_position")) {
      st.setString(1, table);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          cols.add(rs.getString(1));
        }
      }
    }
    return cols;
  }

  /** Removes the template, records the rollups' progress as the job would have, analyses. */
  private static void finish(HikariDataSource ds) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      for (String table : TABLES) {
        for (Integer res :
            table.equals("window_exemplar")
                ? new Integer[] {null}
                : new Integer[] {10, 60, 3600, 86_400}) {
          s.execute(
              "SELECT tierscope_drop_partitions('"
                  + table
                  + "', "
                  + (res == null ? "NULL" : res)
                  + ", '2005-01-01T00:00:00Z')");
        }
        s.execute(
            "DELETE FROM "
                + table
                + " WHERE tenant = '"
                + TEMPLATE
                + "' AND window_start < '2005-01-01T00:00:00Z'");
      }
      s.execute("DELETE FROM partition_checkpoint");
      s.execute("DELETE FROM rollup_progress");
      try (PreparedStatement st =
          c.prepareStatement(
              "INSERT INTO rollup_progress (resolution_seconds, complete_before, rolled_at)"
                  + " VALUES (60, ?, ?), (3600, ?, ?), (86400, ?, ?)")) {
        for (int i = 1; i <= 4; i++) {
          st.setObject(i, ts(NOW));
        }
        st.setObject(5, ts(floor(NOW, 86_400)));
        st.setObject(6, ts(NOW));
        st.executeUpdate();
      }
      for (String table : TABLES) {
        s.execute("VACUUM ANALYZE " + table);
      }
    }
  }

  /** Rows and bytes (heap, TOAST and indexes) per table and resolution, per tenant-class-day. */
  private static void printSizes(HikariDataSource ds, List<Target> targets, int tenants, int days)
      throws SQLException {
    System.out.println(
        "stored, per (tenant, class, day) of each resolution: rows, bytes with indexes");
    Map<String, long[]> by = new LinkedHashMap<>();
    try (Connection c = ds.getConnection();
        PreparedStatement st =
            c.prepareStatement("SELECT pg_total_relation_size(to_regclass(?))")) {
      for (Target t : targets) {
        st.setString(1, t.name);
        try (ResultSet rs = st.executeQuery()) {
          rs.next();
          long[] a =
              by.computeIfAbsent(
                  t.table + (t.resolution == null ? "" : " " + t.resolution + " s"),
                  k -> new long[3]);
          a[0] += t.rows;
          a[1] += rs.getLong(1);
          a[2] += (long) t.hours();
        }
      }
    }
    long allRows = 0;
    long allBytes = 0;
    for (Map.Entry<String, long[]> e : by.entrySet()) {
      long[] a = e.getValue();
      double tenantClassDays = tenants * 3.0 * a[2] / 24.0;
      System.out.printf(
          "  %-24s %,13d rows %8.2f GB   per (tenant, class, day) %,9.0f rows %,12.0f bytes%n",
          e.getKey(), a[0], a[1] / 1e9, a[0] / tenantClassDays, a[1] / tenantClassDays);
      allRows += a[0];
      allBytes += a[1];
    }
    System.out.printf(
        "  in all                   %,13d rows %8.2f GB   per tenant and class over %d days: %,d rows,"
            + " %.2f GB%n",
        allRows, allBytes / 1e9, days, allRows / (tenants * 3L), allBytes / 1e9 / (tenants * 3));
  }

  // --- reads ----------------------------------------------------------------------------------

  private static void measureApi(DbSchema schema, int tenants, int samples) throws Exception {
    try (ConfigurableApplicationContext app = SloBenchmark.startApi(schema, NOW)) {
      String base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
      HttpClient http = HttpClient.newHttpClient();
      System.out.println(
          "EXAMPLE "
              + get(
                  http,
                  base
                      + "/api/v1/slo?tenant=tenant-001&class=interactive_premium&from="
                      + NOW.minus(Duration.ofDays(30)).toEpochMilli()
                      + "&to="
                      + NOW.toEpochMilli()));
      SplittableRandom random = new SplittableRandom(1);
      record Query(String name, Duration range, String path, double targetMs) {}
      List<Query> queries =
          List.of(
              new Query("/api/v1/slo 30 d", Duration.ofDays(30), "/api/v1/slo?", 50),
              new Query("/api/v1/slo 24 h", Duration.ofDays(1), "/api/v1/slo?", 20),
              new Query(
                  "/api/v1/slo/series 24 h, 1 min steps",
                  Duration.ofDays(1),
                  "/api/v1/slo/series?sli=ttft&stat=p95&step=1m&",
                  50));
      System.out.printf(
          "reads (%d each after as many for warm-up; random tenant and class, ends at random"
              + " milliseconds in the last 10 min; load %s):%n",
          samples, loadAverage());
      for (Query q : queries) {
        long[] ms = new long[samples];
        for (int pass = 0; pass < 2; pass++) {
          for (int i = 0; i < samples; i++) {
            Instant to = NOW.minusMillis(random.nextLong(600_000));
            String uri =
                base
                    + q.path
                    + "tenant="
                    + String.format("tenant-%03d", 1 + random.nextInt(tenants))
                    + "&class="
                    + CLASSES[random.nextInt(CLASSES.length)]
                    + "&from="
                    + to.minus(q.range).toEpochMilli()
                    + "&to="
                    + to.toEpochMilli();
            long t = System.nanoTime();
            get(http, uri);
            ms[i] = System.nanoTime() - t;
          }
        }
        Arrays.sort(ms);
        double p99 = ms[(int) Math.ceil(samples * 0.99) - 1] / 1e6;
        System.out.printf(
            "  %-38s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms   target p99 < %.0f ms: %s%n",
            q.name,
            ms[samples / 2] / 1e6,
            p99,
            ms[samples - 1] / 1e6,
            q.targetMs,
            p99 < q.targetMs ? "met" : "NOT met");
      }
    }
  }

  /**
   * The store's part of a {@code /api/v1/slo}: the two reads the SLO report makes (every histogram
   * and every counter it needs over the range), called in this JVM without the api around them.
   */
  private static void measureReader(HikariDataSource ds, int tenants, int samples) {
    WindowReader reader =
        new PostgresWindowReader(
            ds,
            10,
            Duration.ofSeconds(1),
            WindowReadMetrics.NONE,
            Clock.fixed(NOW, ZoneOffset.UTC));
    SplittableRandom random = new SplittableRandom(2);
    System.out.printf("store reads of one SLO report, in this JVM (load %s):%n", loadAverage());
    for (Duration range : List.of(Duration.ofDays(30), Duration.ofDays(1))) {
      long[] h = new long[samples];
      long[] c = new long[samples];
      for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < samples; i++) {
          Instant to = NOW.minusMillis(random.nextLong(600_000));
          List<Instant> r = List.of(to.minus(range), to);
          String tenant = String.format("tenant-%03d", 1 + random.nextInt(tenants));
          String cls = CLASSES[random.nextInt(CLASSES.length)];
          long t = System.nanoTime();
          reader.mergedPerInterval(tenant, cls, SloCalculator.METRICS, r);
          long t1 = System.nanoTime();
          reader.countersPerInterval(tenant, cls, SloCalculator.COUNTERS, r);
          h[i] = t1 - t;
          c[i] = System.nanoTime() - t1;
        }
      }
      Arrays.sort(h);
      Arrays.sort(c);
      System.out.printf(
          "  %-5s histograms p50 %6.2f ms p99 %6.2f ms; counters p50 %6.2f ms p99 %6.2f ms%n",
          range.toDays() + " d",
          h[samples / 2] / 1e6,
          h[(int) Math.ceil(samples * 0.99) - 1] / 1e6,
          c[samples / 2] / 1e6,
          c[(int) Math.ceil(samples * 0.99) - 1] / 1e6);
    }
  }

  private static String get(HttpClient http, String uri) throws Exception {
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(uri + " -> " + r.statusCode() + " " + r.body());
    }
    return r.body().length() > 600 ? r.body().substring(0, 600) + "..." : r.body();
  }

  // --- retention ------------------------------------------------------------------------------

  /**
   * Expires the oldest day of raw windows twice over: by dropping its partitions (what the rollup
   * job does) and, for the next day, by deleting its rows (what it did before partitioning).
   */
  private static void retention(HikariDataSource ds) throws SQLException {
    Instant oldest = NOW.minus(Duration.ofDays(2));
    Instant day = Instant.ofEpochSecond(Math.floorDiv(oldest.getEpochSecond(), 86_400) * 86_400);
    Instant next = day.plus(Duration.ofDays(1));
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement()) {
      long rows = 0;
      long dropNanos = 0;
      for (String table : new String[] {"window_histogram", "window_counter", "window_slice"}) {
        rows += count(c, table, day, next);
        long t = System.nanoTime();
        s.execute("SELECT tierscope_drop_partitions('" + table + "', 10, '" + next + "')");
        dropNanos += System.nanoTime() - t;
      }
      Instant after = next.plus(Duration.ofDays(1));
      long deleted = 0;
      long t = System.nanoTime();
      for (String table : new String[] {"window_histogram", "window_counter", "window_slice"}) {
        deleted +=
            s.executeUpdate(
                "DELETE FROM "
                    + table
                    + " WHERE resolution_seconds = 10 AND window_start >= '"
                    + next
                    + "' AND window_start < '"
                    + after
                    + "'");
      }
      long deleteNanos = System.nanoTime() - t;
      System.out.printf(
          "retention of raw windows: dropping the partitions of %s (%,d rows) took %.0f ms;"
              + " deleting the %,d rows of %s took %.0f ms: %.0fx the time per row, and VACUUM"
              + " has them still to do%n",
          day.toString().substring(0, 10),
          rows,
          dropNanos / 1e6,
          deleted,
          next.toString().substring(0, 10),
          deleteNanos / 1e6,
          (deleteNanos / (double) deleted) / (dropNanos / (double) rows));
    }
  }

  private static long count(Connection c, String table, Instant from, Instant to)
      throws SQLException {
    try (PreparedStatement st =
        c.prepareStatement(
            "SELECT count(*) FROM "
                + table
                + " WHERE resolution_seconds = 10 AND window_start >= ? AND window_start < ?")) {
      st.setObject(1, ts(from));
      st.setObject(2, ts(to));
      try (ResultSet rs = st.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  // --- helpers --------------------------------------------------------------------------------

  private static Instant floor(Instant t, long seconds) {
    return Instant.ofEpochSecond(Math.floorDiv(t.getEpochSecond(), seconds) * seconds);
  }

  private static Instant ceil(Instant t, long seconds) {
    return Instant.ofEpochSecond(-Math.floorDiv(-t.getEpochSecond(), seconds) * seconds);
  }

  private static String resolutionFilter(Integer res) {
    return res == null ? "" : " AND resolution_seconds = " + res;
  }

  private static void setResolution(PreparedStatement st, int i, Integer res) throws SQLException {
    if (res == null) {
      st.setNull(i, java.sql.Types.INTEGER);
    } else {
      st.setInt(i, res);
    }
  }

  /** Free space where the embedded PostgreSQL keeps its data, or -1 when not known. */
  private static long freeDisk(HikariDataSource ds) {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SHOW data_directory")) {
      rs.next();
      File dir = new File(rs.getString(1));
      return dir.exists() ? dir.getUsableSpace() : -1;
    } catch (SQLException e) {
      return -1;
    }
  }

  private static String loadAverage() {
    try {
      return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim();
    } catch (java.io.IOException e) {
      return "unknown";
    }
  }

  private static OffsetDateTime ts(Instant t) {
    return OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }
}
