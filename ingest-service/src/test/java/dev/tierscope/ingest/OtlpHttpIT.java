package dev.tierscope.ingest;

import static dev.tierscope.ingest.TestSpans.attr;
import static dev.tierscope.ingest.TestSpans.id;
import static dev.tierscope.ingest.TestSpans.newSpanId;
import static dev.tierscope.ingest.TestSpans.newTraceId;
import static dev.tierscope.ingest.TestSpans.span;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.rpc.Code;
import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.ingest.otlp.OtlpSpanNormalizer;
import dev.tierscope.wire.v1.Role;
import dev.tierscope.wire.v1.SpanEvent;
import dev.tierscope.wire.v1.StreamOutcome;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OTLP/HTTP on a running ingest with a real broker: the OpenTelemetry Java exporter, hand-written
 * JSON and protobuf requests (gzip, chunked), and every error path. Each error test asserts the
 * status, the {@code google.rpc.Status} message, that nothing of the refused request reached Kafka
 * and that valid data sent afterwards still does.
 */
class OtlpHttpIT {

  static RunningIngest ingest;
  static SpanTopic topic;
  static String url;

  @BeforeAll
  static void start() {
    ingest = SharedIngest.ingest();
    topic = SharedIngest.topic();
    url = ingest.tracesUrl();
  }

  // ---- real clients and accepted encodings

  @Test
  void javaSdkProtobufExporterDeliversANormalisedTrace() {
    long t0 = TestSpans.START_NANOS + 7 * SdkTraces.MS;
    List<SpanData> spans = SdkTraces.chatTrace(t0);

    try (OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder().setEndpoint(url).build()) {
      assertThat(SdkTraces.export(exporter, spans)).isTrue();
    }

    SdkTraces.assertChatTraceNormalised(
        topic.trace(spans.get(0).getTraceId(), spans.size()), spans, t0);
  }

  @Test
  void javaSdkProtobufExporterWithGzipDelivers() {
    List<SpanData> spans = SdkTraces.simpleTrace(20, TestSpans.START_NANOS);

    try (OtlpHttpSpanExporter exporter =
        OtlpHttpSpanExporter.builder().setEndpoint(url).setCompression("gzip").build()) {
      assertThat(SdkTraces.export(exporter, spans)).isTrue();
    }

    assertThat(topic.trace(spans.get(0).getTraceId(), 20)).hasSize(20);
  }

  @Test
  void handWrittenJsonPerTheSpecificationIsAcceptedAndAnsweredInJson() {
    String trace = newTraceId();
    String root = newSpanId();
    String model = newSpanId();

    HttpResponse<byte[]> response =
        Http.post(url, Http.JSON, null, handWrittenJson(trace, root, model));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(text(response)).isEqualTo("{}");
    assertHandWrittenJsonArrived(trace, root, model);
  }

  @Test
  void gzipJsonIsAccepted() {
    String trace = newTraceId();
    String root = newSpanId();
    String model = newSpanId();

    HttpResponse<byte[]> response =
        Http.post(url, Http.JSON, "gzip", Http.gzip(handWrittenJson(trace, root, model)));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(text(response)).isEqualTo("{}");
    assertHandWrittenJsonArrived(trace, root, model);
  }

  @Test
  void chunkedBodiesWithoutContentLengthAreRead() {
    String jsonTrace = newTraceId();
    String root = newSpanId();
    String model = newSpanId();
    ExportTraceServiceRequest protobuf = TestSpans.validTrace(3);

    HttpResponse<byte[]> json =
        Http.postChunked(
            url, Http.JSON + "; charset=utf-8", null, handWrittenJson(jsonTrace, root, model));
    HttpResponse<byte[]> proto =
        Http.postChunked(url, Http.PROTOBUF, "gzip", Http.gzip(protobuf.toByteArray()));

    assertThat(json.statusCode()).isEqualTo(200);
    assertThat(proto.statusCode()).isEqualTo(200);
    assertHandWrittenJsonArrived(jsonTrace, root, model);
    assertThat(topic.trace(TestSpans.traceIdOf(protobuf), 3)).hasSize(3);
  }

  @Test
  void emptyRequestsAreAccepted() throws Exception {
    HttpResponse<byte[]> emptyProtobuf = Http.post(url, Http.PROTOBUF, null, new byte[0]);
    HttpResponse<byte[]> emptyJsonObject = Http.post(url, Http.JSON, null, "{}".getBytes(UTF_8));
    HttpResponse<byte[]> emptyJsonBody = Http.post(url, Http.JSON, null, new byte[0]);

    assertThat(emptyProtobuf.statusCode()).isEqualTo(200);
    assertThat(ExportTraceServiceResponse.parseFrom(emptyProtobuf.body()).hasPartialSuccess())
        .isFalse();
    assertThat(emptyJsonObject.statusCode()).isEqualTo(200);
    assertThat(text(emptyJsonObject)).isEqualTo("{}");
    assertThat(emptyJsonBody.statusCode()).isEqualTo(200);
  }

  // ---- partial success

  @Test
  void invalidSpansGetPartialSuccessWhileValidSpansOfTheRequestArrive() throws Exception {
    String trace = newTraceId();
    String good1 = newSpanId();
    String good2 = newSpanId();
    String endsEarly = newSpanId();
    String crowded = newSpanId();
    String zeroTrace = newSpanId();
    Span.Builder tooManyAttributes = span(trace, crowded);
    for (int i = 0; i <= SharedIngest.MAX_ATTRIBUTES; i++) {
      tooManyAttributes.addAttributes(attr("a" + i, "v"));
    }
    ExportTraceServiceRequest request =
        TestSpans.request(
            span(trace, good1),
            span(trace, endsEarly).setEndTimeUnixNano(TestSpans.START_NANOS - 1),
            span(trace, zeroTrace).setTraceId(ByteString.copyFrom(new byte[16])),
            tooManyAttributes,
            span(trace, good2));
    double rejectedBefore =
        ingest.count(
            "tierscope.ingest.spans.rejected",
            "reason",
            OtlpSpanNormalizer.REASON_END_BEFORE_START);

    HttpResponse<byte[]> response = Http.post(url, Http.PROTOBUF, null, request.toByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    ExportTraceServiceResponse body = ExportTraceServiceResponse.parseFrom(response.body());
    assertThat(body.getPartialSuccess().getRejectedSpans()).isEqualTo(3);
    assertThat(body.getPartialSuccess().getErrorMessage())
        .isEqualTo(
            "rejected 3 spans: span "
                + endsEarly
                + ": end before start; span "
                + zeroTrace
                + ": trace_id must not be all zero; span "
                + crowded
                + ": too many attributes: 33 > 32");
    assertThat(topic.trace(trace, 2))
        .extracting(e -> hex(e.getSpanId()))
        .containsExactlyInAnyOrder(good1, good2);
    assertThat(
            ingest.count(
                "tierscope.ingest.spans.rejected",
                "reason",
                OtlpSpanNormalizer.REASON_END_BEFORE_START))
        .isEqualTo(rejectedBefore + 1);
  }

  @Test
  void invalidSpansInJsonGetPartialSuccessInJson() {
    String trace = newTraceId();
    String good = newSpanId();
    String bad = newSpanId();
    String json =
        """
        {"resourceSpans":[{"scopeSpans":[{"spans":[
          {"traceId":"%1$s","spanId":"%2$s","name":"ok","kind":1,
           "startTimeUnixNano":"1767225600000000000","endTimeUnixNano":"1767225601000000000"},
          {"traceId":"%1$s","spanId":"%3$s","name":"backwards","kind":1,
           "startTimeUnixNano":"1767225601000000000","endTimeUnixNano":1767225600000000000},
          {"traceId":"%1$s","spanId":"00f067aa","name":"short id",
           "startTimeUnixNano":"1767225600000000000","endTimeUnixNano":"1767225601000000000"}
        ]}]}]}
        """
            .formatted(trace, good, bad);

    HttpResponse<byte[]> response = Http.post(url, Http.JSON, null, json.getBytes(UTF_8));

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(text(response))
        .isEqualTo(
            "{\"partialSuccess\":{\"rejectedSpans\":\"2\",\"errorMessage\":\"rejected 2 spans: span "
                + bad
                + ": end before start; span <unknown>: span_id must be 8 bytes, got 4\"}}");
    assertThat(topic.trace(trace, 1)).extracting(e -> hex(e.getSpanId())).containsExactly(good);
  }

  @Test
  void unknownClassIsAcceptedWithAWarning() throws Exception {
    String trace = newTraceId();
    ExportTraceServiceRequest request =
        TestSpans.request(
            span(trace, newSpanId()).addAttributes(attr(SpanAttributes.CLASS, "gold")));
    double before = ingest.count("tierscope.ingest.spans.class_unknown");

    HttpResponse<byte[]> response = Http.post(url, Http.PROTOBUF, null, request.toByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    ExportTraceServiceResponse body = ExportTraceServiceResponse.parseFrom(response.body());
    assertThat(body.getPartialSuccess().getRejectedSpans()).isZero();
    assertThat(body.getPartialSuccess().getErrorMessage())
        .isEqualTo(
            "accepted 1 span with a tierscope.class that is not configured (first: 'gold'); such"
                + " requests count in the fallback class standard_interactive unless another span"
                + " names a configured class");
    SpanEvent event = topic.trace(trace, 1).get(0);
    assertThat(event.getClassUnknown()).isTrue();
    assertThat(event.getTrafficClass()).isEmpty();
    assertThat(ingest.count("tierscope.ingest.spans.class_unknown")).isEqualTo(before + 1);
  }

  // ---- errors: status, message, nothing stored, valid data still arrives

  @Test
  void undecodableProtobufIsAnswered400WithRpcStatus() throws Exception {
    HttpResponse<byte[]> response =
        Http.post(url, Http.PROTOBUF, null, new byte[] {0x0A, (byte) 0xFF});

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).hasValue(Http.PROTOBUF);
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(response.body());
    assertThat(status.getCode()).isEqualTo(Code.INVALID_ARGUMENT_VALUE);
    assertThat(status.getMessage())
        .startsWith("body is not a protobuf ExportTraceServiceRequest: ")
        .contains("ended unexpectedly");
    assertValidDataStillArrives();
  }

  @Test
  void undecodableJsonIsAnswered400WithAJsonStatusNamingThePath() {
    String trace = newTraceId();
    String json =
        """
        {"resourceSpans":[{"scopeSpans":[{"spans":[
          {"traceId":"%s","spanId":"%s","startTimeUnixNano":"soon"}]}]}]}
        """
            .formatted(trace, newSpanId());

    HttpResponse<byte[]> response = Http.post(url, Http.JSON, null, json.getBytes(UTF_8));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
    assertThat(text(response))
        .isEqualTo(
            "{\"code\":3,\"message\":\"body is not an OTLP/JSON ExportTraceServiceRequest:"
                + " resourceSpans[0].scopeSpans[0].spans[0].startTimeUnixNano: expected an"
                + " unsigned 64-bit integer, got \\\"soon\\\"\"}");
    assertNothingArrivedFor(trace);
    assertValidDataStillArrives();
  }

  @Test
  void jsonWithBase64IdsIsAnswered400() {
    HttpResponse<byte[]> response =
        Http.post(
            url,
            Http.JSON,
            null,
            "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"W47/95gDgQPSabYzgT/GDA==\"}]}]}]}"
                .getBytes(UTF_8));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(text(response))
        .contains(
            "resourceSpans[0].scopeSpans[0].spans[0].traceId: expected a hex string (OTLP/JSON"
                + " ids are hex, not base64)");
    assertValidDataStillArrives();
  }

  @Test
  void syntacticallyBrokenJsonIsAnswered400() {
    HttpResponse<byte[]> response =
        Http.post(url, Http.JSON, null, "{\"resourceSpans\":[".getBytes(UTF_8));

    assertThat(response.statusCode()).isEqualTo(400);
    assertThat(text(response))
        .startsWith(
            "{\"code\":3,\"message\":\"body is not an OTLP/JSON ExportTraceServiceRequest:"
                + " invalid JSON");
    assertValidDataStillArrives();
  }

  @Test
  void invalidGzipIsAnswered400() throws Exception {
    ExportTraceServiceRequest request = TestSpans.validTrace(2);
    byte[] truncated = Http.gzip(request.toByteArray());
    truncated = java.util.Arrays.copyOf(truncated, truncated.length - 10);

    HttpResponse<byte[]> notGzip = Http.post(url, Http.PROTOBUF, "gzip", request.toByteArray());
    HttpResponse<byte[]> cut = Http.post(url, Http.PROTOBUF, "gzip", truncated);

    assertThat(notGzip.statusCode()).isEqualTo(400);
    assertThat(com.google.rpc.Status.parseFrom(notGzip.body()).getMessage())
        .isEqualTo("body is not valid gzip: Not in GZIP format");
    assertThat(cut.statusCode()).isEqualTo(400);
    assertThat(com.google.rpc.Status.parseFrom(cut.body()).getMessage())
        .startsWith("body is not valid gzip: ");
    assertNothingArrivedFor(hex(TestSpans.traceIdOf(request)));
    assertValidDataStillArrives();
  }

  @Test
  void unsupportedContentTypeIsAnswered415() throws Exception {
    ExportTraceServiceRequest request = TestSpans.validTrace(2);

    HttpResponse<byte[]> text = Http.post(url, "text/plain", null, request.toByteArray());
    HttpResponse<byte[]> none = Http.post(url, null, null, request.toByteArray());

    assertThat(text.statusCode()).isEqualTo(415);
    assertThat(text(text))
        .isEqualTo(
            "{\"code\":3,\"message\":\"unsupported content type 'text/plain'; send"
                + " application/x-protobuf or application/json\"}");
    assertThat(none.statusCode()).isEqualTo(415);
    assertNothingArrivedFor(hex(TestSpans.traceIdOf(request)));
    assertValidDataStillArrives();
  }

  @Test
  void unsupportedContentEncodingIsAnswered415() throws Exception {
    ExportTraceServiceRequest request = TestSpans.validTrace(2);

    HttpResponse<byte[]> response = Http.post(url, Http.PROTOBUF, "br", request.toByteArray());

    assertThat(response.statusCode()).isEqualTo(415);
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(response.body());
    assertThat(status.getCode()).isEqualTo(Code.INVALID_ARGUMENT_VALUE);
    assertThat(status.getMessage())
        .isEqualTo("unsupported Content-Encoding 'br'; send gzip or identity");
    assertNothingArrivedFor(hex(TestSpans.traceIdOf(request)));
    assertValidDataStillArrives();
  }

  @Test
  void bodyOverTheLimitIsAnswered413WithOrWithoutContentLength() throws Exception {
    String trace = newTraceId();
    ExportTraceServiceRequest big =
        TestSpans.request(
            span(trace, newSpanId())
                .addAttributes(attr("blob", "x".repeat(SharedIngest.MAX_BODY_BYTES))));

    HttpResponse<byte[]> declared = Http.post(url, Http.PROTOBUF, null, big.toByteArray());
    HttpResponse<byte[]> chunked = Http.postChunked(url, Http.PROTOBUF, null, big.toByteArray());

    assertThat(declared.statusCode()).isEqualTo(413);
    com.google.rpc.Status status = com.google.rpc.Status.parseFrom(declared.body());
    assertThat(status.getCode()).isEqualTo(Code.RESOURCE_EXHAUSTED_VALUE);
    assertThat(status.getMessage())
        .isEqualTo(
            "declared Content-Length "
                + big.getSerializedSize()
                + " exceeds the limit of 262144 bytes (tierscope.ingest.max-body-size)");
    assertThat(chunked.statusCode()).isEqualTo(413);
    assertThat(com.google.rpc.Status.parseFrom(chunked.body()).getMessage())
        .isEqualTo("body exceeds the limit of 262144 bytes (tierscope.ingest.max-body-size)");
    assertNothingArrivedFor(trace);
    assertValidDataStillArrives();
  }

  @Test
  void gzipBombIsAnswered413() {
    String trace = newTraceId();
    // 16 MiB of one character compress to about 16 KiB; inflating stops at the limit.
    String json =
        "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\""
            + trace
            + "\",\"name\":\""
            + "a".repeat(16 << 20)
            + "\"}]}]}]}";
    byte[] bomb = Http.gzip(json.getBytes(UTF_8));
    assertThat(bomb.length).isLessThan(SharedIngest.MAX_BODY_BYTES);
    double before = ingest.count("tierscope.ingest.requests.rejected", "reason", "too_large");

    HttpResponse<byte[]> response = Http.post(url, Http.JSON, "gzip", bomb);

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(text(response))
        .isEqualTo(
            "{\"code\":8,\"message\":\"body after gzip decompression exceeds the limit of 262144"
                + " bytes (tierscope.ingest.max-body-size)\"}");
    assertThat(ingest.count("tierscope.ingest.requests.rejected", "reason", "too_large"))
        .isEqualTo(before + 1);
    assertNothingArrivedFor(trace);
    assertValidDataStillArrives();
  }

  // ---- metrics

  @Test
  void metersCountAcceptedSpansRequestSizesAndProduceLatency() {
    double accepted = ingest.count("tierscope.ingest.spans.accepted", "protocol", "http/json");
    long sizes = jsonSizes().count();
    double bytes = jsonSizes().totalAmount();
    long produced =
        ingest
            .meters()
            .get("tierscope.ingest.kafka.produce")
            .tag("outcome", "success")
            .timer()
            .count();
    byte[] body = handWrittenJson(newTraceId(), newSpanId(), newSpanId());

    assertThat(Http.post(url, Http.JSON, "gzip", Http.gzip(body)).statusCode()).isEqualTo(200);

    assertThat(ingest.count("tierscope.ingest.spans.accepted", "protocol", "http/json"))
        .isEqualTo(accepted + 2);
    assertThat(jsonSizes().count()).isEqualTo(sizes + 1);
    assertThat(jsonSizes().totalAmount()).isEqualTo(bytes + body.length);
    assertThat(
            ingest
                .meters()
                .get("tierscope.ingest.kafka.produce")
                .tag("outcome", "success")
                .timer()
                .count())
        .isEqualTo(produced + 1);
    assertThat(ingest.meters().get("tierscope.ingest.kafka.in_flight").gauge().value())
        .isGreaterThanOrEqualTo(0);
  }

  private static io.micrometer.core.instrument.DistributionSummary jsonSizes() {
    return ingest
        .meters()
        .get("tierscope.ingest.request.size")
        .tag("protocol", "http/json")
        .summary();
  }

  // ---- helpers

  /**
   * The OTLP specification's JSON example, made Tierscope-shaped: upper-case hex ids, int64 as
   * strings, integer enums, an empty parent id, a first_token event.
   */
  static byte[] handWrittenJson(String trace, String root, String model) {
    return """
        {
          "resourceSpans": [{
            "resource": {"attributes": [
              {"key": "service.name", "value": {"stringValue": "curl-gateway"}},
              {"key": "tierscope.tenant", "value": {"stringValue": "json-tenant"}}]},
            "scopeSpans": [{
              "scope": {"name": "manual", "version": "1.0.0"},
              "spans": [
                {
                  "traceId": "%1$s",
                  "spanId": "%2$s",
                  "parentSpanId": "",
                  "name": "POST /chat",
                  "kind": 2,
                  "startTimeUnixNano": "1767225600000000000",
                  "endTimeUnixNano": "1767225601500000000",
                  "attributes": [
                    {"key": "tierscope.class", "value": {"stringValue": "interactive_premium"}},
                    {"key": "gen_ai.request.stream", "value": {"boolValue": true}},
                    {"key": "http.route", "value": {"stringValue": "/chat"}}],
                  "events": [{"timeUnixNano": "1767225600300000000", "name": "first_token"}],
                  "status": {"code": 2, "message": "stream reset"},
                  "futureField": {"ignored": [1, 2, 3]}
                },
                {
                  "traceId": "%4$s",
                  "spanId": "%3$s",
                  "parentSpanId": "%2$s",
                  "name": "chat llama",
                  "kind": 3,
                  "startTimeUnixNano": 1767225600100000000,
                  "endTimeUnixNano": "1767225601400000000",
                  "attributes": [
                    {"key": "gen_ai.operation.name", "value": {"stringValue": "chat"}},
                    {"key": "gen_ai.usage.input_tokens", "value": {"intValue": "1200"}},
                    {"key": "gen_ai.usage.output_tokens", "value": {"intValue": 350}},
                    {"key": "tierscope.model.queue_ms", "value": {"doubleValue": 12.5}}]
                }]
            }]
          }]
        }
        """
        .formatted(trace.toUpperCase(Locale.ROOT), root.toUpperCase(Locale.ROOT), model, trace)
        .getBytes(UTF_8);
  }

  static void assertHandWrittenJsonArrived(String trace, String root, String model) {
    List<SpanEvent> events = topic.trace(trace, 2);
    assertThat(events).hasSize(2);
    SpanEvent gateway = SdkTraces.byRole(events, Role.ROLE_GATEWAY);
    assertThat(hex(gateway.getSpanId())).isEqualTo(root);
    assertThat(gateway.getService()).isEqualTo("curl-gateway");
    assertThat(gateway.getTenant()).isEqualTo("json-tenant");
    assertThat(gateway.getTrafficClass()).isEqualTo(SpanAttributes.Classes.INTERACTIVE_PREMIUM);
    assertThat(gateway.getStartEpochNanos()).isEqualTo(1_767_225_600_000_000_000L);
    assertThat(gateway.getFirstTokenEpochNanos()).isEqualTo(1_767_225_600_300_000_000L);
    assertThat(gateway.getStatusError()).isTrue();
    assertThat(gateway.getStreamOutcome()).isEqualTo(StreamOutcome.STREAM_OUTCOME_INTERRUPTED);
    SpanEvent chat = SdkTraces.byRole(events, Role.ROLE_MODEL);
    assertThat(hex(chat.getSpanId())).isEqualTo(model);
    assertThat(chat.getParentSpanId()).isEqualTo(id(root));
    assertThat(chat.getInputTokens()).isEqualTo(1200);
    assertThat(chat.getOutputTokens()).isEqualTo(350);
    assertThat(chat.getModelQueueMicros()).isEqualTo(12_500);
  }

  /** A valid protobuf request sent now is answered 200 and its spans reach Kafka. */
  static void assertValidDataStillArrives() {
    ExportTraceServiceRequest request = TestSpans.validTrace(2);
    HttpResponse<byte[]> response = Http.post(url, Http.PROTOBUF, null, request.toByteArray());
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(topic.trace(TestSpans.traceIdOf(request), 2)).hasSize(2);
  }

  static void assertNothingArrivedFor(String traceHex) {
    ByteString trace = id(traceHex);
    assertThat(
            SharedIngest.topic()
                .await(e -> e.getTraceId().equals(trace), 0, Duration.ZERO, Duration.ofMillis(200)))
        .isEmpty();
  }

  static String text(HttpResponse<byte[]> response) {
    return new String(response.body(), UTF_8);
  }

  static String hex(ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toByteArray());
  }
}
