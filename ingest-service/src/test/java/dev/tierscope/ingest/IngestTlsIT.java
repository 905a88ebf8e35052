package dev.tierscope.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tierscope.auth.Scope;
import dev.tierscope.testsupport.SelfSignedCertificate;
import dev.tierscope.testsupport.TestInfra;
import dev.tierscope.testsupport.TestTokens;
import dev.tierscope.wire.v1.SpanEvent;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * OTLP/HTTP and OTLP/gRPC over TLS from a PEM SSL bundle (a self-signed certificate this test
 * makes), with tokens: the OpenTelemetry Java exporters (configured in code, and through {@code
 * OTEL_EXPORTER_OTLP_CERTIFICATE} / {@code _HEADERS} as autoconfigure reads them) and the JS
 * exporters under Node ({@code NODE_EXTRA_CA_CERTS}, {@code OTEL_EXPORTER_OTLP_HEADERS}).
 */
class IngestTlsIT {

  static final TestTokens TOKENS =
      new TestTokens()
          .add("acme-ingest", "acme", Scope.INGEST)
          .add("js", "js-tenant", Scope.INGEST)
          .add("both", "acme,globex", Scope.INGEST);

  static RunningIngest ingest;
  static SpanTopic topic;
  static SelfSignedCertificate cert;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("ingest-tls");
    cert = SelfSignedCertificate.create(dir.resolve("tls"));
    Map<String, String> props = new LinkedHashMap<>(cert.bundleProperties("otlp"));
    props.put("server.ssl.bundle", "otlp");
    props.put("tierscope.ingest.grpc-ssl-bundle", "otlp");
    props.put("tierscope.auth.mode", "token");
    props.put("tierscope.auth.token-file", TOKENS.write(dir.resolve("tokens")).toString());
    String name = TestInfra.uniqueName("tls_spans");
    TestInfra.createTopic(name, 2);
    ingest = RunningIngest.start(TestInfra.bootstrapServers(), name, props);
    topic = new SpanTopic(ingest.bootstrapServers(), name);
  }

  @AfterAll
  static void stop() {
    topic.close();
    ingest.close();
  }

  static String https() {
    return "https://127.0.0.1:" + ingest.httpPort();
  }

  static String grpcs() {
    return "https://127.0.0.1:" + ingest.grpcPort();
  }

  @Test
  void javaSdkExportersTrustTheCertificateAndSendTheToken() throws Exception {
    long t0 = TestSpans.START_NANOS + 31 * SdkTraces.MS;
    List<SpanData> overHttp = SdkTraces.chatTrace(t0);
    List<SpanData> overGrpc = SdkTraces.chatTrace(t0);
    byte[] trusted = Files.readAllBytes(cert.certificate());

    try (OtlpHttpSpanExporter http =
            OtlpHttpSpanExporter.builder()
                .setEndpoint(https() + "/v1/traces")
                .setTrustedCertificates(trusted)
                .addHeader("Authorization", TOKENS.bearer("acme-ingest"))
                .build();
        OtlpGrpcSpanExporter grpc =
            OtlpGrpcSpanExporter.builder()
                .setEndpoint(grpcs())
                .setTrustedCertificates(trusted)
                .addHeader("Authorization", TOKENS.bearer("acme-ingest"))
                .build()) {
      assertThat(SdkTraces.export(http, overHttp)).isTrue();
      assertThat(SdkTraces.export(grpc, overGrpc)).isTrue();
    }

    SdkTraces.assertChatTraceNormalised(
        topic.trace(overHttp.get(0).getTraceId(), overHttp.size()), overHttp, t0);
    SdkTraces.assertChatTraceNormalised(
        topic.trace(overGrpc.get(0).getTraceId(), overGrpc.size()), overGrpc, t0);
  }

  @Test
  void javaSdkAutoconfigureReadsTheCertificateAndHeadersSettings() {
    for (String protocol : List.of("http/protobuf", "grpc")) {
      Map<String, String> config = new HashMap<>();
      config.put("otel.service.name", "tls-" + protocol.replace('/', '-'));
      config.put("otel.traces.exporter", "otlp");
      config.put("otel.metrics.exporter", "none");
      config.put("otel.logs.exporter", "none");
      config.put("otel.exporter.otlp.protocol", protocol);
      config.put("otel.exporter.otlp.endpoint", protocol.equals("grpc") ? grpcs() : https());
      config.put("otel.exporter.otlp.certificate", cert.certificate().toString());
      config.put(
          "otel.exporter.otlp.headers",
          "Authorization=Bearer%20" + TOKENS.secret("both") + ",X-Scope-OrgID=globex");

      String traceId = IngestAuthIT.sendOneSpan(config);

      assertThat(topic.trace(traceId, 1))
          .as(protocol)
          .singleElement()
          .extracting(SpanEvent::getTenant)
          .isEqualTo("globex");
    }
  }

  @ParameterizedTest(name = "{0} exporter")
  @ValueSource(strings = {"json", "proto"})
  void openTelemetryJsExportersSendOverTlsWithTheHeadersOfTheEnvironment(String protocol)
      throws Exception {
    JsClients.Run result =
        JsClients.exportSpans(
            https() + "/v1/traces",
            protocol,
            null,
            Map.of(
                "NODE_EXTRA_CA_CERTS",
                cert.certificate().toString(),
                "OTEL_EXPORTER_OTLP_HEADERS",
                "Authorization=Bearer%20" + TOKENS.secret("js")));

    assertThat(result.exit()).as("node output:\n%s", result.output()).isZero();
    assertThat(topic.trace(result.field("traceId"), 3))
        .hasSize(3)
        .allSatisfy(
            e -> {
              assertThat(e.getTenant()).isEqualTo("js-tenant");
              assertThat(e.getService()).isEqualTo("js-chat-" + protocol);
            });
  }

  @Test
  void theJsExporterWithoutTheTokenIsRefused() throws Exception {
    JsClients.Run result =
        JsClients.exportSpans(
            https() + "/v1/traces",
            "proto",
            null,
            Map.of("NODE_EXTRA_CA_CERTS", cert.certificate().toString()));

    assertThat(result.exit()).as("node output:\n%s", result.output()).isEqualTo(1);
    assertThat(result.output()).contains("\"status\":401");
    assertThat(topic.await(e -> true, 0, java.time.Duration.ZERO, java.time.Duration.ofMillis(300)))
        .noneMatch(e -> OtlpHttpIT.hex(e.getTraceId()).equals(result.field("traceId")));
  }

  @Test
  void thePortsSpeakTlsOnly() {
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    Throwable plaintext =
        catchThrowable(
            () -> {
              HttpResponse<String> r =
                  client.send(
                      HttpRequest.newBuilder(
                              URI.create(
                                  "http://127.0.0.1:" + ingest.httpPort() + "/actuator/health"))
                          .build(),
                      HttpResponse.BodyHandlers.ofString());
              // Tomcat answers a plaintext request on a TLS port with 400, if it answers at all.
              assertThat(r.statusCode()).isEqualTo(400);
            });
    if (plaintext != null) {
      assertThat(plaintext).isInstanceOf(java.io.IOException.class);
    }

    List<SpanData> spans = SdkTraces.simpleTrace(1, TestSpans.START_NANOS);
    try (OtlpGrpcSpanExporter grpc =
        OtlpGrpcSpanExporter.builder()
            .setEndpoint("http://127.0.0.1:" + ingest.grpcPort())
            .addHeader("Authorization", TOKENS.bearer("acme-ingest"))
            .setTimeout(java.time.Duration.ofSeconds(5))
            .build()) {
      assertThat(SdkTraces.export(grpc, spans)).as("plaintext gRPC to a TLS port").isFalse();
    }
  }
}
