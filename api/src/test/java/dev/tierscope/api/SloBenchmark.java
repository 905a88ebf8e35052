package dev.tierscope.api;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.core.slo.SloCalculator;
import dev.tierscope.core.store.CheckpointStore;
import dev.tierscope.core.store.Rollups;
import dev.tierscope.core.store.WindowReader;
import dev.tierscope.core.window.WindowAggregator;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.store.Migrations;
import dev.tierscope.store.PostgresCheckpointStore;
import dev.tierscope.store.PostgresRollups;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Benchmark (not a test): latency of {@code GET /api/v1/slo} for 1 h, 24 h and 7 d ranges on a
 * store holding a realistic week of one class's 10 s windows and its rollups.
 *
 * <p>It fills a fresh schema on the test PostgreSQL ({@code TIERSCOPE_DB_URL}, else an embedded
 * one) through the aggregator's recording code and the store's commit path: every 10 s window of 7
 * days with up to {@code -Drequests=40} premium requests following the time of day (about 1.45
 * million), queue saturation for 85% of the requests of the last hour, then runs the store's rollup
 * job (with its default retention, so raw windows older than 2 days are gone as in production). It
 * starts the api, prints one response of each endpoint, and measures each range {@code
 * -Dsamples=300} times after a warm-up, with ends moved by random, unaligned offsets so that every
 * query has ragged edges.
 *
 * <pre>
 * java -cp ... dev.tierscope.api.SloBenchmark
 * </pre>
 */
public final class SloBenchmark {

  private SloBenchmark() {}

  public static void main(String[] args) throws Exception {
    int perWindow = Integer.getInteger("requests", 40);
    int samples = Integer.getInteger("samples", 300);
    Instant now = Instant.parse("2026-11-27T12:00:00Z");
    Instant start = now.minus(Duration.ofDays(7));

    DbSchema schema = TestInfra.newSchema("bench");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.jdbcUrl());
    config.setUsername(schema.user());
    config.setPassword(schema.password());
    config.setMaximumPoolSize(4);
    try (HikariDataSource ds = new HikariDataSource(config)) {
      Migrations.migrate(ds);
      long t0 = System.nanoTime();
      long requests = fill(ds, start, now, perWindow);
      long t1 = System.nanoTime();
      Rollups.Result r = new PostgresRollups(ds, Rollups.Settings.defaults()).run(now);
      long t2 = System.nanoTime();
      System.out.printf(
          "filled %d requests into %d windows in %d s; rollups %s in %d s%n",
          requests,
          Duration.between(start, now).toSeconds() / 10,
          (t1 - t0) / 1_000_000_000,
          r,
          (t2 - t1) / 1_000_000_000);
      printRowCounts(ds);
      // steady state: what autovacuum would have done by now on a store filled over a week
      try (Connection c = ds.getConnection();
          Statement s = c.createStatement()) {
        s.execute("VACUUM ANALYZE window_histogram");
        s.execute("VACUUM ANALYZE window_counter");
      }

      try (ConfigurableApplicationContext app = startApi(schema, now)) {
        String base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
        HttpClient http = HttpClient.newHttpClient();
        printExamples(http, base, now);
        SplittableRandom random = new SplittableRandom(1);
        for (Duration range :
            List.of(Duration.ofHours(1), Duration.ofDays(1), Duration.ofDays(7))) {
          measure(http, base, now, range, samples, random, null); // warm-up
          long[] ms = new long[samples];
          measure(http, base, now, range, samples, random, ms);
          Arrays.sort(ms);
          System.out.printf(
              "GET /api/v1/slo range %-4s  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (%d requests)%n",
              range.toHours() >= 24 ? range.toDays() + "d" : range.toHours() + "h",
              ms[samples / 2] / 1e6,
              ms[(int) Math.ceil(samples * 0.99) - 1] / 1e6,
              ms[samples - 1] / 1e6,
              samples);
        }
        breakdown(app.getBean(WindowReader.class), now, samples, random);
      }
    }
    System.exit(0);
  }

  /** The api on a free port, reading the schema, its clock fixed at {@code now}; quiet logs. */
  static ConfigurableApplicationContext startApi(DbSchema schema, Instant now) {
    SpringApplication application = new SpringApplication(ApiApplication.class);
    application.setBannerMode(Banner.Mode.OFF);
    application.setDefaultProperties(
        Map.of("spring.config.name", ApiApplication.CONFIG_NAME, "logging.level.root", "WARN"));
    application.addInitializers(
        ctx -> ctx.getBeanFactory().registerSingleton("clock", Clock.fixed(now, ZoneOffset.UTC)));
    return application.run(
        "--server.port=0",
        "--spring.datasource.url=" + schema.jdbcUrl(),
        "--spring.datasource.username=" + schema.user(),
        "--spring.datasource.password=" + schema.password());
  }

  /** Where a 24 h /slo spends its time: the histogram read (with decoding) and the counter read. */
  private static void breakdown(WindowReader reader, Instant now, int n, SplittableRandom random) {
    long[] h = new long[n];
    long[] c = new long[n];
    for (int i = 0; i < n; i++) {
      Instant to = now.minusMillis(random.nextLong(600_000));
      List<Instant> range = List.of(to.minus(Duration.ofDays(1)), to);
      long t = System.nanoTime();
      reader.mergedPerInterval("default", Scenarios.PREMIUM, SloCalculator.METRICS, range);
      long t1 = System.nanoTime();
      reader.countersPerInterval("default", Scenarios.PREMIUM, SloCalculator.COUNTERS, range);
      h[i] = t1 - t;
      c[i] = System.nanoTime() - t1;
    }
    Arrays.sort(h);
    Arrays.sort(c);
    System.out.printf(
        "24 h reader breakdown: histograms p50 %.2f ms p99 %.2f ms; counters p50 %.2f ms p99 %.2f"
            + " ms%n",
        h[n / 2] / 1e6, h[n * 99 / 100] / 1e6, c[n / 2] / 1e6, c[n * 99 / 100] / 1e6);
  }

  /** Records a week hour by hour with the aggregator's code; two writers commit the deltas. */
  private static long fill(HikariDataSource ds, Instant start, Instant end, int perWindow) {
    CheckpointStore store = new PostgresCheckpointStore(ds);
    SplittableRandom rnd = new SplittableRandom(42);
    Instant saturated = end.minus(Duration.ofMinutes(60));
    long n = 0;
    CompletableFuture<Void> pending = CompletableFuture.completedFuture(null);
    for (Instant hour = start; hour.isBefore(end); hour = hour.plus(Duration.ofHours(1))) {
      WindowAggregator windows = new WindowAggregator(10_000, 2, Scenarios::ttftThresholdMicros);
      for (Instant w = hour; w.isBefore(hour.plus(Duration.ofHours(1))); w = w.plusSeconds(10)) {
        double diurnal =
            0.6 + 0.4 * Math.sin((w.getEpochSecond() % 86_400) / 86_400.0 * 2 * Math.PI);
        int k = (int) Math.round(perWindow * diurnal);
        for (int i = 0; i < k; i++, n++) {
          Req r =
              Scenarios.healthy(
                  rnd,
                  "default",
                  Scenarios.PREMIUM,
                  Scenarios.micros(w) + rnd.nextLong(10_000_000));
          if (!w.isBefore(saturated) && rnd.nextDouble() < 0.85) {
            Scenarios.saturatedQueue(r);
          }
          windows.record(r.summary());
        }
      }
      List<WindowDelta> deltas = windows.drain();
      int half = deltas.size() / 2;
      pending.join();
      pending =
          CompletableFuture.runAsync(
              () -> store.commit("bench", 1, List.of(), deltas.subList(half, deltas.size())));
      store.commit("bench", 1, List.of(), deltas.subList(0, half));
    }
    pending.join();
    return n;
  }

  private static void printRowCounts(HikariDataSource ds) throws Exception {
    try (Connection c = ds.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT 'histogram', resolution_seconds, count(*) FROM window_histogram GROUP BY 2"
                    + " UNION ALL SELECT 'counter', resolution_seconds, count(*) FROM"
                    + " window_counter GROUP BY 2 ORDER BY 1, 2")) {
      while (rs.next()) {
        System.out.printf("  %s rows at %d s: %d%n", rs.getString(1), rs.getInt(2), rs.getLong(3));
      }
    }
  }

  private static void measure(
      HttpClient http,
      String base,
      Instant now,
      Duration range,
      int n,
      SplittableRandom random,
      long[] out)
      throws Exception {
    for (int i = 0; i < n; i++) {
      // ends up to 10 minutes before now, at any millisecond: ragged edges every time
      Instant to = now.minusMillis(random.nextLong(600_000));
      Instant from = to.minus(range);
      URI uri =
          URI.create(
              base
                  + "/api/v1/slo?class=interactive_premium&from="
                  + from.toEpochMilli()
                  + "&to="
                  + to.toEpochMilli());
      long t = System.nanoTime();
      HttpResponse<String> r =
          http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      long took = System.nanoTime() - t;
      if (r.statusCode() != 200) {
        throw new IllegalStateException(uri + " -> " + r.statusCode() + " " + r.body());
      }
      if (out != null) {
        out[i] = took;
      }
    }
  }

  private static void printExamples(HttpClient http, String base, Instant now) throws Exception {
    Instant hour = now.minus(Duration.ofHours(1));
    List<String> paths = new ArrayList<>();
    paths.add("/api/v1/classes");
    paths.add("/api/v1/slo?class=interactive_premium&from=" + hour + "&to=" + now);
    paths.add(
        "/api/v1/slo/series?class=interactive_premium&sli=ttft&stat=p95&from="
            + now.minus(Duration.ofHours(6))
            + "&to="
            + now
            + "&step=1h");
    paths.add("/api/v1/budget?class=interactive_premium&sli=ttft");
    paths.add("/api/v1/alerts");
    paths.add(
        "/api/v1/attribution?class=interactive_premium&from="
            + now.minus(Duration.ofMinutes(60))
            + "&to="
            + now);
    paths.add(
        "/api/v1/capacity/tokens?from="
            + now.minus(Duration.ofDays(1))
            + "&to="
            + now
            + "&step=12h");
    paths.add("/api/v1/exemplars?class=interactive_premium&limit=3&from=" + hour + "&to=" + now);
    paths.add("/api/v1/slo?class=gold&from=" + hour + "&to=" + now);
    for (String p : paths) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base + p)).build(),
              HttpResponse.BodyHandlers.ofString());
      System.out.println("EXAMPLE GET " + p + " -> " + r.statusCode());
      System.out.println(r.body());
    }
  }
}
