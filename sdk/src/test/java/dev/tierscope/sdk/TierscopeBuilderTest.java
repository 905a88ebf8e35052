package dev.tierscope.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The standalone configuration, read by OpenTelemetry's autoconfiguration: the standard variables,
 * their precedence, and what an export request carries.
 */
class TierscopeBuilderTest {

  private static String endpointOf(TierscopeBuilder b) {
    try (Tierscope t = b.build()) {
      return t.endpoint();
    }
  }

  @Test
  void defaultsToOtlpHttpOnTheLocalIngest() {
    assumeThat(System.getenv("OTEL_EXPORTER_OTLP_ENDPOINT")).isNull();
    assumeThat(System.getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")).isNull();
    assertThat(endpointOf(Tierscope.builder())).isEqualTo("http://localhost:4318/v1/traces");
    assertThat(endpointOf(Tierscope.builder().protocol(OtlpProtocol.GRPC)))
        .isEqualTo("http://localhost:4317");
  }

  @Test
  void baseEndpointGetsTheTracesPathForHttpOnly() {
    assertThat(
            endpointOf(
                Tierscope.builder()
                    .environment(Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://ingest:4318/"))))
        .isEqualTo("http://ingest:4318/v1/traces");
    assertThat(
            endpointOf(
                Tierscope.builder()
                    .environment(
                        Map.of(
                            "OTEL_EXPORTER_OTLP_ENDPOINT", "http://ingest:4317",
                            "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"))))
        .isEqualTo("http://ingest:4317");
  }

  @Test
  void tracesSpecificVariablesWin() {
    assertThat(
            endpointOf(
                Tierscope.builder()
                    .environment(
                        Map.of(
                            "OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318",
                            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://b:9999/custom",
                            "OTEL_EXPORTER_OTLP_PROTOCOL", "grpc",
                            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "http/protobuf"))))
        .isEqualTo("http://b:9999/custom");
  }

  @Test
  void explicitCallsOverrideTheEnvironment() {
    assertThat(
            endpointOf(
                Tierscope.builder()
                    .environment(
                        Map.of(
                            "OTEL_EXPORTER_OTLP_ENDPOINT", "http://a:4318",
                            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "http://b:9999/custom"))
                    .endpoint("http://127.0.0.1:5318")))
        .isEqualTo("http://127.0.0.1:5318/v1/traces");
  }

  @Test
  void systemPropertiesAreReadAndTheEnvironmentMapWinsOverThem() {
    System.setProperty("otel.service.name", "from-property");
    try {
      try (Tierscope t = Tierscope.builder().spanExporter(new RecordingExporter()).build()) {
        assertThat(t.serviceName()).isEqualTo("from-property");
      }
      try (Tierscope t =
          Tierscope.builder()
              .environment(Map.of("OTEL_SERVICE_NAME", "from-map"))
              .spanExporter(new RecordingExporter())
              .build()) {
        assertThat(t.serviceName()).isEqualTo("from-map");
      }
    } finally {
      System.clearProperty("otel.service.name");
    }
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

  @Test
  void anExportCarriesTheConfiguredHeadersResourceAndCompression() throws Exception {
    try (OtlpHttpReceiver receiver = new OtlpHttpReceiver();
        Tierscope t =
            Tierscope.builder()
                .environment(
                    Map.of(
                        "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.baseUrl(),
                        "OTEL_EXPORTER_OTLP_HEADERS", "api-key=a%3Db,x-team=ai",
                        "OTEL_EXPORTER_OTLP_COMPRESSION", "gzip",
                        "OTEL_RESOURCE_ATTRIBUTES",
                            "service.name=from-resource,tierscope.tenant=acme%20corp,region=eu",
                        "OTEL_BSP_SCHEDULE_DELAY", "10"))
                .header("x-extra", "one two")
                .build()) {
      assertThat(t.serviceName()).isEqualTo("from-resource");
      t.clientRequest(TrafficClass.INTERACTIVE_PREMIUM, "rag").end(Outcome.COMPLETED);
      assertThat(t.flush(Duration.ofSeconds(10))).isTrue();
      assertThat(t.stats().exported()).isEqualTo(1);

      OtlpHttpReceiver.Received r = receiver.awaitRequest(Duration.ofSeconds(10));
      assertThat(r.path()).isEqualTo("/v1/traces");
      assertThat(r.header("api-key")).isEqualTo("a=b");
      assertThat(r.header("x-team")).isEqualTo("ai");
      assertThat(r.header("x-extra")).isEqualTo("one two");
      assertThat(r.header("content-encoding")).isEqualTo("gzip");
      ExportTraceServiceRequest export = r.traces();
      Map<String, String> resource =
          export.getResourceSpans(0).getResource().getAttributesList().stream()
              .collect(Collectors.toMap(KeyValue::getKey, kv -> kv.getValue().getStringValue()));
      assertThat(resource)
          .containsEntry("service.name", "from-resource")
          .containsEntry("tierscope.tenant", "acme corp")
          .containsEntry("region", "eu");
      assertThat(export.getResourceSpans(0).getScopeSpans(0).getSpans(0).getName())
          .isEqualTo("rag");
    }
  }

  @Test
  void theApplicationsOpenTelemetryTakesNoExportSettings() {
    assertThatThrownBy(
            () ->
                Tierscope.builder()
                    .openTelemetry(OpenTelemetry.noop())
                    .endpoint("http://127.0.0.1:4318")
                    .serviceName("x")
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("endpoint, serviceName only applies to the standalone SDK");
    assertThat(Tierscope.builder().openTelemetry(OpenTelemetry.noop()).tenant("acme").build())
        .isNotNull();
  }

  @Test
  void theGlobalOpenTelemetryMustBeInstalled() {
    assumeThat(io.opentelemetry.api.GlobalOpenTelemetry.isSet()).isFalse();
    assertThatThrownBy(() -> Tierscope.builder().globalOpenTelemetry().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("globalOpenTelemetry needs a global OpenTelemetry");
  }
}
