package dev.tierscope.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.tierscope.auth.Scope;
import dev.tierscope.testsupport.TestTokens;
import dev.tierscope.testsupport.monitoring.PrometheusServer;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The api with {@code tierscope.auth.mode=token} over the fixture's data: every endpoint the
 * OpenAPI document lists answers 401 without a valid token, 403 for a token without the read scope
 * or for another tenant (named by {@code ?tenant=} or {@code X-Scope-OrgID}), and, for the caller's
 * own tenant, exactly what the unauthenticated fixture answers for that tenant: reads are limited
 * to the caller's tenants both ways.
 */
class ApiAuthIT {

  static final String RANGE = "from=2026-11-20T09:00:00Z&to=2026-11-20T12:00:00Z";

  /** What an endpoint reads of the tenants. */
  enum Reads {
    /** No tenant's data (the class list): the same for every caller. */
    NO_TENANT,
    /** One tenant: the one named, else the caller's only one; a caller of several must name one. */
    ONE_TENANT,
    /**
     * Several tenants (the Prometheus scrape): the ones named, else every tenant of the caller (all
     * of them for a token of any tenant).
     */
    CALLERS_TENANTS
  }

  /**
   * A valid query (without a tenant) for every endpoint, and what it reads. A new endpoint must be
   * added here: the test fails for an endpoint of the OpenAPI document it does not know, so that no
   * endpoint escapes these checks.
   */
  record Sample(String query, Reads reads, boolean eventStream) {
    Sample(String query, Reads reads) {
      this(query, reads, false);
    }
  }

  static final Map<String, Sample> SAMPLES =
      Map.ofEntries(
          Map.entry("/api/v1/classes", new Sample("", Reads.NO_TENANT)),
          Map.entry(
              "/api/v1/slo", new Sample("class=interactive_premium&" + RANGE, Reads.ONE_TENANT)),
          Map.entry(
              "/api/v1/slo/series",
              new Sample(
                  "class=interactive_premium&sli=ttft&stat=p95&step=1h&" + RANGE,
                  Reads.ONE_TENANT)),
          Map.entry(
              "/api/v1/budget", new Sample("class=interactive_premium&sli=ttft", Reads.ONE_TENANT)),
          Map.entry("/api/v1/alerts", new Sample("", Reads.ONE_TENANT)),
          Map.entry(
              "/api/v1/attribution",
              new Sample("class=interactive_premium&" + RANGE, Reads.ONE_TENANT)),
          Map.entry("/api/v1/capacity/tokens", new Sample("step=1h&" + RANGE, Reads.ONE_TENANT)),
          Map.entry(
              "/api/v1/exemplars",
              new Sample("class=interactive_premium&" + RANGE, Reads.ONE_TENANT)),
          Map.entry("/api/v1/metrics", new Sample("", Reads.CALLERS_TENANTS)),
          Map.entry("/api/v1/control", new Sample("", Reads.ONE_TENANT)),
          Map.entry("/api/v1/control/stream", new Sample("", Reads.ONE_TENANT, true)));

  static final TestTokens TOKENS =
      new TestTokens()
          .add("day-reader", "day", Scope.READ)
          .add("burn-reader", "burn", Scope.READ)
          .add("both", "burn,day", Scope.READ)
          .add("day-ingest", "day", Scope.INGEST)
          .add("operator", "*", Scope.READ, Scope.ADMIN);

  static final HttpClient HTTP = HttpClient.newHttpClient();

  static ApiFixture f;
  static ConfigurableApplicationContext app;
  static String baseUrl;

  @BeforeAll
  static void start() throws Exception {
    f = ApiFixture.get();
    Path dir = Files.createTempDirectory("api-auth");
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
            "--spring.datasource.url=" + f.schema.jdbcUrl(),
            "--spring.datasource.username=" + f.schema.user(),
            "--spring.datasource.password=" + f.schema.password(),
            "--tierscope.classes.objectives.interactive_premium.ttft-threshold=737ms",
            "--tierscope.classes.objectives.interactive_premium.toolchain-threshold=2345ms",
            "--tierscope.classes.spec-file=" + ApiFixture.SPEC_FILE,
            "--tierscope.api.rollup-progress-ttl=0s",
            // as the fixture's api: no admission control leader, so the control endpoints answer
            // the same (no signals) on both, and the event stream answers at once all the same
            "--tierscope.control.enabled=false",
            "--tierscope.auth.mode=token",
            "--tierscope.auth.token-file=" + TOKENS.write(dir.resolve("tokens")));
    baseUrl = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
  }

  @Test
  void everyEndpointOfTheOpenApiDocumentIsCovered() {
    DocumentContext doc = JsonPath.parse(get("/v3/api-docs", Map.of()).body());
    Map<String, Object> paths = doc.read("$.paths");
    assertThat(new TreeSet<>(SAMPLES.keySet()))
        .as("add a sample query to SAMPLES for every endpoint")
        .containsAll(new TreeSet<>(paths.keySet()));
  }

  @Test
  void withoutAValidTokenEveryEndpointIs401() {
    for (String path : SAMPLES.keySet()) {
      for (Map<String, String> headers :
          List.of(
              Map.<String, String>of(),
              Map.of("Authorization", "Bearer tsk_notissued"),
              Map.of("Authorization", "Basic ZGF5OnJlYWRlcg=="),
              Map.of("X-Scope-OrgID", "day"))) {
        Answer a = get(url(path, null), headers);
        assertThat(a.status()).as("%s %s", path, headers).isEqualTo(401);
        assertThat(a.contentType()).as(path).startsWith("application/problem+json");
        assertThat(a.wwwAuthenticate()).as(path).isEqualTo("Bearer realm=\"tierscope\"");
        assertThat(JsonPath.parse(a.body()).read("$.status", Integer.class)).isEqualTo(401);
      }
    }
  }

  @Test
  void aTokenWithoutTheReadScopeIs403() {
    for (String path : SAMPLES.keySet()) {
      Answer a = get(url(path, null), Map.of("Authorization", TOKENS.bearer("day-ingest")));
      assertThat(a.status()).as(path).isEqualTo(403);
      assertThat(a.contentType()).startsWith("application/problem+json");
      assertThat(JsonPath.parse(a.body()).read("$.detail", String.class))
          .isEqualTo("token 'day-ingest' lacks the scope 'read' (it has: ingest)");
    }
  }

  @Test
  void aTenantsTokenCannotReadAnotherTenantInEitherDirection() {
    for (String path : SAMPLES.keySet()) {
      for (String[] pair : new String[][] {{"day-reader", "burn"}, {"burn-reader", "day"}}) {
        Map<String, String> auth = Map.of("Authorization", TOKENS.bearer(pair[0]));
        Answer byParameter = get(url(path, pair[1]), auth);
        Answer byHeader =
            get(
                url(path, null),
                Map.of("Authorization", TOKENS.bearer(pair[0]), "X-Scope-OrgID", pair[1]));
        Answer both =
            get(
                url(path, pair[1]),
                Map.of(
                    "Authorization",
                    TOKENS.bearer(pair[0]),
                    "X-Scope-OrgID",
                    pair[0].replace("-reader", "")));
        for (Answer a : List.of(byParameter, byHeader, both)) {
          assertThat(a.status()).as("%s %s reading %s", path, pair[0], pair[1]).isEqualTo(403);
          assertThat(JsonPath.parse(a.body()).read("$.detail", String.class))
              .isEqualTo(
                  "token '"
                      + pair[0]
                      + "' may not act for tenant '"
                      + pair[1]
                      + "' (its tenants: "
                      + pair[0].replace("-reader", "")
                      + ")");
        }
      }
    }
  }

  @Test
  void aTokenReadsItsOwnTenantExactlyAsTheUnauthenticatedApiAnswersForIt() {
    for (Map.Entry<String, Sample> e : SAMPLES.entrySet()) {
      String path = e.getKey();
      for (String tenant : List.of("day", "burn")) {
        String own = TOKENS.bearer(tenant + "-reader");
        // an event stream never ends: its answer is its status and type (the body is not read)
        String expected =
            e.getValue().eventStream()
                ? ""
                : f.get(url(path, e.getValue().reads() == Reads.NO_TENANT ? null : tenant)).body();

        Answer implicit = get(url(path, null), Map.of("Authorization", own));
        Answer viaHeader =
            get(url(path, null), Map.of("Authorization", own, "X-Scope-OrgID", tenant));
        Answer viaParameter = get(url(path, tenant), Map.of("Authorization", own));
        Answer multiTenant =
            get(
                url(path, null),
                Map.of("Authorization", TOKENS.bearer("both"), "X-Scope-OrgID", tenant));
        Answer anyTenant =
            get(url(path, tenant), Map.of("Authorization", TOKENS.bearer("operator")));

        for (Answer a : List.of(implicit, viaHeader, viaParameter, multiTenant, anyTenant)) {
          assertThat(a.status()).as("%s as %s: %s", path, tenant, a.body()).isEqualTo(200);
          assertThat(a.body()).as("%s as %s", path, tenant).isEqualTo(expected);
          if (e.getValue().eventStream()) {
            assertThat(a.contentType()).as(path).startsWith("text/event-stream");
          }
        }
      }
    }
    // the two tenants' answers differ, so the comparison above could tell them apart
    assertThat(f.get(url("/api/v1/alerts", "day")).body())
        .isNotEqualTo(f.get(url("/api/v1/alerts", "burn")).body());
    assertThat(f.get(url("/api/v1/slo", "day")).body())
        .isNotEqualTo(f.get(url("/api/v1/slo", "burn")).body());
    assertThat(f.get(url("/api/v1/metrics", "day")).body())
        .isNotEqualTo(f.get(url("/api/v1/metrics", "burn")).body());
  }

  @Test
  void thePrometheusScrapeShowsEveryTenantOfTheCallerAndNoOther() {
    String path = "/api/v1/metrics";
    String day = f.get(url(path, "day")).body();
    String both = f.get(path + "?tenant=burn&tenant=day").body();
    String all = f.get(path).body();
    // the fixture holds more tenants than these two, so "all" is not "both"
    assertThat(all).isNotEqualTo(both).isNotEqualTo(day);
    assertThat(both).isNotEqualTo(day);

    Map<String, String> dayReader = Map.of("Authorization", TOKENS.bearer("day-reader"));
    Map<String, String> severalTenants = Map.of("Authorization", TOKENS.bearer("both"));
    Map<String, String> anyTenant = Map.of("Authorization", TOKENS.bearer("operator"));
    record Case(String query, Map<String, String> headers, String expected) {}
    for (Case c :
        List.of(
            new Case(path, dayReader, day),
            new Case(path, severalTenants, both),
            new Case(path + "?tenant=day", severalTenants, day),
            new Case(path + "?tenant=day&tenant=burn", severalTenants, both),
            new Case(path, anyTenant, all),
            new Case(path + "?tenant=day", anyTenant, day))) {
      Answer a = get(c.query(), c.headers());
      assertThat(a.status()).as("%s %s", c.query(), c.headers()).isEqualTo(200);
      assertThat(a.body()).as("%s %s", c.query(), c.headers()).isEqualTo(c.expected());
    }
    Answer beyond = get(path + "?tenant=day&tenant=burn", dayReader);
    assertThat(beyond.status()).isEqualTo(403);
    assertThat(JsonPath.parse(beyond.body()).read("$.detail", String.class))
        .isEqualTo("token 'day-reader' may not act for tenant 'burn' (its tenants: day)");
  }

  /**
   * A real Prometheus scrapes this api as the compose one does ({@code authorization} with a {@code
   * credentials_file}, prometheus/prometheus.yml): with a tenant's read token it gets that tenant's
   * series and no other; without a token the scrape fails.
   */
  @Test
  void aRealPrometheusScrapesWithTheTokenOfItsCredentialsFile() throws Exception {
    Path dir = Files.createTempDirectory("api-auth-prometheus");
    Path credentials = dir.resolve("read-token");
    Files.writeString(credentials, TOKENS.secret("day-reader") + "\n");
    String target = URI.create(baseUrl).getAuthority();
    String config =
        """
        global:
          scrape_interval: 1s
          scrape_timeout: 1s
        scrape_configs:
          - job_name: with-token
            metrics_path: /api/v1/metrics
            authorization:
              type: Bearer
              credentials_file: %1$s
            static_configs:
              - targets: ['%2$s']
          - job_name: without-token
            metrics_path: /api/v1/metrics
            static_configs:
              - targets: ['%2$s']
        """
            .formatted(credentials, target);
    try (PrometheusServer prometheus =
        PrometheusServer.start(dir.resolve("prometheus"), config, Map.of())) {
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      List<String> up;
      while (true) {
        up =
            JsonPath.parse(prometheus.query("up").body())
                .read("$.data.result[*].metric.job", List.class);
        if (up.size() == 2) {
          break;
        }
        assertThat(System.nanoTime()).as("both jobs scraped in time").isLessThan(deadline);
        Thread.sleep(250);
      }
      DocumentContext ups = JsonPath.parse(prometheus.query("up").body());
      assertThat(ups.read("$.data.result[?(@.metric.job == 'with-token')].value[1]", List.class))
          .containsExactly("1");
      assertThat(ups.read("$.data.result[?(@.metric.job == 'without-token')].value[1]", List.class))
          .containsExactly("0");
      List<String> tenants =
          JsonPath.parse(
                  prometheus.query("group by (tenant) ({job=\"with-token\", tenant!=\"\"})").body())
              .read("$.data.result[*].metric.tenant", List.class);
      assertThat(tenants).containsExactly("day");
    }
  }

  @Test
  void aTokenOfSeveralTenantsMustNameOne() {
    for (Map.Entry<String, Sample> e : SAMPLES.entrySet()) {
      Answer a = get(url(e.getKey(), null), Map.of("Authorization", TOKENS.bearer("both")));
      if (e.getValue().reads() != Reads.ONE_TENANT) {
        // no tenant's data, or every tenant of the caller (thePrometheusScrapeShows...)
        assertThat(a.status()).as(e.getKey()).isEqualTo(200);
        continue;
      }
      assertThat(a.status()).as(e.getKey()).isEqualTo(400);
      DocumentContext problem = JsonPath.parse(a.body());
      assertThat(problem.read("$.parameter", String.class)).isEqualTo("tenant");
      assertThat(problem.read("$.detail", String.class))
          .isEqualTo(
              "token 'both' reads several tenants (burn,day); name one with ?tenant= or the"
                  + " X-Scope-OrgID header");
    }
  }

  @Test
  void theOpenApiDocumentHealthAndTheRunbookStayOpenAndMetricsNeedAdmin() {
    assertThat(get("/v3/api-docs", Map.of()).status()).isEqualTo(200);
    assertThat(get("/actuator/health", Map.of()).status()).isEqualTo(200);
    // the runbook the alerts link to holds no tenant's data
    Answer runbook = get("/runbooks/slo-burn-rate.md", Map.of());
    assertThat(runbook.status()).isEqualTo(200);
    assertThat(runbook.body()).contains("burn");
    assertThat(get("/actuator/metrics", Map.of()).status()).isEqualTo(401);
    assertThat(
            get("/actuator/metrics", Map.of("Authorization", TOKENS.bearer("day-reader"))).status())
        .isEqualTo(403);
    assertThat(
            get("/actuator/metrics", Map.of("Authorization", TOKENS.bearer("operator"))).status())
        .isEqualTo(200);
  }

  // ---- helpers

  record Answer(int status, String contentType, String wwwAuthenticate, String body) {}

  static String url(String path, String tenant) {
    Sample s = SAMPLES.get(path);
    List<String> parts = new ArrayList<>();
    if (!s.query().isEmpty()) {
      parts.add(s.query());
    }
    if (tenant != null) {
      parts.add("tenant=" + tenant);
    }
    return parts.isEmpty() ? path : path + "?" + String.join("&", parts);
  }

  /** GET; an event stream is answered with its status and headers only, then closed. */
  static Answer get(String pathAndQuery, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery)).timeout(Duration.ofSeconds(30));
    headers.forEach(b::header);
    try {
      HttpResponse<InputStream> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      String type = r.headers().firstValue("Content-Type").orElse("");
      String body;
      try (InputStream in = r.body()) {
        body = type.startsWith("text/event-stream") ? "" : new String(in.readAllBytes(), UTF_8);
      }
      return new Answer(
          r.statusCode(), type, r.headers().firstValue("WWW-Authenticate").orElse(null), body);
    } catch (Exception e) {
      throw new IllegalStateException("GET " + pathAndQuery + " failed", e);
    }
  }
}
