package dev.tierscope.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** {@code tierscope.spans.*}: one setting for the ingest and the aggregator. */
class SpansPropertiesTest {

  private static final java.time.Duration TEN = java.time.Duration.ofSeconds(10);

  final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(SpansConfiguration.class));

  @Test
  void defaultsToTheV1Topics() {
    runner.run(
        context ->
            assertThat(context.getBean(SpansProperties.class))
                .isEqualTo(
                    new SpansProperties(
                        "tierscope.spans.v1",
                        "tierscope.spans.dlq.v1",
                        6,
                        (short) 1,
                        java.time.Duration.ofSeconds(10))));
  }

  @Test
  void bindsTheSharedSettings() {
    runner
        .withPropertyValues(
            "tierscope.spans.topic=spans.a",
            "tierscope.spans.partitions=12",
            "tierscope.spans.window=30s")
        .run(
            context -> {
              SpansProperties spans = context.getBean(SpansProperties.class);
              assertThat(spans.topic()).isEqualTo("spans.a");
              assertThat(spans.partitions()).isEqualTo(12);
              assertThat(spans.window()).isEqualTo(java.time.Duration.ofSeconds(30));
            });
  }

  @Test
  void stopsStartUpWhenAMovedSettingIsStillGivenUnderItsOldName() {
    for (Map.Entry<String, String> moved : SpansConfiguration.MOVED.entrySet()) {
      runner
          .withPropertyValues(moved.getKey() + "=x")
          .run(
              context ->
                  assertThat(context)
                      .hasFailed()
                      .getFailure()
                      .rootCause()
                      .hasMessage(
                          moved.getKey()
                              + " is no longer read: set "
                              + moved.getValue()
                              + " instead (one setting for every deployable)"));
    }
  }

  @Test
  void refusesInvalidValuesNamingTheProperty() {
    assertThatThrownBy(() -> new SpansProperties(" ", "dlq", 6, (short) 1, TEN))
        .hasMessage("tierscope.spans.topic must not be blank");
    assertThatThrownBy(() -> new SpansProperties("spans", "spans", 6, (short) 1, TEN))
        .hasMessage("tierscope.spans.dead-letter-topic must differ from the spans topic");
    assertThatThrownBy(() -> new SpansProperties("spans", "dlq", 0, (short) 1, TEN))
        .hasMessage("tierscope.spans.partitions must be at least 1, got 0");
    for (String window : new String[] {"PT0.5S", "PT1.5S", "PT7S", "PT2M", "PT0S"}) {
      assertThatThrownBy(
              () ->
                  new SpansProperties(
                      "spans", "dlq", 6, (short) 1, java.time.Duration.parse(window)))
          .hasMessageStartingWith(
              "tierscope.spans.window must be a whole number of seconds that divides one minute");
    }
  }
}
