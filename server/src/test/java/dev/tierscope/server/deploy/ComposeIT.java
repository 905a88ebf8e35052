package dev.tierscope.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.tierscope.auth.Scope;
import dev.tierscope.testsupport.TestTokens;
import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.ComposeContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * {@code docker-compose.yml} brought up by Testcontainers on a Docker engine, with the secrets a
 * user puts in {@code .env} and a token file of test tokens: spans sent to the ingest with an
 * ingest token are read back through the API with a read token (and refused without one, or for
 * another tenant), and through Grafana's Tierscope data source, which reads with the provisioned
 * token; Grafana itself wants a sign-in.
 *
 * <p>Needs a Docker engine with Compose v2, which this project's CI does not have: there the test
 * is skipped with the reason logged, and {@link ComposeFileTest} checks the file without starting
 * it.
 */
class ComposeIT {

  private static final Logger log = LoggerFactory.getLogger(ComposeIT.class);

  static final String TENANT = "compose-it";

  static final TestTokens TOKENS =
      new TestTokens()
          .add("simulator", "default", Scope.INGEST)
          .add("grafana", "*", Scope.READ)
          .add("it-ingest", TENANT, Scope.INGEST)
          .add("it-read", TENANT, Scope.READ);

  static ComposeContainer compose;

  /** Why the test cannot run here; null when a Docker engine is available. */
  static String skipped;

  static final String GRAFANA_PASSWORD = UUID.randomUUID().toString();
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  @BeforeAll
  static void dockerEngine() throws Exception {
    boolean available;
    try {
      available = DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException | LinkageError e) {
      available = false;
    }
    if (!available) {
      skipped =
          "ComposeIT skipped: no Docker engine is available to Testcontainers, so"
              + " docker-compose.yml cannot be brought up here (ComposeFileTest checks the file"
              + " without one)";
      log.warn(skipped);
      return;
    }
    Path dir = Files.createTempDirectory("compose-it");
    Path secrets = dir.resolve("secrets");
    TOKENS.write(secrets.resolve("tokens"));
    secrets.toFile().setReadable(true, false);
    secrets.resolve("tokens").toFile().setReadable(true, false);
    // The token file of this test instead of ./secrets: the same mount, another host directory.
    StringBuilder override = new StringBuilder("services:\n");
    for (String s : List.of("ingest", "aggregator", "api")) {
      override
          .append("  ")
          .append(s)
          .append(":\n    volumes:\n      - ")
          .append(secrets.toAbsolutePath())
          .append(":/etc/tierscope:ro\n");
    }
    Path overrideFile = Files.writeString(dir.resolve("compose-it.yml"), override);
    Map<String, String> env = new LinkedHashMap<>();
    env.put("POSTGRES_PASSWORD", UUID.randomUUID().toString());
    env.put("GRAFANA_ADMIN_PASSWORD", GRAFANA_PASSWORD);
    env.put("TIERSCOPE_READ_TOKEN", TOKENS.secret("grafana"));
    env.put("TIERSCOPE_INGEST_TOKEN", TOKENS.secret("simulator"));
    compose =
        new ComposeContainer(
                new File(RepoFiles.root().resolve("docker-compose.yml").toString()),
                overrideFile.toFile())
            .withEnv(env)
            .withBuild(true)
            .withRemoveVolumes(true)
            .withExposedService(
                "ingest-1", 4318, Wait.forHttp("/actuator/health").forStatusCode(200))
            .withExposedService("api-1", 8080, Wait.forHttp("/actuator/health").forStatusCode(200))
            .withExposedService("grafana-1", 3000, Wait.forHttp("/api/health").forStatusCode(200))
            .withExposedService("prometheus-1", 9090, Wait.forHttp("/-/ready").forStatusCode(200))
            .withStartupTimeout(Duration.ofMinutes(15));
    compose.start();
  }

  @AfterAll
  static void stop() {
    if (compose != null) {
      compose.stop();
    }
  }

  static String url(String service, int port) {
    return "http://"
        + compose.getServiceHost(service, port)
        + ":"
        + compose.getServicePort(service, port);
  }

  @Test
  void spansSentWithATokenAreReadBackThroughTheApiAndGrafana() throws Exception {
    Assumptions.assumeTrue(skipped == null, skipped);
    Instant now = Instant.now();
    Map<String, Integer> sent =
        new DemoTraffic()
            .send(
                url("ingest-1", 4318),
                TENANT,
                now,
                Map.of("Authorization", TOKENS.bearer("it-ingest")));
    String slo =
        "/api/v1/slo?class="
            + DemoTraffic.PREMIUM
            + "&from="
            + now.minus(Duration.ofMinutes(70)).toEpochMilli()
            + "&to="
            + now.plusSeconds(60).toEpochMilli();
    String api = url("api-1", 8080);

    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    int counted = -1;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r = get(api + slo, Map.of("Authorization", TOKENS.bearer("it-read")));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      counted = JsonPath.parse(r.body()).read("$.requests", Integer.class);
      if (counted == 2 * sent.get(DemoTraffic.PREMIUM)) {
        break;
      }
      Thread.sleep(2000);
    }
    assertThat(counted).isEqualTo(2 * sent.get(DemoTraffic.PREMIUM));
    assertThat(get(api + slo, Map.of()).statusCode()).isEqualTo(401);
    assertThat(
            get(api + slo + "&tenant=default", Map.of("Authorization", TOKENS.bearer("it-read")))
                .statusCode())
        .isEqualTo(403);

    // Grafana: no anonymous access; its data source reads the API with the provisioned token.
    String grafana = url("grafana-1", 3000);
    assertThat(get(grafana + "/api/datasources/uid/tierscope-api", Map.of()).statusCode())
        .isEqualTo(401);
    String admin =
        "Basic "
            + Base64.getEncoder()
                .encodeToString(("admin:" + GRAFANA_PASSWORD).getBytes(StandardCharsets.UTF_8));
    String query =
        "{\"queries\":[{\"refId\":\"A\",\"datasource\":{\"type\":\"yesoreyeram-infinity-datasource\","
            + "\"uid\":\"tierscope-api\"},\"type\":\"json\",\"source\":\"url\",\"parser\":\"backend\","
            + "\"format\":\"table\",\"url\":\""
            + slo
            + "&tenant="
            + TENANT
            + "\",\"url_options\":{\"method\":\"GET\"},\"root_selector\":\"requests\"}],"
            + "\"from\":\"now-2h\",\"to\":\"now\"}";
    HttpResponse<String> viaGrafana =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(grafana + "/api/ds/query"))
                .header("Authorization", admin)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(query))
                .timeout(Duration.ofSeconds(60))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(viaGrafana.statusCode()).as(viaGrafana.body()).isEqualTo(200);
    assertThat(viaGrafana.body()).contains(Integer.toString(counted));
  }

  @Test
  void prometheusScrapesTheApiWithTheReadTokenOfItsSecret() throws Exception {
    Assumptions.assumeTrue(skipped == null, skipped);
    String query =
        url("prometheus-1", 9090)
            + "/api/v1/query?query="
            + URLEncoder.encode("up{job=\"tierscope\"}", StandardCharsets.UTF_8);
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    List<String> up = List.of();
    while (System.nanoTime() < deadline) {
      up = JsonPath.parse(get(query, Map.of()).body()).read("$.data.result[*].value[1]");
      if (up.equals(List.of("1"))) {
        break;
      }
      Thread.sleep(2000);
    }
    assertThat(up).as("the api target is up: the scrape authenticates").containsExactly("1");
  }

  static HttpResponse<String> get(String url, Map<String, String> headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    headers.forEach(b::header);
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
