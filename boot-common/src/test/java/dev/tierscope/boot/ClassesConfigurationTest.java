package dev.tierscope.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.core.classes.Indicator;
import dev.tierscope.core.classes.SloSpecException;
import dev.tierscope.core.classes.TrafficClasses;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class ClassesConfigurationTest {

  static final Path EXAMPLE = Path.of("../docs/examples/tierscope-slo.yaml");

  @TempDir Path dir;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(ClassesConfiguration.class));

  @Test
  void withoutSpecFileThePropertiesAndDefaultsApply() {
    runner
        .withPropertyValues(
            "tierscope.classes.objectives.interactive_premium.ttft-threshold=600ms",
            "tierscope.classes.fallback=deferred_batch")
        .run(
            ctx -> {
              TrafficClasses classes = ctx.getBean(TrafficClasses.class);
              assertThat(classes.fallback()).isEqualTo("deferred_batch");
              assertThat(classes.get("interactive_premium").objectives().ttftThreshold())
                  .isEqualTo(Duration.ofMillis(600));
              assertThat(classes.get("interactive_premium").source(Indicator.TTFT).describe())
                  .isEqualTo(
                      "property tierscope.classes.objectives.interactive_premium.ttft-threshold");
              assertThat(classes.rules().isEmpty()).isTrue();
            });
  }

  @Test
  void specFileGivesObjectivesRulesAndSourcesNextToProperties() {
    runner
        .withPropertyValues(
            "tierscope.classes.spec-file=" + EXAMPLE,
            "tierscope.classes.aliases.premium=interactive_premium")
        .run(
            ctx -> {
              TrafficClasses classes = ctx.getBean(TrafficClasses.class);
              assertThat(classes.rules().names())
                  .containsExactly("premium-chat", "nightly-batch", "small-models");
              assertThat(classes.resolve("premium").className()).isEqualTo("interactive_premium");
              assertThat(classes.get("deferred_batch").source(Indicator.RETRIEVAL_FALLBACK).file())
                  .isEqualTo(EXAMPLE.toString());
            });
  }

  @Test
  void invalidSpecFileStopsStartUpWithTheValidateMessages() throws IOException {
    Path bad = dir.resolve("bad.yaml");
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
                    sli: ttfb
          budgetingMethod: Occurrences
          objectives:
            - op: lte
              value: 800
              target: 0.95
        """);
    runner
        .withPropertyValues("tierscope.classes.spec-file=" + bad)
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .rootCause()
                  .isInstanceOf(SloSpecException.class)
                  .hasMessageContaining(bad + " is invalid (1 error):")
                  .hasMessageContaining(bad + ":13:18: unknown SLI 'ttfb'");
            });
  }

  @Test
  void objectiveInTheFileAndInAPropertyStopsStartUp() {
    runner
        .withPropertyValues(
            "tierscope.classes.spec-file=" + EXAMPLE,
            "tierscope.classes.objectives.deferred_batch.max-interruption-rate=0.05",
            "tierscope.classes.fallback=deferred_batch")
        .run(
            ctx -> {
              assertThat(ctx).hasFailed();
              assertThat(ctx.getStartupFailure())
                  .rootCause()
                  .hasMessageContaining(
                      "the stream_interruption objective of class deferred_batch is also set by"
                          + " property"
                          + " tierscope.classes.objectives.deferred_batch.max-interruption-rate")
                  .hasMessageContaining(
                      "the fallback class is also set by property tierscope.classes.fallback");
            });
  }

  @Test
  void badPropertyIsNamed() {
    runner
        .withPropertyValues("tierscope.classes.objectives.voice.ttft-threshold=300ms")
        .run(
            ctx ->
                assertThat(ctx.getStartupFailure())
                    .rootCause()
                    .hasMessageContaining(
                        "property tierscope.classes.objectives.voice.ttft-threshold: class voice is"
                            + " not a default class"));
  }
}
