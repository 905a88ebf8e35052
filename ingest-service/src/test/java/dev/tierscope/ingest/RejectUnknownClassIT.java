package dev.tierscope.ingest;

import static dev.tierscope.ingest.TestSpans.attr;
import static dev.tierscope.ingest.TestSpans.newSpanId;
import static dev.tierscope.ingest.TestSpans.newTraceId;
import static dev.tierscope.ingest.TestSpans.span;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tierscope.conventions.SpanAttributes;
import dev.tierscope.ingest.otlp.OtlpSpanNormalizer;
import dev.tierscope.testsupport.TestInfra;
import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code tierscope.ingest.unknown-class=reject}: a span whose {@code tierscope.class} is outside
 * the configured set is rejected through OTLP partial success, with an alias still resolving, and
 * the other spans of the request are kept.
 */
class RejectUnknownClassIT {

  static RunningIngest ingest;
  static SpanTopic topic;

  @BeforeAll
  static void start() {
    String name = TestInfra.uniqueName("strict_spans");
    TestInfra.createTopic(name, 1);
    ingest =
        RunningIngest.start(
            TestInfra.bootstrapServers(),
            name,
            Map.of(
                "tierscope.spans.partitions", "1",
                "tierscope.ingest.unknown-class", "reject",
                "tierscope.classes.aliases.premium", SpanAttributes.Classes.INTERACTIVE_PREMIUM));
    topic = new SpanTopic(ingest.bootstrapServers(), name);
  }

  @AfterAll
  static void stop() {
    topic.close();
    ingest.close();
  }

  @Test
  void unknownClassIsRejectedWhileTheOtherSpansArrive() throws Exception {
    String trace = newTraceId();
    String known = newSpanId();
    String alias = newSpanId();
    String unknown = newSpanId();
    ExportTraceServiceRequest request =
        TestSpans.request(
            span(trace, known)
                .addAttributes(attr(SpanAttributes.CLASS, SpanAttributes.Classes.DEFERRED_BATCH)),
            span(trace, alias).addAttributes(attr(SpanAttributes.CLASS, "premium")),
            span(trace, unknown).addAttributes(attr(SpanAttributes.CLASS, "gold")));
    double rejectedBefore = rejectedUnknownClass();

    HttpResponse<byte[]> response =
        Http.post(ingest.tracesUrl(), Http.PROTOBUF, null, request.toByteArray());

    assertThat(response.statusCode()).isEqualTo(200);
    ExportTraceServiceResponse body = ExportTraceServiceResponse.parseFrom(response.body());
    assertThat(body.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    assertThat(body.getPartialSuccess().getErrorMessage())
        .isEqualTo(
            "rejected 1 span: span "
                + unknown
                + ": tierscope.class 'gold' is not a configured class (interactive_premium,"
                + " standard_interactive, deferred_batch)");
    assertThat(topic.trace(trace, 2))
        .extracting(e -> OtlpHttpIT.hex(e.getSpanId()) + "=" + e.getTrafficClass())
        .containsExactlyInAnyOrder(
            known + "=" + SpanAttributes.Classes.DEFERRED_BATCH,
            alias + "=" + SpanAttributes.Classes.INTERACTIVE_PREMIUM);
    assertThat(rejectedUnknownClass()).isEqualTo(rejectedBefore + 1);
  }

  private static double rejectedUnknownClass() {
    return ingest.count(
        "tierscope.ingest.spans.rejected", "reason", OtlpSpanNormalizer.REASON_UNKNOWN_CLASS);
  }

  @Test
  void unknownClassIsRejectedOverGrpcAndJsonToo() {
    String trace = newTraceId();
    String json =
        """
        {"resourceSpans":[{"resource":{"attributes":[
            {"key":"tierscope.class","value":{"stringValue":"platinum"}}]},
          "scopeSpans":[{"spans":[{"traceId":"%s","spanId":"%s","name":"s",
            "startTimeUnixNano":"1767225600000000000","endTimeUnixNano":"1767225601000000000"}]}]}]}
        """
            .formatted(trace, newSpanId());
    ExportTraceServiceRequest grpcRequest =
        TestSpans.request(
            span(trace, newSpanId()).addAttributes(attr(SpanAttributes.CLASS, "bronze")));

    HttpResponse<byte[]> jsonResponse =
        Http.post(ingest.tracesUrl(), Http.JSON, null, json.getBytes(UTF_8));
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", ingest.grpcPort(), InsecureChannelCredentials.create())
            .build();
    ExportTraceServiceResponse grpcResponse;
    try {
      grpcResponse =
          ClientCalls.blockingUnaryCall(
              channel, OtlpGrpcIT.EXPORT, CallOptions.DEFAULT, grpcRequest.toByteArray());
    } finally {
      channel.shutdownNow();
    }

    assertThat(jsonResponse.statusCode()).isEqualTo(200);
    assertThat(OtlpHttpIT.text(jsonResponse))
        .startsWith(
            "{\"partialSuccess\":{\"rejectedSpans\":\"1\",\"errorMessage\":\"rejected 1 span:")
        .contains("tierscope.class 'platinum' is not a configured class");
    assertThat(grpcResponse.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    assertThat(grpcResponse.getPartialSuccess().getErrorMessage())
        .contains("tierscope.class 'bronze' is not a configured class");
    assertThat(
            topic.await(
                e -> e.getTraceId().equals(TestSpans.id(trace)),
                0,
                Duration.ZERO,
                Duration.ofMillis(500)))
        .isEmpty();
  }
}
