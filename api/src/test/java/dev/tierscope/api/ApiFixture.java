package dev.tierscope.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.core.store.CheckpointStore;
import dev.tierscope.core.store.Rollups;
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
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One api under test per JVM, on a real PostgreSQL: a fresh schema migrated by the store, filled
 * through the aggregator's own recording code ({@link WindowAggregator}) and the store's write path
 * ({@link PostgresCheckpointStore#commit}), rolled up by the store's rollup job as of {@link
 * Scenarios#NOW}, then the api application started against it with its clock fixed at that instant.
 * Scenarios live in separate tenants, so the test classes share it.
 */
final class ApiFixture {

  private static ApiFixture instance;

  final DbSchema schema;
  final HikariDataSource dataSource;
  final ConfigurableApplicationContext app;
  final String baseUrl;
  final List<Req> day;
  final List<Req> burn;
  final Map<String, List<Req>> attribution = new LinkedHashMap<>();
  final Rollups.Result rollups;
  private final HttpClient http = HttpClient.newHttpClient();

  static synchronized ApiFixture get() {
    if (instance == null) {
      instance = new ApiFixture();
    }
    return instance;
  }

  private ApiFixture() {
    long started = System.nanoTime();
    schema = TestInfra.newSchema("api");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.jdbcUrl());
    config.setUsername(schema.user());
    config.setPassword(schema.password());
    config.setMaximumPoolSize(4);
    config.setPoolName("api-it-fill");
    dataSource = new HikariDataSource(config);
    Migrations.migrate(dataSource);

    day = Scenarios.day();
    burn = Scenarios.burn();
    attribution.put("attr-edge", Scenarios.attribution("attr-edge", 11, Scenarios::slowVpn));
    attribution.put("attr-mesh", Scenarios.attribution("attr-mesh", 12, Scenarios::slowRetrieval));
    attribution.put(
        "attr-model", Scenarios.attribution("attr-model", 13, Scenarios::saturatedQueue));
    attribution.put("attr-healthy", Scenarios.attribution("attr-healthy", 14, r -> {}));

    List<Req> all = new ArrayList<>(day);

    all.addAll(burn);
    attribution.values().forEach(all::addAll);
    write(all);
    long filled = System.nanoTime();
    rollups = new PostgresRollups(dataSource, Rollups.Settings.defaults()).run(Scenarios.NOW);
    long rolled = System.nanoTime();

    SpringApplication application = new SpringApplication(ApiApplication.class);
    application.setBannerMode(Banner.Mode.OFF);
    application.setDefaultProperties(Map.of("spring.config.name", ApiApplication.CONFIG_NAME));
    application.addInitializers(
        ctx ->
            ctx.getBeanFactory()
                .registerSingleton("clock", Clock.fixed(Scenarios.NOW, ZoneOffset.UTC)));
    app =
        application.run(
            "--server.port=0",
            "--spring.datasource.url=" + schema.jdbcUrl(),
            "--spring.datasource.username=" + schema.user(),
            "--spring.datasource.password=" + schema.password(),
            "--tierscope.classes.objectives.interactive_premium.ttft-threshold=737ms",
            "--tierscope.classes.objectives.interactive_premium.toolchain-threshold=2345ms",
            "--tierscope.classes.spec-file=" + SPEC_FILE,
            "--tierscope.api.rollup-progress-ttl=0s",
            // No admission control rounds: the leader reads windows every second through the
            // same metered reader, and tests count the rows a request reads (SloApiIT);
            // ControlApiIT runs instances of its own.
            "--tierscope.control.enabled=false");
    baseUrl = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
    System.out.printf(
        "api fixture: %d requests written in %d ms, rolled up in %d ms (%s), api started in %d"
            + " ms%n",
        all.size(),
        (filled - started) / 1_000_000,
        (rolled - filled) / 1_000_000,
        rollups,
        (System.nanoTime() - rolled) / 1_000_000);
  }

  /** The spec file the api reads: default objectives from a file, and a component objective. */
  static final String SPEC_FILE = "src/test/resources/api-slo.yaml";

  /** Records the requests as the aggregator does and commits the deltas through the store. */
  private void write(List<Req> requests) {
    WindowAggregator windows = new WindowAggregator(10_000, 2, Scenarios::ttftThresholdMicros);
    for (Req r : requests) {
      windows.record(r.summary());
    }
    List<WindowDelta> deltas = windows.drain();
    CheckpointStore store = new PostgresCheckpointStore(dataSource);
    // Two writers, as two aggregator instances would be; each delta is a window of its own.
    int half = deltas.size() / 2;
    CompletableFuture<Void> second =
        CompletableFuture.runAsync(() -> commit(store, deltas.subList(half, deltas.size())));
    commit(store, deltas.subList(0, half));
    second.join();
  }

  private static void commit(CheckpointStore store, List<WindowDelta> deltas) {
    for (int i = 0; i < deltas.size(); i += 1_000) {
      store.commit("api-it", 1, List.of(), deltas.subList(i, Math.min(deltas.size(), i + 1_000)));
    }
  }

  HttpResponse<String> get(String pathAndQuery) {
    try {
      return http.send(
          HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException("GET " + pathAndQuery + " failed", e);
    }
  }

  /** GET that must answer 200 with JSON. */
  DocumentContext json(String pathAndQuery) {
    HttpResponse<String> r = get(pathAndQuery);
    assertThat(r.statusCode()).as(pathAndQuery + " -> " + r.body()).isEqualTo(200);
    return JsonPath.parse(r.body());
  }

  /** Window rows of a resolution the api has read so far (its own metric). */
  long rowsRead(int resolutionSeconds) {
    HttpResponse<String> r =
        get("/actuator/metrics/tierscope.api.window.rows?tag=resolution:" + resolutionSeconds);
    if (r.statusCode() == 404) {
      return 0;
    }
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    Double v = JsonPath.parse(r.body()).read("$.measurements[0].value", Double.class);
    return v.longValue();
  }
}
