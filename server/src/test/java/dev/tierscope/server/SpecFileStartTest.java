package dev.tierscope.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tierscope.aggregator.AggregatorApplication;
import dev.tierscope.api.ApiApplication;
import dev.tierscope.core.classes.SloSpecException;
import dev.tierscope.ingest.IngestApplication;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.Banner;
import org.springframework.boot.SpringApplication;

/**
 * The server and each deployable refuse to start on an invalid SLO spec file, with the messages of
 * the {@code validate} command; {@code validate} exits 0, 1 or 2 for CI.
 */
class SpecFileStartTest {

  static final Path EXAMPLE = Path.of("../docs/examples/tierscope-slo.yaml");

  @TempDir Path dir;
  Path bad;

  @BeforeEach
  void writeInvalidFile() throws IOException {
    bad = dir.resolve("bad-slo.yaml");
    Files.writeString(
        bad,
        """
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: premium-ttft
        spec:
          service: interactive_premium
          indicator:
            spec:
              thresholdMetric:
                metricSource:
                  type: Tierscope
                  spec:
                    sli: ttft
          budgetingMethod: Occurrences
          objectives:
            - op: lte
              value: 800
              target: 1.2
        """);
  }

  private String validateOutput(int[] status, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    status[0] =
        TierscopeServer.validate(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void validateCommandExplainsEveryErrorAndExitsNonZero() {
    int[] status = new int[1];
    String printed = validateOutput(status, "validate", bad.toString());
    assertThat(status[0]).isEqualTo(1);
    assertThat(printed)
        .isEqualTo(
            bad
                + ":18:15: target must lie in (0, 1), was 1.2"
                + System.lineSeparator()
                + bad
                + ": invalid, 1 error"
                + System.lineSeparator());

    assertThat(validateOutput(status, "validate", EXAMPLE.toString()))
        .contains(": valid; 3 classes");
    assertThat(status[0]).isZero();
    validateOutput(status, "validate");
    assertThat(status[0]).isEqualTo(2);
  }

  @Test
  void serverRefusesAnInvalidFileBeforeStartingAnything() {
    Path home = dir.resolve("home");
    ServerOptions options =
        new ServerOptions(
            home, 0, 0, 0, null, 0, null, Map.of("tierscope.classes.spec-file", bad.toString()));
    assertThatThrownBy(() -> TierscopeServer.start(options))
        .isInstanceOf(SloSpecException.class)
        .hasMessage(
            bad
                + " is invalid (1 error):"
                + System.lineSeparator()
                + "  "
                + bad
                + ":18:15: target must lie in (0, 1), was 1.2");
    assertThat(home).doesNotExist();
  }

  @Test
  void serverRefusesAnObjectiveSetInTheFileAndAProperty() {
    ServerOptions options =
        new ServerOptions(
            dir.resolve("home"),
            0,
            0,
            0,
            null,
            0,
            null,
            Map.of(
                "tierscope.classes.spec-file",
                EXAMPLE.toString(),
                "tierscope.classes.objectives.interactive_premium.ttft-threshold",
                "600ms"));
    assertThatThrownBy(() -> TierscopeServer.start(options))
        .isInstanceOf(SloSpecException.class)
        .hasMessageContaining(
            "the ttft objective of class interactive_premium is also set by property"
                + " tierscope.classes.objectives.interactive_premium.ttft-threshold");
  }

  @Test
  void eachDeployableAloneRefusesTheInvalidFileWithTheSameMessage() {
    for (Class<?> app :
        new Class<?>[] {
          IngestApplication.class, AggregatorApplication.class, ApiApplication.class
        }) {
      SpringApplication application = new SpringApplication(app);
      application.setBannerMode(Banner.Mode.OFF);
      String config =
          app == IngestApplication.class
              ? IngestApplication.CONFIG_NAME
              : app == AggregatorApplication.class
                  ? AggregatorApplication.CONFIG_NAME
                  : ApiApplication.CONFIG_NAME;
      application.setDefaultProperties(Map.of("spring.config.name", config));
      assertThatThrownBy(
              () ->
                  application.run(
                      "--server.port=0",
                      "--tierscope.ingest.grpc-port=0",
                      "--spring.main.web-application-type=none",
                      "--tierscope.classes.spec-file=" + bad))
          .as(app.getSimpleName())
          .rootCause()
          .isInstanceOf(SloSpecException.class)
          .hasMessageContaining(bad + ":18:15: target must lie in (0, 1), was 1.2");
    }
  }
}
