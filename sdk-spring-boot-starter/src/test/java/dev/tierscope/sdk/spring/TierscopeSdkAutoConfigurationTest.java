package dev.tierscope.sdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.sdk.BaggageSpanProcessor;
import dev.tierscope.sdk.Tierscope;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Which Tierscope the starter wires, from the properties and the beans present. */
class TierscopeSdkAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(TierscopeSdkAutoConfiguration.class));

  @Test
  void onTheApplicationsOpenTelemetryBeanWhenThereIsOne() {
    runner
        .withBean(OpenTelemetry.class, () -> OpenTelemetrySdk.builder().build())
        .run(
            context -> {
              assertThat(context.getBean(Tierscope.class).endpoint())
                  .isEqualTo("the application's OpenTelemetry");
              assertThat(context).hasSingleBean(BaggageSpanProcessor.class);
              assertThat(context).hasSingleBean(SpringAiObservationTagger.class);
            });
  }

  @Test
  void standaloneWithoutOpenTelemetryConfiguredByProperties() {
    org.assertj.core.api.Assumptions.assumeThat(GlobalOpenTelemetry.isSet()).isFalse();
    runner
        .withPropertyValues(
            "spring.application.name=chat-api",
            "tierscope.sdk.standalone.endpoint=http://127.0.0.1:14318",
            "tierscope.sdk.standalone.headers.api-key=secret")
        .run(
            context -> {
              Tierscope t = context.getBean(Tierscope.class);
              assertThat(t.endpoint()).isEqualTo("http://127.0.0.1:14318/v1/traces");
              assertThat(t.serviceName()).isEqualTo("chat-api");
            });
  }

  @Test
  void applicationModeWithoutOpenTelemetryFailsAtStartUp() {
    org.assertj.core.api.Assumptions.assumeThat(GlobalOpenTelemetry.isSet()).isFalse();
    runner
        .withPropertyValues("tierscope.sdk.mode=application")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("tierscope.sdk.mode=application needs an OpenTelemetry"));
  }

  @Test
  void propertiesTurnThePartsOff() {
    runner
        .withPropertyValues(
            "tierscope.sdk.baggage.enabled=false", "tierscope.sdk.spring-ai.enabled=false")
        .withBean(OpenTelemetry.class, () -> OpenTelemetrySdk.builder().build())
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(BaggageSpanProcessor.class);
              assertThat(context).doesNotHaveBean(SpringAiObservationTagger.class);
            });
    runner
        .withPropertyValues("tierscope.sdk.enabled=false")
        .run(context -> assertThat(context).doesNotHaveBean(Tierscope.class));
  }
}
