package dev.tierscope.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading the standard OpenTelemetry exporter variables. */
class TierscopeBuilderTest {

  @Test
  void defaultsToOtlpHttpOnTheLocalIngest() {
    assertThat(Tierscope.builder().resolvedEndpoint()).isEqualTo("http://localhost:4318/v1/traces");
    assertThat(Tierscope.builder().protocol(OtlpProtocol.GRPC).resolvedEndpoint())
        .isEqualTo("http://localhost:4317");
  }

  @Test
  void baseEndpointGetsTheTracesPathForHttpOnly() {
    assertThat(
            Tierscope.builder()
                .environment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://ingest:4318/"))
                .resolvedEndpoint())
        .isEqualTo("http://ingest:4318/v1/traces");
    assertThat(
            Tierscope.builder()
                .environment(
                    Map.of(
                        "OTEL_EXPORTER_OTLP_ENDPOINT", "http://ingest:4317",
                        "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"))
                .resolvedEndpoint())
        .isEqualTo("http://ingest:4317");
  }

  @Test
  void tracesSpecificVariablesWin() {
    TierscopeBuilder b =
        Tierscope.builder()
            .environment(
                Map.of(
                    "OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318",
                    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://b:9999/custom",
                    "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
                    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"));
    assertThat(b.resolvedEndpoint()).isEqualTo("http://b:9999/custom");
  }

  @Test
  void explicitCallsAfterTheEnvironmentOverrideIt() {
    TierscopeBuilder b =
        Tierscope.builder()
            .environment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318"))
            .endpoint("http://127.0.0.1:5318");
    assertThat(b.resolvedEndpoint()).isEqualTo("http://127.0.0.1:5318/v1/traces");
  }

  @Test
  void resourceAttributesAndHeadersAreDecoded() {
    try (Tierscope t =
        Tierscope.builder()
            .environment(
                Map.of(
                    "OTEL_RESOURCE_ATTRIBUTES",
                        "service.name=from-resource,tierscope.tenant=acme%20corp,region=eu",
                    "OTEL_EXPORTER_OTLP_HEADERS", "api-key=a%3Db,x-team=ai",
                    "OTEL_EXPORTER_OTLP_TIMEOUT", "2500",
                    "OTEL_BSP_MAX_QUEUE_SIZE", "100"))
            .spanExporter(new RecordingExporter())
            .build()) {
      assertThat(t.serviceName()).isEqualTo("from-resource");
    }
    assertThat(TierscopeBuilder.keyValues("a=b%3Dc, d = e+f", "X"))
        .extracting(Map.Entry::getKey, Map.Entry::getValue)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("a", "b=c"),
            org.assertj.core.groups.Tuple.tuple("d", "e+f"));
  }

  @Test
  void serviceNameVariableWinsOverResourceAttributes() {
    try (Tierscope t =
        Tierscope.builder()
            .environment(
                Map.of(
                    "OTEL_RESOURCE_ATTRIBUTES", "service.name=from-resource",
                    "OTEL_SERVICE_NAME", "from-variable"))
            .spanExporter(new RecordingExporter())
            .build()) {
      assertThat(t.serviceName()).isEqualTo("from-variable");
    }
  }
}
