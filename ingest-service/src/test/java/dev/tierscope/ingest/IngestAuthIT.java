package dev.tierscope.ingest;

import static dev.tierscope.ingest.TestSpans.attr;
import static dev.tierscope.ingest.TestSpans.newSpanId;
import static dev.tierscope.ingest.TestSpans.newTraceId;
import static dev.tierscope.ingest.TestSpans.span;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.rpc.Code;
import dev.tierscope.auth.Scope;
import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.testsupport.TestInfra;
import dev.tierscope.testsupport.TestTokens;
import dev.tierscope.wire.v1.SpanEvent;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ingest with {@code tierscope.auth.mode=token} on a real broker: every 401, 403 and 400 path
 * of OTLP/HTTP and OTLP/gRPC, tenant isolation on the write side (through {@code X-Scope-OrgID},
 * {@code ?tenant=} and the {@code tierscope.tenant} attribute), the OpenTelemetry Java exporters
 * sending the token as a header (set in code, and through {@code OTEL_EXPORTER_OTLP_HEADERS} as
 * autoconfigure reads it), and the management endpoints behind the {@code admin} scope.
 */
class IngestAuthIT {

  static final TestTokens TOKENS =
      new TestTokens()
          .add("acme-ingest", "acme", Scope.INGEST)
          .add("globex-ingest", "globex", Scope.INGEST)
          .add("both", "acme,globex", Scope.INGEST)
          .add("acme-read", "acme", Scope.READ)
          .add("operator", "*", Scope.ADMIN);

  static final HttpClient HTTP = OtlpClients.HTTP;

  static RunningIngest ingest;
  static SpanTopic topic;
  static ManagedChannel channel;
  static int managementPort;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("ingest-auth");
    Path file = TOKENS.write(dir.resolve("tokens"));
    try (ServerSocket s = new ServerSocket(0)) {
      managementPort = s.getLocalPort();
    }
    String name = TestInfra.uniqueName("auth_spans");
    TestInfra.createTopic(name, 2);
    ingest =
        RunningIngest.start(
            TestInfra.bootstrapServers(),
            name,
            Map.of(
                "tierscope.auth.mode", "token",
                "tierscope.auth.token-file", file.toString(),
                "management.server.port", Integer.toString(managementPort)));
    topic = new SpanTopic(ingest.bootstrapServers(), name);
    channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", ingest.grpcPort(), InsecureChannelCredentials.create())
            .build();
  }

  @AfterAll
  static void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    topic.close();
    ingest.close();
  }

  // ---- OTLP/HTTP

  @Test
  void httpWithoutAValidBearerTokenIs401WithAnOtlpStatus() throws Exception {
    ExportTraceServiceRequest request = TestSpans.validTrace(1);
    double before = rejected("http/protobuf", "unauthenticated");

    HttpResponse<byte[]> none = post("", Map.of(), Http.PROTOBUF, request.toByteArray());
    HttpResponse<byte[]> unknown =
        post(
            "",
            Map.of("Authorization", "Bearer tsk_notissued"),
            Http.PROTOBUF,
            request.toByteArray());
    HttpResponse<byte[]> basic =
        post("", Map.of("Authorization", "Basic YTpi"), Http.PROTOBUF, request.toByteArray());
    HttpResponse<byte[]> json = post("", Map.of(), Http.JSON, "{}".getBytes(UTF_8));

    for (HttpResponse<byte[]> r : List.of(none, unknown, basic)) {
      assertThat(r.statusCode()).isEqualTo(401);
      assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"tierscope\"");
      assertThat(r.headers().firstValue("Content-Type")).hasValue(Http.PROTOBUF);
      assertThat(com.google.rpc.Status.parseFrom(r.body()).getCode())
          .isEqualTo(Code.UNAUTHENTICATED_VALUE);
    }
    assertThat(com.google.rpc.Status.parseFrom(unknown.body()).getMessage())
        .isEqualTo("unknown or revoked token");
    assertThat(json.statusCode()).isEqualTo(401);
    assertThat(json.headers().firstValue("Content-Type")).hasValue(Http.JSON);
    assertThat(new String(json.body(), UTF_8)).contains("\"code\":16");
    assertThat(rejected("http/protobuf", "unauthenticated")).isEqualTo(before + 3);
    assertNothingArrivedFor(OtlpHttpIT.hex(TestSpans.traceIdOf(request)));
  }

  @Test
  void httpWithATokenLackingTheIngestScopeIs403() throws Exception {
    ExportTraceServiceRequest request = TestSpans.validTrace(1);

    HttpResponse<byte[]> r =
        post(
            "",
            Map.of("Authorization", TOKENS.bearer("acme-read")),
            Http.PROTOBUF,
            request.toByteArray());

    assertThat(r.statusCode()).isEqualTo(403);
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(r.body());
    assertThat(status.getCode()).isEqualTo(Code.PERMISSION_DENIED_VALUE);
    assertThat(status.getMessage())
        .isEqualTo("token 'acme-read' lacks the scope 'ingest' (it has: read)");
    assertNothingArrivedFor(OtlpHttpIT.hex(TestSpans.traceIdOf(request)));
  }

  @Test
  void aTenantsTokenCannotWriteIntoAnotherTenant() throws Exception {
    String acme = TOKENS.bearer("acme-ingest");
    ExportTraceServiceRequest viaHeader = TestSpans.validTrace(1);
    ExportTraceServiceRequest viaQuery = TestSpans.validTrace(1);

    HttpResponse<byte[]> header =
        post(
            "",
            Map.of("Authorization", acme, "X-Scope-OrgID", "globex"),
            Http.PROTOBUF,
            viaHeader.toByteArray());
    HttpResponse<byte[]> query =
        post(
            "?tenant=globex", Map.of("Authorization", acme), Http.PROTOBUF, viaQuery.toByteArray());

    assertThat(header.statusCode()).isEqualTo(403);
    assertThat(com.google.rpc.Status.parseFrom(header.body()).getMessage())
        .isEqualTo("token 'acme-ingest' may not act for tenant 'globex' (its tenants: acme)");
    assertThat(query.statusCode()).isEqualTo(403);
    assertNothingArrivedFor(OtlpHttpIT.hex(TestSpans.traceIdOf(viaHeader)));
    assertNothingArrivedFor(OtlpHttpIT.hex(TestSpans.traceIdOf(viaQuery)));

    // The attribute cannot name another tenant either: that span is rejected, the rest kept.
    String trace = newTraceId();
    String own = newSpanId();
    String other = newSpanId();
    ExportTraceServiceRequest attributes =
        TestSpans.request(
            span(trace, own),
            span(trace, other).addAttributes(attr(SpanAttributes.TENANT, "globex")));
    HttpResponse<byte[]> partial =
        post("", Map.of("Authorization", acme), Http.PROTOBUF, attributes.toByteArray());

    assertThat(partial.statusCode()).isEqualTo(200);
    ExportTraceServiceResponse response = ExportTraceServiceResponse.parseFrom(partial.body());
    assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    assertThat(response.getPartialSuccess().getErrorMessage())
        .isEqualTo(
            "rejected 1 span: span "
                + other
                + ": tierscope.tenant 'globex' is not the tenant this request is authenticated for"
                + " ('acme')");
    List<SpanEvent> stored = topic.trace(trace, 1);
    assertThat(stored).extracting(e -> OtlpHttpIT.hex(e.getSpanId())).containsExactly(own);
    assertThat(stored).extracting(SpanEvent::getTenant).containsExactly("acme");
    assertThat(ingest.count("tierscope.ingest.spans.rejected", "reason", "tenant_mismatch"))
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  void aResourceNamingAnotherTenantIsRejectedWhole() throws Exception {
    String trace = newTraceId();
    ExportTraceServiceRequest request =
        ExportTraceServiceRequest.newBuilder()
            .addResourceSpans(
                ResourceSpans.newBuilder()
                    .setResource(
                        Resource.newBuilder().addAttributes(attr(SpanAttributes.TENANT, "globex")))
                    .addScopeSpans(ScopeSpans.newBuilder().addSpans(span(trace, newSpanId()))))
            .build();

    HttpResponse<byte[]> r =
        post(
            "",
            Map.of("Authorization", TOKENS.bearer("acme-ingest")),
            Http.PROTOBUF,
            request.toByteArray());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(
            ExportTraceServiceResponse.parseFrom(r.body()).getPartialSuccess().getRejectedSpans())
        .isEqualTo(1);
    assertNothingArrivedFor(trace);
  }

  @Test
  void aMultiTenantTokenNamesItsTenantPerRequest() throws Exception {
    String both = TOKENS.bearer("both");
    ExportTraceServiceRequest toGlobex = TestSpans.validTrace(2);
    ExportTraceServiceRequest toAcme = TestSpans.validTrace(1);
    ExportTraceServiceRequest unnamed = TestSpans.validTrace(1);

    HttpResponse<byte[]> header =
        post(
            "",
            Map.of("Authorization", both, "X-Scope-OrgID", "globex"),
            Http.PROTOBUF,
            toGlobex.toByteArray());
    HttpResponse<byte[]> query =
        post("?tenant=acme", Map.of("Authorization", both), Http.PROTOBUF, toAcme.toByteArray());
    HttpResponse<byte[]> none =
        post("", Map.of("Authorization", both), Http.PROTOBUF, unnamed.toByteArray());

    assertThat(header.statusCode()).isEqualTo(200);
    assertThat(query.statusCode()).isEqualTo(200);
    List<SpanEvent> globexSpans = topic.trace(TestSpans.traceIdOf(toGlobex), 2);
    List<SpanEvent> acmeSpans = topic.trace(TestSpans.traceIdOf(toAcme), 1);
    assertThat(globexSpans).extracting(SpanEvent::getTenant).containsOnly("globex");
    assertThat(acmeSpans).extracting(SpanEvent::getTenant).containsOnly("acme");
    // the tenant is the token's: the aggregator's caps never fold it into __overflow__
    assertThat(globexSpans).extracting(SpanEvent::getTenantAuthenticated).containsOnly(true);
    assertThat(acmeSpans).extracting(SpanEvent::getTenantAuthenticated).containsOnly(true);
    assertThat(none.statusCode()).isEqualTo(400);
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(none.body());
    assertThat(status.getCode()).isEqualTo(Code.INVALID_ARGUMENT_VALUE);
    assertThat(status.getMessage())
        .isEqualTo(
            "token 'both' acts for several tenants (acme,globex); name one with the X-Scope-OrgID"
                + " header or ?tenant=");
    assertNothingArrivedFor(OtlpHttpIT.hex(TestSpans.traceIdOf(unnamed)));
  }

  // ---- OTLP/gRPC

  @Test
  void grpcRefusesUnauthenticatedForbiddenAndUnnamedCalls() {
    record Case(Map<String, String> metadata, Status.Code code, String description) {}
    List<Case> cases =
        List.of(
            new Case(Map.of(), Status.Code.UNAUTHENTICATED, "no credentials: send the header"),
            new Case(
                Map.of("authorization", "Bearer tsk_notissued"),
                Status.Code.UNAUTHENTICATED,
                "unknown or revoked token"),
            new Case(
                Map.of("authorization", TOKENS.bearer("acme-read")),
                Status.Code.PERMISSION_DENIED,
                "token 'acme-read' lacks the scope 'ingest'"),
            new Case(
                Map.of("authorization", TOKENS.bearer("acme-ingest"), "x-scope-orgid", "globex"),
                Status.Code.PERMISSION_DENIED,
                "token 'acme-ingest' may not act for tenant 'globex'"),
            new Case(
                Map.of("authorization", TOKENS.bearer("both")),
                Status.Code.INVALID_ARGUMENT,
                "token 'both' acts for several tenants"));
    double before = ingest.count("tierscope.ingest.requests.rejected", "protocol", "grpc");

    for (Case c : cases) {
      ExportTraceServiceRequest request = TestSpans.validTrace(1);
      StatusRuntimeException e =
          catchThrowableOfType(StatusRuntimeException.class, () -> grpc(request, c.metadata()));
      assertThat(e).as("%s", c).isNotNull();
      assertThat(e.getStatus().getCode()).as("%s", c).isEqualTo(c.code());
      assertThat(e.getStatus().getDescription()).as("%s", c).startsWith(c.description());
      assertNothingArrivedFor(OtlpHttpIT.hex(TestSpans.traceIdOf(request)));
    }
    assertThat(ingest.count("tierscope.ingest.requests.rejected", "protocol", "grpc"))
        .isEqualTo(before + cases.size());
  }

  @Test
  void grpcStoresUnderTheTenantOfTheTokenOrItsMetadata() {
    ExportTraceServiceRequest acme = TestSpans.validTrace(1);
    ExportTraceServiceRequest globex = TestSpans.validTrace(1);

    grpc(acme, Map.of("authorization", TOKENS.bearer("acme-ingest")));
    grpc(globex, Map.of("authorization", TOKENS.bearer("both"), "x-scope-orgid", "globex"));

    List<SpanEvent> acmeSpans = topic.trace(TestSpans.traceIdOf(acme), 1);
    List<SpanEvent> globexSpans = topic.trace(TestSpans.traceIdOf(globex), 1);
    assertThat(acmeSpans).extracting(SpanEvent::getTenant).containsOnly("acme");
    assertThat(globexSpans).extracting(SpanEvent::getTenant).containsOnly("globex");
    assertThat(acmeSpans).extracting(SpanEvent::getTenantAuthenticated).containsOnly(true);
    assertThat(globexSpans).extracting(SpanEvent::getTenantAuthenticated).containsOnly(true);
  }

  // ---- the OpenTelemetry Java exporters

  @Test
  void javaSdkExportersSendTheTokenAsAHeader() {
    long t0 = TestSpans.START_NANOS + 21 * SdkTraces.MS;
    List<SpanData> overHttp = SdkTraces.chatTrace(t0);
    List<SpanData> overGrpc = SdkTraces.chatTrace(t0);

    try (OtlpHttpSpanExporter http =
            OtlpHttpSpanExporter.builder()
                .setEndpoint(ingest.tracesUrl())
                .addHeader("Authorization", TOKENS.bearer("acme-ingest"))
                .build();
        OtlpGrpcSpanExporter grpc =
            OtlpGrpcSpanExporter.builder()
                .setEndpoint("http://127.0.0.1:" + ingest.grpcPort())
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
  void javaSdkAutoconfigureSendsOtelExporterOtlpHeaders() {
    for (String protocol : List.of("http/protobuf", "grpc")) {
      Map<String, String> config = new HashMap<>();
      config.put("otel.service.name", "autoconfigured-" + protocol.replace('/', '-'));
      config.put("otel.traces.exporter", "otlp");
      config.put("otel.metrics.exporter", "none");
      config.put("otel.logs.exporter", "none");
      config.put("otel.exporter.otlp.protocol", protocol);
      config.put(
          "otel.exporter.otlp.endpoint",
          protocol.equals("grpc")
              ? "http://127.0.0.1:" + ingest.grpcPort()
              : "http://127.0.0.1:" + ingest.httpPort());
      // what OTEL_EXPORTER_OTLP_HEADERS holds: a W3C baggage-style list, values percent-encoded
      config.put(
          "otel.exporter.otlp.headers",
          "Authorization=Bearer%20" + TOKENS.secret("both") + ",X-Scope-OrgID=globex");

      String traceId = sendOneSpan(config);

      assertThat(topic.trace(traceId, 1))
          .as(protocol)
          .singleElement()
          .satisfies(
              e -> {
                assertThat(e.getTenant()).isEqualTo("globex");
                assertThat(e.getService())
                    .isEqualTo("autoconfigured-" + protocol.replace('/', '-'));
              });
    }
  }

  @Test
  void aJavaSdkExporterWithAnUnknownTokenFailsAndStoresNothing() {
    List<SpanData> spans = SdkTraces.simpleTrace(2, TestSpans.START_NANOS);

    try (OtlpHttpSpanExporter http =
        OtlpHttpSpanExporter.builder()
            .setEndpoint(ingest.tracesUrl())
            .addHeader("Authorization", "Bearer tsk_notissued")
            .build()) {
      assertThat(SdkTraces.export(http, spans)).isFalse();
    }

    assertNothingArrivedFor(spans.get(0).getTraceId());
  }

  // ---- management endpoints

  @Test
  void managementEndpointsOtherThanHealthNeedTheAdminScope() throws Exception {
    String management = "http://127.0.0.1:" + managementPort;
    String main = "http://127.0.0.1:" + ingest.httpPort();

    assertThat(get(main + "/actuator/health", null).statusCode()).isEqualTo(200);
    assertThat(get(main + "/actuator/health", null).body()).isEqualTo("{\"status\":\"UP\"}");
    assertThat(get(main + "/actuator/prometheus", TOKENS.bearer("operator")).statusCode())
        .as("not on the OTLP port")
        .isEqualTo(404);
    assertThat(get(management + "/actuator/health", null).statusCode()).isEqualTo(200);

    HttpResponse<String> anonymous = get(management + "/actuator/prometheus", null);
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("Content-Type")).hasValue("application/problem+json");
    HttpResponse<String> ingestOnly =
        get(management + "/actuator/prometheus", TOKENS.bearer("acme-ingest"));
    assertThat(ingestOnly.statusCode()).isEqualTo(403);
    assertThat(ingestOnly.body()).contains("lacks the scope 'admin'");
    HttpResponse<String> admin =
        get(management + "/actuator/prometheus", TOKENS.bearer("operator"));
    assertThat(admin.statusCode()).isEqualTo(200);
    assertThat(admin.body()).contains("tierscope_ingest_requests_rejected_total");
  }

  // ---- helpers

  static String sendOneSpan(Map<String, String> config) {
    OpenTelemetrySdk sdk =
        AutoConfiguredOpenTelemetrySdk.builder()
            .addPropertiesSupplier(() -> config)
            .disableShutdownHook()
            .build()
            .getOpenTelemetrySdk();
    try {
      Tracer tracer = sdk.getTracer("ingest-auth-it");
      io.opentelemetry.api.trace.Span span =
          tracer
              .spanBuilder("job")
              .setAttribute(SpanAttributes.CLASS, SpanAttributes.Classes.DEFERRED_BATCH)
              .startSpan();
      String traceId = span.getSpanContext().getTraceId();
      span.end();
      assertThat(sdk.getSdkTracerProvider().forceFlush().join(30, TimeUnit.SECONDS).isSuccess())
          .as("the exporter's verdict")
          .isTrue();
      return traceId;
    } finally {
      sdk.close();
    }
  }

  static void assertNothingArrivedFor(String traceHex) {
    com.google.protobuf.ByteString trace = TestSpans.id(traceHex);
    assertThat(
            topic.await(
                e -> e.getTraceId().equals(trace), 0, Duration.ZERO, Duration.ofMillis(200)))
        .isEmpty();
  }

  static double rejected(String protocol, String reason) {
    return ingest.count(
        "tierscope.ingest.requests.rejected", "protocol", protocol, "reason", reason);
  }

  static HttpResponse<byte[]> post(
      String query, Map<String, String> headers, String contentType, byte[] body) throws Exception {
    return OtlpClients.post(ingest.tracesUrl(), query, headers, contentType, body);
  }

  static HttpResponse<String> get(String url, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static ExportTraceServiceResponse grpc(
      ExportTraceServiceRequest request, Map<String, String> metadata) {
    return OtlpClients.grpc(channel, request, metadata);
  }
}
