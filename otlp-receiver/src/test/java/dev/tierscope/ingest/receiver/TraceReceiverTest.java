package dev.tierscope.ingest.receiver;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.span.Span;
import dev.tierscope.core.span.SpanTimeBounds;
import dev.tierscope.ingest.otlp.OtlpSpanNormalizer;
import dev.tierscope.ingest.publish.InMemorySpanPublisher;
import dev.tierscope.ingest.publish.PublishRejectedException;
import dev.tierscope.ingest.publish.PublishResult;
import dev.tierscope.ingest.publish.SpanPublisher;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.NetworkException;
import org.junit.jupiter.api.Test;

/** The transport-independent answer rules, with the publishing seam faked in memory. */
class TraceReceiverTest {

  final CountingIngestMetrics metrics = new CountingIngestMetrics();
  final OtlpSpanNormalizer normalizer =
      new OtlpSpanNormalizer(
          TrafficClasses.defaults(),
          128,
          OtlpSpanNormalizer.UnknownClassPolicy.ACCEPT,
          SpanTimeBounds.DEFAULTS,
          Clock.fixed(Instant.ofEpochSecond(0, 1_767_225_600_000_000_000L), ZoneOffset.UTC));
  final List<Span> published = new ArrayList<>();

  @Test
  void acceptsOnceEverySpanIsAcknowledged() {
    TraceReceiver receiver = receiver(spans -> ack(spans), Duration.ofSeconds(5));

    ExportOutcome outcome = receiver.export(request(2, 0), Protocol.HTTP_JSON).join();

    assertThat(outcome.kind()).isEqualTo(ExportOutcome.Kind.ACCEPTED);
    assertThat(outcome.response().hasPartialSuccess()).isFalse();
    assertThat(published).hasSize(2);
    assertThat(metrics.accepted(Protocol.HTTP_JSON)).isEqualTo(2);
    assertThat(metrics.produced()).isEqualTo(1);
  }

  @Test
  void answersPartialSuccessForInvalidSpansAndPublishesTheOthers() {
    TraceReceiver receiver = receiver(spans -> ack(spans), Duration.ofSeconds(5));

    ExportOutcome outcome = receiver.export(request(1, 2), Protocol.GRPC).join();

    assertThat(outcome.kind()).isEqualTo(ExportOutcome.Kind.ACCEPTED);
    assertThat(outcome.response().getPartialSuccess().getRejectedSpans()).isEqualTo(2);
    assertThat(outcome.response().getPartialSuccess().getErrorMessage())
        .startsWith("rejected 2 spans: ");
    assertThat(published).hasSize(1);
    assertThat(metrics.rejected("end_before_start")).isEqualTo(2);
  }

  @Test
  void acceptsARequestWithOnlyInvalidSpansWithoutPublishing() {
    TraceReceiver receiver =
        receiver(
            spans -> {
              throw new AssertionError("nothing to publish");
            },
            Duration.ofSeconds(5));

    ExportOutcome outcome = receiver.export(request(0, 1), Protocol.HTTP_PROTOBUF).join();

    assertThat(outcome.kind()).isEqualTo(ExportOutcome.Kind.ACCEPTED);
    assertThat(outcome.response().getPartialSuccess().getRejectedSpans()).isEqualTo(1);
  }

  @Test
  void answersUnavailableWhenKafkaDoesNotAcknowledgeInTime() {
    TraceReceiver receiver = receiver(spans -> new CompletableFuture<>(), Duration.ofMillis(50));

    ExportOutcome outcome =
        receiver
            .export(request(3, 0), Protocol.HTTP_PROTOBUF)
            .orTimeout(5, TimeUnit.SECONDS)
            .join();

    assertThat(outcome.kind()).isEqualTo(ExportOutcome.Kind.UNAVAILABLE);
    assertThat(outcome.message())
        .isEqualTo("Kafka did not acknowledge the spans within 50 ms; retry later");
    assertThat(metrics.throttled("ack_timeout")).isEqualTo(3);
    assertThat(metrics.produceFailed(true)).isEqualTo(1);
    assertThat(metrics.accepted()).isZero();
  }

  @Test
  void answersUnavailableWhenAnAcknowledgementFails() {
    TraceReceiver receiver =
        receiver(
            spans -> CompletableFuture.failedFuture(new NetworkException("broker went away")),
            Duration.ofSeconds(5));

    ExportOutcome outcome = receiver.export(request(1, 0), Protocol.GRPC).join();

    assertThat(outcome.kind()).isEqualTo(ExportOutcome.Kind.UNAVAILABLE);
    assertThat(outcome.message())
        .isEqualTo(
            "Kafka did not take the spans (NetworkException: broker went away); retry later");
    assertThat(metrics.throttled("kafka_unavailable")).isEqualTo(1);
    assertThat(metrics.produceFailed(false)).isEqualTo(1);
  }

  @Test
  void answersAtCapacityWhenThePublisherRefusesAtOnce() {
    TraceReceiver receiver =
        receiver(
            spans -> {
              throw new PublishRejectedException(
                  PublishRejectedException.Reason.AT_CAPACITY, "16000 bytes are waiting", null);
            },
            Duration.ofSeconds(5));

    ExportOutcome outcome = receiver.export(request(2, 0), Protocol.HTTP_JSON).join();

    assertThat(outcome.kind()).isEqualTo(ExportOutcome.Kind.AT_CAPACITY);
    assertThat(outcome.message())
        .isEqualTo("ingest is at capacity: 16000 bytes are waiting; retry later");
    assertThat(metrics.throttled("at_capacity")).isEqualTo(2);
  }

  @Test
  void rejectsASpanKafkaRefusesForItselfAndAcceptsTheOthers() {
    // The reference publisher refuses records over its size limit, as Kafka does over
    // max.request.size: answering 503 would make the client retry it forever.
    InMemorySpanPublisher kafka = new InMemorySpanPublisher(60);
    TraceReceiver receiver = receiver(kafka, Duration.ofSeconds(5));
    ExportTraceServiceRequest request = request(3, 1);
    ExportTraceServiceRequest withBigSpan =
        request.toBuilder()
            .setResourceSpans(
                0,
                request.getResourceSpans(0).toBuilder()
                    .setResource(
                        io.opentelemetry.proto.resource.v1.Resource.newBuilder()
                            .addAttributes(
                                io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
                                    .setKey("service.name")
                                    .setValue(
                                        io.opentelemetry.proto.common.v1.AnyValue.newBuilder()
                                            .setStringValue("a-long-service-name")))))
            .build();

    ExportOutcome outcome = receiver.export(withBigSpan, Protocol.HTTP_PROTOBUF).join();

    assertThat(outcome.kind()).isEqualTo(ExportOutcome.Kind.ACCEPTED);
    assertThat(outcome.response().getPartialSuccess().getRejectedSpans()).isEqualTo(4);
    assertThat(outcome.response().getPartialSuccess().getErrorMessage())
        .startsWith("rejected 1 span: span 0000000000000104: end before start; refused by Kafka 3")
        .contains("span 0000000000000101: the record is ");
    assertThat(kafka.records()).isEmpty();
    assertThat(metrics.rejected(PublishResult.RECORD_TOO_LARGE)).isEqualTo(3);
    assertThat(metrics.accepted()).isZero();
  }

  @Test
  void countsSpansAcceptedWithChangedValues() {
    TraceReceiver receiver = receiver(spans -> ack(spans), Duration.ofSeconds(5));
    ExportTraceServiceRequest request = request(1, 0);
    ExportTraceServiceRequest withControl =
        request.toBuilder()
            .setResourceSpans(
                0,
                request.getResourceSpans(0).toBuilder()
                    .setResource(
                        io.opentelemetry.proto.resource.v1.Resource.newBuilder()
                            .addAttributes(
                                io.opentelemetry.proto.common.v1.KeyValue.newBuilder()
                                    .setKey("tierscope.workflow")
                                    .setValue(
                                        io.opentelemetry.proto.common.v1.AnyValue.newBuilder()
                                            .setStringValue("rag\u0000")))))
            .build();

    ExportOutcome outcome = receiver.export(withControl, Protocol.GRPC).join();

    assertThat(outcome.kind()).isEqualTo(ExportOutcome.Kind.ACCEPTED);
    assertThat(published).extracting(Span::workflow).containsExactly("rag\uFFFD");
    assertThat(outcome.response().getPartialSuccess().getRejectedSpans()).isZero();
    assertThat(outcome.response().getPartialSuccess().getErrorMessage())
        .startsWith("accepted with changed values (tierscope.workflow: 1 spans)");
    assertThat(metrics.normalized("workflow")).isEqualTo(1);
  }

  // ---- helpers

  private TraceReceiver receiver(SpanPublisher publisher, Duration ackTimeout) {
    return new TraceReceiver(normalizer, publisher, metrics, ackTimeout);
  }

  private CompletableFuture<PublishResult> ack(List<Span> spans) {
    published.addAll(spans);
    return CompletableFuture.completedFuture(PublishResult.ALL_ACKNOWLEDGED);
  }

  /** {@code valid} valid spans and {@code invalid} spans that end before they start. */
  private static ExportTraceServiceRequest request(int valid, int invalid) {
    ScopeSpans.Builder scope = ScopeSpans.newBuilder();
    for (int i = 0; i < valid + invalid; i++) {
      long start = 1_767_225_600_000_000_000L;
      scope.addSpans(
          io.opentelemetry.proto.trace.v1.Span.newBuilder()
              .setTraceId(
                  ByteString.copyFrom(
                      new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}))
              .setSpanId(ByteString.copyFrom(new byte[] {0, 0, 0, 0, 0, 0, 1, (byte) (i + 1)}))
              .setStartTimeUnixNano(start)
              .setEndTimeUnixNano(i < valid ? start + 1 : start - 1));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(scope))
        .build();
  }
}
