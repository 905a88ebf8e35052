package dev.tierscope.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.embedded.KafkaBroker;
import dev.tierscope.testsupport.TestInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The ingest's readiness follows whether Kafka takes records: up with the broker, out of service
 * (naming Kafka) within a few probe intervals of the broker stopping, answering at once meanwhile,
 * and up again once the broker is back.
 */
class IngestReadinessIT {

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @Test
  void readinessFollowsTheBroker() throws Exception {
    Path base = Path.of(System.getenv().getOrDefault("TIERSCOPE_TEST_TMP", "target/it-tmp"));
    Files.createDirectories(base);
    try (KafkaBroker broker =
        KafkaBroker.builder()
            .dataDir(Files.createTempDirectory(base.toAbsolutePath(), "readiness-kafka-"))
            .build()) {
      broker.start();
      try (RunningIngest ingest =
          RunningIngest.start(
              broker.bootstrapServers(),
              TestInfra.uniqueName("readiness_spans"),
              Map.of("tierscope.ingest.health.kafka-probe-interval", "500ms"))) {
        String url = "http://127.0.0.1:" + ingest.httpPort() + "/actuator/health/readiness";
        awaitStatus(url, 200, Duration.ofSeconds(30));

        broker.stop();
        String body = awaitStatus(url, 503, Duration.ofSeconds(30));
        assertThat(body).contains("\"kafka\"").contains("OUT_OF_SERVICE");
        long started = System.nanoTime();
        HttpResponse<String> r = get(url);
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        System.out.printf("readiness with Kafka down: %d in %d ms%n", r.statusCode(), tookMillis);
        assertThat(r.statusCode()).isEqualTo(503);
        assertThat(tookMillis)
            .as("readiness answers at once while Kafka is down")
            .isLessThan(1_000);

        broker.start();
        awaitStatus(url, 200, Duration.ofSeconds(60));
      }
    }
  }

  private String awaitStatus(String url, int status, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<String> r;
    while ((r = get(url)).statusCode() != status) {
      assertThat(System.nanoTime())
          .as("%s answers %d in time; last %d %s", url, status, r.statusCode(), r.body())
          .isLessThan(deadline);
      Thread.sleep(200);
    }
    return r.body();
  }

  private HttpResponse<String> get(String url) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
