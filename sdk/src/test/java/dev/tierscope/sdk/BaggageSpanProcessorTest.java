package dev.tierscope.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.conventions.SpanAttributes;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Copying the request tags from Baggage onto spans, by hand and through autoconfiguration. */
class BaggageSpanProcessorTest {

  private static String str(SpanData s, String key) {
    return s.getAttributes().get(AttributeKey.stringKey(key));
  }

  private static Baggage tags() {
    return Baggage.builder()
        .put("tierscope.class", "interactive_premium")
        .put("tierscope.workflow", "rag")
        .put("tierscope.tenant", "acme")
        .put("user.id", "u-123")
        .build();
  }

  private static OpenTelemetrySdk sdk(SpanProcessor processor, RecordingExporter exporter) {
    return OpenTelemetrySdk.builder()
        .setTracerProvider(
            SdkTracerProvider.builder()
                .addSpanProcessor(processor)
                .addSpanProcessor(SimpleSpanProcessor.create(exporter))
                .build())
        .build();
  }

  @Test
  void copiesOnlyTheTierscopeKeysAndNeverOverridesTheSpansOwnValue() {
    RecordingExporter exporter = new RecordingExporter();
    try (OpenTelemetrySdk sdk = sdk(BaggageSpanProcessor.create(), exporter)) {
      Tracer tracer = sdk.getTracer("test");
      try (Scope s = tags().makeCurrent()) {
        tracer.spanBuilder("plain").startSpan().end();
        tracer
            .spanBuilder("own class")
            .setAttribute(SpanAttributes.CLASS, "deferred_batch")
            .startSpan()
            .end();
      }
      tracer.spanBuilder("untagged").startSpan().end();
    }
    SpanData plain = exporter.named("plain");
    assertThat(str(plain, "tierscope.class")).isEqualTo("interactive_premium");
    assertThat(str(plain, "tierscope.workflow")).isEqualTo("rag");
    assertThat(str(plain, "tierscope.tenant")).isEqualTo("acme");
    assertThat(str(plain, "user.id")).isNull();
    assertThat(str(exporter.named("own class"), "tierscope.class")).isEqualTo("deferred_batch");
    assertThat(exporter.named("untagged").getAttributes().isEmpty()).isTrue();
  }

  @Test
  void aDefaultTenantFillsInWhereBaggageNamesNone() {
    RecordingExporter exporter = new RecordingExporter();
    try (OpenTelemetrySdk sdk = sdk(BaggageSpanProcessor.withDefaultTenant("globex"), exporter)) {
      Tracer tracer = sdk.getTracer("test");
      tracer.spanBuilder("untagged").startSpan().end();
      try (Scope s = tags().makeCurrent()) {
        tracer.spanBuilder("tagged").startSpan().end();
      }
    }
    assertThat(str(exporter.named("untagged"), "tierscope.tenant")).isEqualTo("globex");
    assertThat(str(exporter.named("tagged"), "tierscope.tenant")).isEqualTo("acme");
  }

  private static OpenTelemetrySdk autoconfigured(
      RecordingExporter exporter, Map<String, String> properties) {
    Map<String, String> all = new HashMap<>(properties);
    all.put("otel.traces.exporter", "none");
    all.put("otel.metrics.exporter", "none");
    all.put("otel.logs.exporter", "none");
    return AutoConfiguredOpenTelemetrySdk.builder()
        .disableShutdownHook()
        .addPropertiesCustomizer(c -> all)
        .addTracerProviderCustomizer(
            (b, c) -> b.addSpanProcessor(SimpleSpanProcessor.create(exporter)))
        .build()
        .getOpenTelemetrySdk();
  }

  @Test
  void anAutoconfiguredSdkGetsTheProcessorFromTheSdkJar() {
    RecordingExporter exporter = new RecordingExporter();
    try (OpenTelemetrySdk sdk =
        autoconfigured(exporter, Map.of("tierscope.sdk.tenant", "initech"))) {
      Tracer tracer = sdk.getTracer("test");
      try (Scope s =
          Baggage.builder().put("tierscope.class", "standard_interactive").build().makeCurrent()) {
        tracer.spanBuilder("plain").startSpan().end();
      }
    }
    SpanData plain = exporter.named("plain");
    assertThat(str(plain, "tierscope.class")).isEqualTo("standard_interactive");
    assertThat(str(plain, "tierscope.tenant")).isEqualTo("initech");
  }

  @Test
  void theAutoconfiguredProcessorCanBeTurnedOff() {
    RecordingExporter exporter = new RecordingExporter();
    try (OpenTelemetrySdk sdk =
        autoconfigured(exporter, Map.of("tierscope.sdk.baggage.enabled", "false"))) {
      try (Scope s = tags().makeCurrent()) {
        sdk.getTracer("test").spanBuilder("plain").startSpan().end();
      }
    }
    assertThat(str(exporter.named("plain"), "tierscope.class")).isNull();
  }
}
