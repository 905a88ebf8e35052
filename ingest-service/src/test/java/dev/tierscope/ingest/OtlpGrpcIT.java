package dev.tierscope.ingest;

import static dev.tierscope.ingest.TestSpans.attr;
import static dev.tierscope.ingest.TestSpans.newSpanId;
import static dev.tierscope.ingest.TestSpans.newTraceId;
import static dev.tierscope.ingest.TestSpans.span;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * OTLP/gRPC on a running ingest with a real broker: the OpenTelemetry Java gRPC exporter, and a
 * plain grpc-java client for the error statuses (it can send bytes that are not a request).
 */
class OtlpGrpcIT {

  /** TraceService/Export with raw bytes as request, so that undecodable messages can be sent. */
  static final MethodDescriptor<byte[], ExportTraceServiceResponse> EXPORT =
      MethodDescriptor.<byte[], ExportTraceServiceResponse>newBuilder()
          .setType(MethodDescriptor.MethodType.UNARY)
          .setFullMethodName("opentelemetry.proto.collector.trace.v1.TraceService/Export")
          .setRequestMarshaller(
              new MethodDescriptor.Marshaller<>() {
                @Override
                public InputStream stream(byte[] value) {
                  return new ByteArrayInputStream(value);
                }

                @Override
                public byte[] parse(InputStream stream) {
                  try {
                    return stream.readAllBytes();
                  } catch (IOException e) {
                    throw new UncheckedIOException(e);
                  }
                }
              })
          .setResponseMarshaller(
              ProtoUtils.marshaller(ExportTraceServiceResponse.getDefaultInstance()))
          .build();

  static RunningIngest ingest;
  static SpanTopic topic;
  static ManagedChannel channel;

  @BeforeAll
  static void start() {
    ingest = SharedIngest.ingest();
    topic = SharedIngest.topic();
    channel =
        Grpc.newChannelBuilderForAddress(
                "127.0.0.1", ingest.grpcPort(), InsecureChannelCredentials.create())
            .build();
  }

  @AfterAll
  static void closeChannel() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  @Test
  void javaSdkGrpcExporterDeliversANormalisedTrace() {
    long t0 = TestSpans.START_NANOS + 11 * SdkTraces.MS;
    List<SpanData> spans = SdkTraces.chatTrace(t0);

    try (OtlpGrpcSpanExporter exporter =
        OtlpGrpcSpanExporter.builder().setEndpoint(endpoint()).build()) {
      assertThat(SdkTraces.export(exporter, spans)).isTrue();
    }

    SdkTraces.assertChatTraceNormalised(
        topic.trace(spans.get(0).getTraceId(), spans.size()), spans, t0);
  }

  @Test
  void javaSdkGrpcExporterWithGzipDelivers() {
    List<SpanData> spans = SdkTraces.simpleTrace(30, TestSpans.START_NANOS);

    try (OtlpGrpcSpanExporter exporter =
        OtlpGrpcSpanExporter.builder().setEndpoint(endpoint()).setCompression("gzip").build()) {
      assertThat(SdkTraces.export(exporter, spans)).isTrue();
    }

    assertThat(topic.trace(spans.get(0).getTraceId(), 30)).hasSize(30);
    assertThat(ingest.count("tierscope.ingest.spans.accepted", "protocol", "grpc"))
        .isGreaterThanOrEqualTo(30);
  }

  @Test
  void emptyRequestIsAccepted() {
    ExportTraceServiceResponse response = call(new byte[0], CallOptions.DEFAULT);

    assertThat(response.hasPartialSuccess()).isFalse();
  }

  @Test
  void invalidSpansGetPartialSuccessWhileValidSpansArrive() {
    String trace = newTraceId();
    String good = newSpanId();
    String bad = newSpanId();
    ExportTraceServiceRequest request =
        TestSpans.request(
            span(trace, good), span(trace, bad).setStartTimeUnixNano(0).setEndTimeUnixNano(0));

    ExportTraceServiceResponse response = call(request.toByteArray(), CallOptions.DEFAULT);

    assertThat(response.getPartialSuccess().getRejectedSpans()).isEqualTo(1);
    assertThat(response.getPartialSuccess().getErrorMessage())
        .isEqualTo(
            "rejected 1 span: span " + bad + ": start_time_unix_nano must be positive, got 0");
    assertThat(topic.trace(trace, 1))
        .extracting(e -> OtlpHttpIT.hex(e.getSpanId()))
        .containsExactly(good);
  }

  @Test
  void undecodableMessageIsInvalidArgument() {
    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> call(new byte[] {0x0A, (byte) 0xFF}, CallOptions.DEFAULT));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(e.getStatus().getDescription())
        .startsWith("message is not a protobuf ExportTraceServiceRequest: ")
        .contains("ended unexpectedly");
    assertValidDataStillArrives();
  }

  @Test
  void messageOverTheLimitIsResourceExhausted() {
    String trace = newTraceId();
    ExportTraceServiceRequest big =
        TestSpans.request(
            span(trace, newSpanId())
                .addAttributes(attr("blob", "x".repeat(SharedIngest.MAX_BODY_BYTES))));

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class, () -> call(big.toByteArray(), CallOptions.DEFAULT));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getStatus().getDescription())
        .isEqualTo(
            "gRPC message exceeds maximum size "
                + SharedIngest.MAX_BODY_BYTES
                + ": "
                + big.getSerializedSize());
    OtlpHttpIT.assertNothingArrivedFor(trace);
    assertValidDataStillArrives();
  }

  @Test
  void gzipBombIsResourceExhausted() {
    String trace = newTraceId();
    ExportTraceServiceRequest bomb =
        TestSpans.request(
            span(trace, newSpanId()).addAttributes(attr("blob", "a".repeat(16 << 20))));

    StatusRuntimeException e =
        catchThrowableOfType(
            StatusRuntimeException.class,
            () -> call(bomb.toByteArray(), CallOptions.DEFAULT.withCompression("gzip")));

    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(e.getStatus().getDescription())
        .startsWith(
            "Decompressed gRPC message exceeds maximum size " + SharedIngest.MAX_BODY_BYTES);
    OtlpHttpIT.assertNothingArrivedFor(trace);
    assertValidDataStillArrives();
  }

  private static void assertValidDataStillArrives() {
    ExportTraceServiceRequest request = TestSpans.validTrace(2);
    ExportTraceServiceResponse response = call(request.toByteArray(), CallOptions.DEFAULT);
    assertThat(response.hasPartialSuccess()).isFalse();
    assertThat(topic.trace(TestSpans.traceIdOf(request), 2)).hasSize(2);
  }

  static ExportTraceServiceResponse call(byte[] request, CallOptions options) {
    return ClientCalls.blockingUnaryCall(
        channel, EXPORT, options.withDeadlineAfter(30, TimeUnit.SECONDS), request);
  }

  private static String endpoint() {
    return "http://127.0.0.1:" + ingest.grpcPort();
  }
}
