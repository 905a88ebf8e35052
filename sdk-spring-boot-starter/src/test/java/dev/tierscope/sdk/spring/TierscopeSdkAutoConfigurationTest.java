package dev.tierscope.sdk.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.sdk.BaggageSpanProcessor;
import dev.tierscope.sdk.Outcome;
import dev.tierscope.sdk.RequestSpan;
import dev.tierscope.sdk.Tierscope;
import dev.tierscope.sdk.TrafficClass;
import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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
  void theStallThresholdPropertyCountsTheStallsOfTheSpans() {
    List<SpanData> exported = new CopyOnWriteArrayList<>();
    SpanExporter collect =
        new SpanExporter() {
          @Override
          public CompletableResultCode export(Collection<SpanData> spans) {
            exported.addAll(spans);
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
          }

          @Override
          public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
          }
        };
    OpenTelemetrySdk sdk =
        OpenTelemetrySdk.builder()
            .setTracerProvider(
                SdkTracerProvider.builder()
                    .addSpanProcessor(SimpleSpanProcessor.create(collect))
                    .build())
            .build();
    Instant t0 = Instant.parse("2026-12-01T10:00:00Z");
    runner
        .withBean(OpenTelemetry.class, () -> sdk)
        .withPropertyValues("tierscope.sdk.stall-threshold=200ms")
        .run(
            context -> {
              RequestSpan r =
                  context
                      .getBean(Tierscope.class)
                      .request(TrafficClass.INTERACTIVE_PREMIUM, "chat")
                      .name("client")
                      .startAt(t0)
                      .start();
              // gaps of 150, 250 and 300 ms: two above 200 ms, none above the default 1 s
              r.chunk(t0.plusMillis(100));
              r.chunk(t0.plusMillis(250));
              r.chunk(t0.plusMillis(500));
              r.chunk(t0.plusMillis(800));
              r.end(Outcome.COMPLETED, t0.plusMillis(900));
            });
    assertThat(exported).hasSize(1);
    assertThat(
            exported.get(0).getAttributes().get(AttributeKey.longKey(SpanAttributes.STREAM_STALLS)))
        .isEqualTo(2);

    runner
        .withBean(OpenTelemetry.class, () -> sdk)
        .withPropertyValues("tierscope.sdk.stall-threshold=0s")
        .run(
            context ->
                assertThat(context)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("stallThreshold must be between 1ms and 10m"));
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
