package dev.tierscope.ingest.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.SpanTimeBounds;
import dev.tierscope.ingest.otlp.OtlpSpanNormalizer;
import dev.tierscope.ingest.publish.InMemorySpanPublisher;
import dev.tierscope.ingest.receiver.IngestMetrics;
import dev.tierscope.ingest.receiver.TraceReceiver;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
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
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The OTLP/HTTP rules of {@link OtlpHttpHandler}, served by {@link OtlpHttpServer} on loopback. */
class OtlpHttpHandlerTest {

  static final int LIMIT = 4096;
  static final long START = 1_767_225_600_000_000_000L;

  final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  InMemorySpanPublisher publisher;
  OtlpHttpServer server;

  @BeforeEach
  void start() throws IOException {
    publisher = new InMemorySpanPublisher();
    TraceReceiver receiver =
        new TraceReceiver(
            new OtlpSpanNormalizer(
                TrafficClasses.defaults(),
                128,
                OtlpSpanNormalizer.UnknownClassPolicy.ACCEPT,
                SpanTimeBounds.DEFAULTS,
                Clock.fixed(Instant.ofEpochSecond(0, START), ZoneOffset.UTC)),
            publisher,
            IngestMetrics.NOOP,
            Duration.ofSeconds(5));
    server =
        OtlpHttpServer.start(
            new OtlpHttpHandler(receiver, IngestMetrics.NOOP, LIMIT, Duration.ofMillis(4200)),
            new InetSocketAddress("127.0.0.1", 0),
            2);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void acceptsProtobufAndAnswersInProtobufOnceTheSpansArePublished() throws Exception {
    HttpResponse<byte[]> r = post("application/x-protobuf", null, request(2, 0).toByteArray());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/x-protobuf");
    assertThat(ExportTraceServiceResponse.parseFrom(r.body()).hasPartialSuccess()).isFalse();
    assertThat(publisher.spans()).hasSize(2);
  }

  @Test
  void acceptsJsonWithParametersAndAnswersInJson() {
    String json =
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":"
            + "\"4BF92F3577B34DA6A3CE929D0E0E4736\",\"spanId\":\"00f067aa0ba902b7\","
            + "\"startTimeUnixNano\":\"1767225600000000000\",\"endTimeUnixNano\":1767225600000000001}]}]}]}";

    HttpResponse<byte[]> r = post("Application/JSON; charset=utf-8", null, json.getBytes(UTF_8));

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(new String(r.body(), UTF_8)).isEqualTo("{}");
    assertThat(publisher.spans()).hasSize(1);
  }

  @Test
  void answersPartialSuccessForInvalidSpans() throws Exception {
    HttpResponse<byte[]> r = post("application/protobuf", null, request(1, 1).toByteArray());

    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(
            ExportTraceServiceResponse.parseFrom(r.body()).getPartialSuccess().getRejectedSpans())
        .isEqualTo(1);
    assertThat(publisher.spans()).hasSize(1);
  }

  @Test
  void acceptsGzipAndChunkedBodies() throws Exception {
    HttpResponse<byte[]> gzip =
        send(
            HttpRequest.newBuilder(uri())
                .header("Content-Type", "application/x-protobuf")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(request(1, 0).toByteArray()))));
    HttpResponse<byte[]> chunked =
        send(
            HttpRequest.newBuilder(uri())
                .header("Content-Type", "application/x-protobuf")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(request(1, 0).toByteArray()))));

    assertThat(gzip.statusCode()).isEqualTo(200);
    assertThat(chunked.statusCode()).isEqualTo(200);
    assertThat(publisher.spans()).hasSize(2);
  }

  @Test
  void refusesAnUnsupportedContentTypeInJsonUnlessOnlyProtobufIsAccepted() throws Exception {
    HttpResponse<byte[]> json = post("text/plain", null, new byte[1]);
    HttpResponse<byte[]> protobuf = post("text/plain", "application/x-protobuf", new byte[1]);

    assertThat(json.statusCode()).isEqualTo(415);
    assertThat(new String(json.body(), UTF_8))
        .isEqualTo(
            "{\"code\":3,\"message\":\"unsupported content type 'text/plain'; send"
                + " application/x-protobuf or application/json\"}");
    assertThat(protobuf.statusCode()).isEqualTo(415);
    assertThat(com.google.rpc.Status.parseFrom(protobuf.body()).getCode()).isEqualTo(3);
  }

  @Test
  void refusesUndecodableBodiesWith400() {
    HttpResponse<byte[]> protobuf = post("application/x-protobuf", null, new byte[] {0x0a, 0x7f});
    HttpResponse<byte[]> json =
        post("application/json", null, "{\"resourceSpans\":[".getBytes(UTF_8));

    assertThat(protobuf.statusCode()).isEqualTo(400);
    assertThat(json.statusCode()).isEqualTo(400);
    assertThat(new String(json.body(), UTF_8))
        .startsWith("{\"code\":3,\"message\":\"body is not an OTLP/JSON ExportTraceServiceRequest");
    assertThat(publisher.spans()).isEmpty();
  }

  @Test
  void refusesBodiesOverTheLimitBeforeAndAfterDecompression() throws Exception {
    HttpResponse<byte[]> declared = post("application/json", null, new byte[LIMIT + 1]);
    HttpResponse<byte[]> chunked =
        send(
            HttpRequest.newBuilder(uri())
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(new byte[LIMIT * 3]))));
    HttpResponse<byte[]> bomb =
        send(
            HttpRequest.newBuilder(uri())
                .header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzip(new byte[LIMIT * 100]))));

    assertThat(declared.statusCode()).isEqualTo(413);
    assertThat(new String(declared.body(), UTF_8))
        .contains("declared Content-Length 4097 exceeds the limit of 4096 bytes");
    assertThat(chunked.statusCode()).isEqualTo(413);
    assertThat(new String(chunked.body(), UTF_8)).contains("body exceeds the limit");
    assertThat(bomb.statusCode()).isEqualTo(413);
    assertThat(new String(bomb.body(), UTF_8))
        .contains("body after gzip decompression exceeds the limit");
  }

  @Test
  void refusesAnUnsupportedEncodingAndBadGzip() {
    HttpResponse<byte[]> br =
        send(
            HttpRequest.newBuilder(uri())
                .header("Content-Type", "application/json")
                .header("Content-Encoding", "br")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[3])));
    HttpResponse<byte[]> notGzip =
        send(
            HttpRequest.newBuilder(uri())
                .header("Content-Type", "application/json")
                .header("Content-Encoding", "gzip")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3})));

    assertThat(br.statusCode()).isEqualTo(415);
    assertThat(notGzip.statusCode()).isEqualTo(400);
    assertThat(new String(notGzip.body(), UTF_8)).contains("body is not valid gzip");
  }

  @Test
  void answersRetryLaterWithRetryAfterInWholeSecondsWhenSpansCannotBePublished() {
    publisher.close();

    HttpResponse<byte[]> r = post("application/json", null, "{}".getBytes(UTF_8));
    HttpResponse<byte[]> spans =
        post(
            "application/json",
            null,
            ("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":"
                    + "\"4bf92f3577b34da6a3ce929d0e0e4736\",\"spanId\":\"00f067aa0ba902b7\","
                    + "\"startTimeUnixNano\":\"1767225600000000000\","
                    + "\"endTimeUnixNano\":\"1767225600000000001\"}]}]}]}")
                .getBytes(UTF_8));

    assertThat(r.statusCode()).as("nothing to publish").isEqualTo(200);
    assertThat(spans.statusCode()).isEqualTo(503);
    assertThat(spans.headers().firstValue("Retry-After")).hasValue("5");
    assertThat(new String(spans.body(), UTF_8))
        .isEqualTo("{\"code\":14,\"message\":\"the publisher is closed; retry later\"}");
  }

  @Test
  void servesOnlyPostOnTheTracesPath() {
    HttpResponse<byte[]> get = send(HttpRequest.newBuilder(uri()).GET());
    HttpResponse<byte[]> other =
        send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/traces/x"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[0])));

    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(other.statusCode()).isEqualTo(404);
  }

  @Nested
  class MediaTypeRules {
    @Test
    void readsTheEssenceOfAContentType() {
      assertThat(MediaTypes.essence("application/x-protobuf")).isEqualTo("application/x-protobuf");
      assertThat(MediaTypes.essence(" Application/JSON ; charset=\"utf-8\""))
          .isEqualTo("application/json");
      assertThat(MediaTypes.essence("application/json;charset=utf-8"))
          .isEqualTo("application/json");
    }

    @Test
    void refusesMalformedContentTypes() {
      assertThat(MediaTypes.essence(null)).isNull();
      assertThat(MediaTypes.essence("")).isNull();
      assertThat(MediaTypes.essence("json")).isNull();
      assertThat(MediaTypes.essence("application/")).isNull();
      assertThat(MediaTypes.essence("application/json; charset")).isNull();
      assertThat(MediaTypes.essence("appli cation/json")).isNull();
    }

    @Test
    void answersInProtobufOnlyWhenJsonIsNotAcceptable() {
      assertThat(MediaTypes.acceptsOnlyProtobuf("application/x-protobuf")).isTrue();
      assertThat(MediaTypes.acceptsOnlyProtobuf("application/x-protobuf;q=1")).isTrue();
      assertThat(MediaTypes.acceptsOnlyProtobuf("application/x-protobuf, */*;q=0.1")).isFalse();
      assertThat(MediaTypes.acceptsOnlyProtobuf("application/x-protobuf, application/json"))
          .isFalse();
      assertThat(MediaTypes.acceptsOnlyProtobuf("text/html")).isFalse();
      assertThat(MediaTypes.acceptsOnlyProtobuf(null)).isFalse();
      assertThat(MediaTypes.acceptsOnlyProtobuf("not a media type")).isFalse();
    }

    @Test
    void mapsContentTypesToProtocols() {
      assertThat(OtlpHttpHandler.protocolOf("application/x-protobuf")).isNotNull();
      assertThat(OtlpHttpHandler.protocolOf("application/protobuf")).isNotNull();
      assertThat(OtlpHttpHandler.protocolOf("application/json")).isNotNull();
      assertThat(OtlpHttpHandler.protocolOf("application/xml")).isNull();
      assertThat(OtlpHttpHandler.protocolOf(null)).isNull();
    }
  }

  @Test
  void roundsRetryAfterUpToWholeSeconds() {
    assertThat(OtlpHttpHandler.retryAfterSeconds(Duration.ofSeconds(5))).isEqualTo(5);
    assertThat(OtlpHttpHandler.retryAfterSeconds(Duration.ofMillis(1500))).isEqualTo(2);
    assertThat(OtlpHttpHandler.retryAfterSeconds(Duration.ofMillis(1))).isEqualTo(1);
  }

  // ---- helpers

  private URI uri() {
    return URI.create("http://127.0.0.1:" + server.port() + OtlpHttpHandler.PATH);
  }

  private HttpResponse<byte[]> post(String contentType, String accept, byte[] body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri())
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (accept != null) {
      b.header("Accept", accept);
    }
    return send(b);
  }

  private HttpResponse<byte[]> send(HttpRequest.Builder request) {
    try {
      return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(body);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** {@code valid} valid spans and {@code invalid} spans that end before they start. */
  private static ExportTraceServiceRequest request(int valid, int invalid) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < valid + invalid; i++) {
      scope.addSpans(
          Span.newBuilder()
              .setTraceId(
                  ByteString.copyFrom(
                      new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
              .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 1, (byte) (i + 1)}))
              .setStartTimeUnixNano(START)
              .setEndTimeUnixNano(i < valid ? START + 1 : START - 1));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
        .build();
  }
}
