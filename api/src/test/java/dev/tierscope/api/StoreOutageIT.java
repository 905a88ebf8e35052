package dev.tierscope.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.DocumentContext;
import com.jayway.jsonpath.JsonPath;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TcpProxy;
import dev.tierscope.testsupport.TestInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * PostgreSQL down or hung under a running api: every read answers 503 problem+json with {@code
 * Retry-After} well before Hikari's default 30 s pool wait, and the api serves again as soon as
 * PostgreSQL is back, without a restart. The database sits behind a TCP proxy that the test cuts (a
 * server that is down) or hangs (a server that is stopped, or packets dropped).
 */
class StoreOutageIT {

  /** Far below the 30 s a request waited for the pool before timeouts were configured. */
  private static final Duration FAST = Duration.ofSeconds(10);

  private static final String SLO =
      "/api/v1/slo?class=interactive_premium&from=2026-11-27T11:00:00Z&to=2026-11-27T12:00:00Z";

  private static TcpProxy proxy;
  private static ConfigurableApplicationContext app;
  private static String baseUrl;
  private static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() {
    DbSchema schema = TestInfra.newSchema("api_outage");
    URI pg = URI.create(schema.jdbcUrl().substring("jdbc:".length()));
    proxy = TcpProxy.start(pg.getHost(), pg.getPort());
    SpringApplication application = new SpringApplication(ApiApplication.class);
    application.setBannerMode(Banner.Mode.OFF);
    application.setDefaultProperties(Map.of("spring.config.name", ApiApplication.CONFIG_NAME));
    // The pool settings are the api's own defaults (tierscope-api.properties); only the socket
    // timeout, which bounds a call to a hung server, is shortened to keep the test short.
    app =
        application.run(
            "--server.port=0",
            "--spring.datasource.url=" + proxy.rewriteJdbcUrl(schema.jdbcUrl()),
            "--spring.datasource.username=" + schema.user(),
            "--spring.datasource.password=" + schema.password(),
            "--spring.datasource.hikari.data-source-properties.socketTimeout=3");
    baseUrl = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
  }

  @AfterAll
  static void stop() {
    if (app != null) {
      app.close();
    }
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void answersFast503WhilePostgresIsDownOrHungAndRecoversWithoutRestart() throws Exception {
    assertThat(get(SLO).statusCode()).isEqualTo(200);

    proxy.cut();
    assertUnavailableFast("down");
    assertUnavailableFast("down, again (no pool wait piles up)");

    proxy.heal();
    awaitOk();

    proxy.hang();
    assertUnavailableFast("hung");
    assertUnavailableFast("hung, again");

    proxy.heal();
    awaitOk();
    DocumentContext slo = JsonPath.parse(get(SLO).body());
    assertThat(slo.read("$.class", String.class)).isEqualTo("interactive_premium");
  }

  private void assertUnavailableFast(String what) throws Exception {
    long started = System.nanoTime();
    HttpResponse<String> r = get(SLO);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    System.out.printf("PostgreSQL %s: %d in %d ms%n", what, r.statusCode(), took.toMillis());
    assertThat(r.statusCode()).as("%s: %s", what, r.body()).isEqualTo(503);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    assertThat(r.headers().firstValue("Retry-After")).hasValue("5");
    DocumentContext body = JsonPath.parse(r.body());
    assertThat(body.read("$.status", Integer.class)).isEqualTo(503);
    assertThat(body.read("$.title", String.class)).isEqualTo("Store unavailable");
    assertThat(took).as("%s: answered within %s", what, FAST).isLessThan(FAST);
  }

  private void awaitOk() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    HttpResponse<String> r;
    while ((r = get(SLO)).statusCode() != 200) {
      assertThat(System.nanoTime())
          .as("api serves again after PostgreSQL is back: %s", r.body())
          .isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private HttpResponse<String> get(String pathAndQuery) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(baseUrl + pathAndQuery))
            .timeout(Duration.ofSeconds(60))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
