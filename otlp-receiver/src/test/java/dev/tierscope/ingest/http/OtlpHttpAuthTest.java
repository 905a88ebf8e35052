package dev.tierscope.ingest.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.rpc.Code;
import dev.tierscope.auth.AccessControl;
import dev.tierscope.auth.Scope;
import dev.tierscope.auth.Tenants;
import dev.tierscope.auth.TokenEntry;
import dev.tierscope.auth.TokenSecrets;
import dev.tierscope.auth.Tokens;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanTimeBounds;
import dev.tierscope.ingest.otlp.OtlpSpanNormalizer;
import dev.tierscope.ingest.publish.InMemorySpanPublisher;
import dev.tierscope.ingest.receiver.IngestMetrics;
import dev.tierscope.ingest.receiver.TraceReceiver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OTLP/HTTP answers of {@link OtlpHttpHandler} in the token mode: 401/403/400 with OTLP status
 * bodies before the body is read, and the caller's tenant on every stored span.
 */
class OtlpHttpAuthTest {

  static final String ACME = "tsk_acme";
  static final String BOTH = "tsk_both";
  static final String READER = "tsk_reader";

  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  InMemorySpanPublisher publisher;
  OtlpHttpServer server;

  @BeforeEach
  void start() throws IOException {
    publisher = new InMemorySpanPublisher();
    Tokens tokens =
        new Tokens(
            List.of(
                new TokenEntry(
                    "acme", TokenSecrets.hash(ACME), Tenants.of("acme"), Set.of(Scope.INGEST)),
                new TokenEntry(
                    "both",
                    TokenSecrets.hash(BOTH),
                    Tenants.of("acme", "globex"),
                    Set.of(Scope.INGEST)),
                new TokenEntry(
                    "reader", TokenSecrets.hash(READER), Tenants.of("acme"), Set.of(Scope.READ))));
    server =
        OtlpHttpServer.start(
            new OtlpHttpHandler(
                receiver(),
                IngestMetrics.NOOP,
                4096,
                Duration.ofSeconds(1),
                AccessControl.tokens(() -> tokens)),
            new InetSocketAddress("127.0.0.1", 0),
            2);
  }

  TraceReceiver receiver() {
    return new TraceReceiver(
        new OtlpSpanNormalizer(
            TrafficClasses.defaults(),
            128,
            OtlpSpanNormalizer.UnknownClassPolicy.ACCEPT,
            SpanTimeBounds.DEFAULTS,
            Clock.fixed(Instant.ofEpochSecond(1_767_225_600L), ZoneOffset.UTC)),
        publisher,
        IngestMetrics.NOOP,
        Duration.ofSeconds(5));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void withoutATokenAnswers401WithABearerChallengeAndAnOtlpStatusInTheRequestsEncoding()
      throws Exception {
    HttpResponse<byte[]> proto = post("", null, "application/x-protobuf");
    assertThat(proto.statusCode()).isEqualTo(401);
    assertThat(proto.headers().firstValue("WWW-Authenticate"))
        .hasValue("Bearer realm=\"tierscope\"");
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(proto.body());
    assertThat(status.getCode()).isEqualTo(Code.UNAUTHENTICATED_VALUE);
    assertThat(status.getMessage()).startsWith("no credentials");

    HttpResponse<byte[]> json = post("", null, "application/json");
    assertThat(json.statusCode()).isEqualTo(401);
    assertThat(json.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(new String(json.body(), UTF_8)).contains("\"code\":16").contains("no credentials");

    assertThat(post("", "Bearer tsk_unknown", "application/x-protobuf").statusCode())
        .isEqualTo(401);
    assertThat(publisher.spans()).isEmpty();
  }

  @Test
  void aTokenWithoutTheIngestScopeOrAnotherTenantAnswers403() throws Exception {
    HttpResponse<byte[]> scope = post("", "Bearer " + READER, "application/x-protobuf");
    assertThat(scope.statusCode()).isEqualTo(403);
    assertThat(com.google.rpc.Status.parseFrom(scope.body()).getCode())
        .isEqualTo(Code.PERMISSION_DENIED_VALUE);

    HttpResponse<byte[]> tenant =
        post("?tenant=globex", "Bearer " + ACME, "application/x-protobuf");
    assertThat(tenant.statusCode()).isEqualTo(403);
    assertThat(com.google.rpc.Status.parseFrom(tenant.body()).getMessage())
        .isEqualTo("token 'acme' may not act for tenant 'globex' (its tenants: acme)");
    assertThat(publisher.spans()).isEmpty();
  }

  @Test
  void aMultiTenantTokenThatNamesNoTenantAnswers400() throws Exception {
    HttpResponse<byte[]> r = post("", "Bearer " + BOTH, "application/x-protobuf");
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(com.google.rpc.Status.parseFrom(r.body()).getCode())
        .isEqualTo(Code.INVALID_ARGUMENT_VALUE);
    assertThat(publisher.spans()).isEmpty();
  }

  @Test
  void storesSpansUnderTheTenantTheTokenOrTheRequestNames() throws Exception {
    assertThat(post("", "Bearer " + ACME, "application/x-protobuf").statusCode()).isEqualTo(200);
    assertThat(post("?tenant=globex", "Bearer " + BOTH, "application/x-protobuf").statusCode())
        .isEqualTo(200);

    assertThat(publisher.spans()).extracting(Span::tenant).containsExactly("acme", "globex");
    // the tenant is the token's identity: the aggregator's caps never fold it
    assertThat(publisher.spans()).extracting(Span::tenantAuthenticated).containsOnly(true);
  }

  @Test
  void withoutAuthenticationATenantTheRequestNamesIsStoredButNotMarkedAuthenticated()
      throws Exception {
    server.close();
    server =
        OtlpHttpServer.start(
            new OtlpHttpHandler(
                receiver(), IngestMetrics.NOOP, 4096, Duration.ofSeconds(1), AccessControl.none()),
            new InetSocketAddress("127.0.0.1", 0),
            2);

    assertThat(post("?tenant=globex", null, "application/x-protobuf").statusCode()).isEqualTo(200);
    assertThat(post("", null, "application/x-protobuf").statusCode()).isEqualTo(200);

    assertThat(publisher.spans()).extracting(Span::tenant).containsExactly("globex", "default");
    // anybody may name any tenant in the none mode: such a tenant folds like any other
    assertThat(publisher.spans()).extracting(Span::tenantAuthenticated).containsOnly(false);
  }

  HttpResponse<byte[]> post(String query, String authorization, String contentType)
      throws Exception {
    byte[] body =
        contentType.equals("application/json")
            ? "{\"resourceSpans\":[]}".getBytes(UTF_8)
            : request().toByteArray();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/v1/traces" + query))
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  static ExportTraceServiceRequest request() {
    byte[] trace = new byte[16];
    trace[15] = 1;
    byte[] span = new byte[8];
    span[7] = (byte) (System.nanoTime() | 1);
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(
            ResourceSpans.newBuilder()
                .addScopeSpans(
                    ScopeSpans.newBuilder()
                        .addSpans(
                            io.opentelemetry.proto.trace.v1.Span.newBuilder()
                                .setTraceId(ByteString.copyFrom(trace))
                                .setSpanId(ByteString.copyFrom(span))
                                .setStartTimeUnixNano(1_767_225_600_000_000_000L)
                                .setEndTimeUnixNano(1_767_225_601_000_000_000L))))
        .build();
  }
}
