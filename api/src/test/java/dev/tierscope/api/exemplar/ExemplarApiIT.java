package dev.tierscope.api.exemplar;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.api.ApiApplication;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Exemplar;
import dev.tierscope.core.window.Metric;
import dev.tierscope.core.window.WindowDelta;
import dev.tierscope.core.window.WindowKey;
import dev.tierscope.store.Migrations;
import dev.tierscope.store.PostgresCheckpointStore;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * {@code GET /api/v1/exemplars} on a real PostgreSQL: exemplars committed through the store's write
 * path come back slowest first, limited, flagged against the class's TTFT threshold, per tenant and
 * class; bad parameters are problem+json naming the parameter.
 */
class ExemplarApiIT {

  private static final Instant T0 = Instant.parse("2026-11-20T10:00:00Z");
  private static final String TENANT = "exemplar-api";

  private static DbSchema schema;
  private static HikariDataSource dataSource;
  private static ConfigurableApplicationContext app;
  private static String baseUrl;
  private static final HttpClient http = HttpClient.newHttpClient();

  /** Premium exemplars written: trace id -> TTFT microseconds, slowest first. */
  private static final List<Exemplar> premium = new ArrayList<>();

  @BeforeAll
  static void start() {
    schema = TestInfra.newSchema("exemplar_api");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.jdbcUrl());
    config.setUsername(schema.user());
    config.setPassword(schema.password());
    config.setMaximumPoolSize(2);
    dataSource = new HikariDataSource(config);
    Migrations.migrate(dataSource);

    List<WindowDelta> deltas = new ArrayList<>();
    for (int w = 0; w < 12; w++) {
      List<Exemplar> window = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        // 40 ms steps from 500 ms to 1.9 s: some above the premium threshold (800 ms), some not.
        long ttft = 500_000 + 40_000L * (w * 3 + i);
        window.add(new Exemplar(String.format("%032x", 1_000 + w * 3 + i), ttft));
      }
      window.sort(Comparator.comparingLong(Exemplar::ttftMicros).reversed());
      premium.addAll(window);
      long start = T0.plusSeconds(10L * w).toEpochMilli();
      deltas.add(delta(new WindowKey(TENANT, "interactive_premium", start), window));
      deltas.add(
          delta(
              new WindowKey(TENANT, "deferred_batch", start),
              List.of(new Exemplar(String.format("%032x", 9_000 + w), 40_000_000))));
    }
    premium.sort(Comparator.comparingLong(Exemplar::ttftMicros).reversed());
    deltas.addAll(tierCase());
    new PostgresCheckpointStore(dataSource).commit("exemplar-api-it", 1, List.of(), deltas);

    SpringApplication application = new SpringApplication(ApiApplication.class);
    application.setBannerMode(Banner.Mode.OFF);
    application.setDefaultProperties(Map.of("spring.config.name", ApiApplication.CONFIG_NAME));
    app =
        application.run(
            "--server.port=0",
            "--spring.datasource.url=" + schema.jdbcUrl(),
            "--spring.datasource.username=" + schema.user(),
            "--spring.datasource.password=" + schema.password());
    baseUrl = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    if (dataSource != null) {
      dataSource.close();
    }
  }

  @Test
  void slowestComeFirstWithTheirTtftAndVerdictAgainstTheClassThreshold() {
    DocumentContext j =
        json(
            "/api/v1/exemplars?class=interactive_premium&tenant="
                + TENANT
                + "&from="
                + T0
                + "&to="
                + T0.plusSeconds(120).toEpochMilli());
    assertThat(j.read("$.class", String.class)).isEqualTo("interactive_premium");
    assertThat(j.read("$.tenant", String.class)).isEqualTo(TENANT);
    assertThat(j.read("$.limit", Integer.class)).isEqualTo(20);
    assertThat(j.read("$.thresholdMs", Double.class)).isEqualTo(800.0);
    List<String> ids = j.read("$.exemplars[*].traceId");
    assertThat(ids)
        .containsExactlyElementsOf(premium.subList(0, 20).stream().map(Exemplar::traceId).toList());
    List<Double> ttft = j.read("$.exemplars[*].ttftMs");
    assertThat(ttft.get(0)).isEqualTo(premium.get(0).ttftMicros() / 1000.0);
    List<Boolean> over = j.read("$.exemplars[*].overThreshold");
    for (int i = 0; i < 20; i++) {
      assertThat(over.get(i)).as("exemplar %d", i).isEqualTo(ttft.get(i) > 800.0);
    }
    List<Boolean> all =
        json("/api/v1/exemplars?class=interactive_premium&limit=100&tenant="
                + TENANT
                + "&from="
                + T0
                + "&to="
                + T0.plusSeconds(120))
            .read("$.exemplars[*].overThreshold");
    // 500 ms to 1.9 s in 40 ms steps: 8 at or under 800 ms, 28 above.
    assertThat(all).hasSize(36);
    assertThat(all.stream().filter(b -> !b).count()).isEqualTo(8);
    assertThat(Instant.parse(j.read("$.exemplars[0].windowStart", String.class)))
        .isEqualTo(T0.plusSeconds(110));
  }

  /** Tenant {@value #TIERS}: an hour of baseline components, then one window of exemplars. */
  private static final String TIERS = "exemplar-tiers";

  private static final Instant TIERS_AT = T0.plus(java.time.Duration.ofHours(2));

  private static List<WindowDelta> tierCase() {
    List<WindowDelta> out = new ArrayList<>();
    java.util.SplittableRandom random = new java.util.SplittableRandom(3);
    for (int w = 0; w < 360; w++) {
      Map<Metric, Histogram> h = new EnumMap<>(Metric.class);
      for (Metric m : List.of(Metric.EDGE, Metric.MESH, Metric.MODEL)) {
        h.put(m, new Histogram(2));
      }
      for (int i = 0; i < 3; i++) {
        h.get(Metric.EDGE).recordValue(40_000 + random.nextLong(20_000));
        // a fifth of the requests have a long tool chain
        h.get(Metric.MESH)
            .recordValue(
                random.nextInt(5) == 0
                    ? 300_000 + random.nextLong(150_000)
                    : 80_000 + random.nextLong(40_000));
        h.get(Metric.MODEL).recordValue(120_000 + random.nextLong(60_000));
      }
      out.add(
          new WindowDelta(
              new WindowKey(
                  TIERS,
                  "interactive_premium",
                  TIERS_AT.minusSeconds(3600).plusSeconds(10L * w).toEpochMilli()),
              10_000,
              h,
              Map.of(CounterKey.of(Counter.REQUESTS), 3L)));
    }
    out.add(
        delta(
            new WindowKey(TIERS, "interactive_premium", TIERS_AT.toEpochMilli()),
            List.of(
                // a long tool chain as usual, but an edge above every baseline edge
                new Exemplar(
                    "e".repeat(32),
                    800_000,
                    new Exemplar.Breakdown(
                        300_000, 350_000, 150_000, 20_000, "tool", "vpn", false, 0)),
                new Exemplar(
                    "f".repeat(32),
                    700_000,
                    new Exemplar.Breakdown(
                        450_000, 100_000, 150_000, 20_000, "policy", "direct", true, 0)),
                new Exemplar(
                    "a".repeat(32),
                    1_200_000,
                    new Exemplar.Breakdown(
                        50_000, 100_000, 1_050_000, 800_000, "retrieval", "direct", false, 0)),
                new Exemplar("0".repeat(31) + "1", 600_000))));
    return out;
  }

  @Test
  void eachExemplarNamesItsMostUnusualTierAgainstTheBaseline() {
    DocumentContext j =
        json(
            "/api/v1/exemplars?class=interactive_premium&tenant="
                + TIERS
                + "&from="
                + TIERS_AT
                + "&to="
                + TIERS_AT.plusSeconds(10));
    assertThat(j.read("$.exemplars[*].traceId", List.class))
        .containsExactly("a".repeat(32), "e".repeat(32), "f".repeat(32), "0".repeat(31) + "1");
    assertThat(j.read("$.exemplars[*].dominantTier", List.class))
        .containsExactly("model", "edge", "edge", null);
    assertThat(j.read("$.exemplars[*].component", List.class))
        .containsExactly("queue", "network", "protocol_fallback", "");
    assertThat(j.read("$.exemplars[1].tierPercentile", Double.class)).isEqualTo(100.0);
    assertThat(j.read("$.exemplars[1].edgeMs", Double.class)).isEqualTo(300.0);
    assertThat(j.read("$.exemplars[1].meshMs", Double.class)).isEqualTo(350.0);
    assertThat(j.read("$.exemplars[1].modelMs", Double.class)).isEqualTo(150.0);
    assertThat(j.read("$.exemplars[1].queueMs", Double.class)).isEqualTo(20.0);
    assertThat(j.read("$.exemplars[1].clientPath", String.class)).isEqualTo("vpn");
    assertThat(j.read("$.exemplars[3].edgeMs", Double.class)).isNull();
  }

  @Test
  void limitAndRangeSelectTheExemplars() {
    DocumentContext j =
        json(
            "/api/v1/exemplars?class=interactive_premium&tenant="
                + TENANT
                + "&limit=2&from="
                + T0.toEpochMilli()
                + "&to="
                + T0.plusSeconds(20).toEpochMilli());
    // Windows 0 and 1 only: exemplars 0..5, the slowest two are 5 and 4.
    assertThat(j.read("$.exemplars[*].traceId", List.class))
        .containsExactly(String.format("%032x", 1_005), String.format("%032x", 1_004));
    assertThat(
            json("/api/v1/exemplars?class=deferred_batch&tenant="
                    + TENANT
                    + "&from="
                    + T0
                    + "&to="
                    + T0.plusSeconds(120))
                .read("$.exemplars[*].overThreshold", List.class))
        .hasSize(12)
        .containsOnly(true);
    assertThat(
            json("/api/v1/exemplars?class=interactive_premium&from="
                    + T0
                    + "&to="
                    + T0.plusSeconds(120))
                .read("$.exemplars", List.class))
        .as("the default tenant has none")
        .isEmpty();
  }

  @Test
  void badParametersAreProblemsNamingTheParameter() throws Exception {
    String range = "&from=" + T0 + "&to=" + T0.plusSeconds(60);
    assertProblem("/api/v1/exemplars?class=interactive_premium&limit=0" + range, "limit");
    assertProblem("/api/v1/exemplars?class=interactive_premium&limit=1001" + range, "limit");
    assertProblem("/api/v1/exemplars?class=interactive_premium&limit=many" + range, "limit");
    assertProblem("/api/v1/exemplars?class=premium" + range, "class");
    assertProblem("/api/v1/exemplars?class=interactive_premium&from=" + T0, "to");
  }

  @Test
  void openApiDocumentListsTheEndpoint() {
    assertThat(
            json("/v3/api-docs")
                .read("$.paths['/api/v1/exemplars'].get.parameters[*].name", List.class))
        .contains("class", "from", "to", "limit", "tenant");
  }

  private static void assertProblem(String pathAndQuery, String parameter) throws Exception {
    HttpResponse<String> r = get(pathAndQuery);
    assertThat(r.statusCode()).as(pathAndQuery + " -> " + r.body()).isEqualTo(400);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(JsonPath.parse(r.body()).read("$.parameter", String.class)).isEqualTo(parameter);
  }

  private static WindowDelta delta(WindowKey key, List<Exemplar> exemplars) {
    return new WindowDelta(
        key,
        10_000,
        Map.of(),
        Map.of(CounterKey.of(Counter.REQUESTS), (long) exemplars.size()),
        exemplars);
  }

  private static HttpResponse<String> get(String pathAndQuery) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static DocumentContext json(String pathAndQuery) {
    try {
      HttpResponse<String> r = get(pathAndQuery);
      assertThat(r.statusCode()).as(pathAndQuery + " -> " + r.body()).isEqualTo(200);
      return JsonPath.parse(r.body());
    } catch (Exception e) {
      throw new IllegalStateException("GET " + pathAndQuery + " failed", e);
    }
  }
}
