package dev.tierscope.ingest.receiver;

import dev.tierscope.ingest.otlp.NormalizedBatch;
import dev.tierscope.ingest.otlp.OtlpSpanNormalizer;
import dev.tierscope.ingest.publish.PublishRejectedException;
import dev.tierscope.ingest.publish.PublishResult;
import dev.tierscope.ingest.publish.SpanPublisher;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every OTLP transport does with a decoded export request: normalise it, hand the valid spans
 * to Kafka, and decide the answer once Kafka acknowledged them, failed, or took longer than the
 * acknowledgement timeout.
 *
 * <p>Why one class for HTTP (protobuf and JSON) and gRPC: the rules that make a 200 mean "durable"
 * and a 503 mean "retry" must not differ by transport. The transports only decode bodies and map an
 * {@link ExportOutcome} onto their status codes.
 *
 * <p>A span that Kafka refuses for itself (a record larger than it takes) is rejected through
 * partial success like an invalid span, and the others of the request are accepted: retrying it
 * would fail the same way, so it must not make the whole request "retry later".
 *
 * <p>The returned future never completes exceptionally and always completes within the
 * acknowledgement timeout (plus the producer's {@code max.block.ms} if Kafka's metadata is
 * missing).
 *
 * <pre>{@code
 * receiver.export(request, Protocol.GRPC).thenAccept(outcome -> switch (outcome.kind()) { ... });
 * }</pre>
 */
public final class TraceReceiver {

  private static final Logger log = LoggerFactory.getLogger(TraceReceiver.class);

  private final OtlpSpanNormalizer normalizer;
  private final SpanPublisher publisher;
  private final IngestMetrics metrics;
  private final long ackTimeoutNanos;

  public TraceReceiver(
      OtlpSpanNormalizer normalizer,
      SpanPublisher publisher,
      IngestMetrics metrics,
      Duration ackTimeout) {
    this.normalizer = normalizer;
    this.publisher = publisher;
    this.metrics = metrics;
    this.ackTimeoutNanos = ackTimeout.toNanos();
  }

  /**
   * Normalises and publishes a request nobody authenticated (its spans name their tenants); see the
   * class comment for the guarantees of the future.
   */
  public CompletableFuture<ExportOutcome> export(
      ExportTraceServiceRequest request, Protocol protocol) {
    return export(request, protocol, null, false);
  }

  /**
   * Normalises and publishes; see the class comment for the guarantees of the future.
   *
   * @param callerTenant the tenant the request is bound to: every span is stored under it, a span
   *     naming another tenant is rejected; null when the request is not bound to one
   * @param authenticated {@code callerTenant} is an identified caller's (a token's, a trusted
   *     proxy's), not one an anonymous caller named: the spans are marked so, and the aggregator
   *     never folds their tenant into {@code __overflow__}
   */
  public CompletableFuture<ExportOutcome> export(
      ExportTraceServiceRequest request,
      Protocol protocol,
      String callerTenant,
      boolean authenticated) {
    NormalizedBatch batch = normalizer.normalize(request, callerTenant, authenticated);
    metrics.rejected(protocol, batch.rejectedByReason());
    int spans = batch.accepted().size();
    if (spans == 0) {
      return CompletableFuture.completedFuture(ExportOutcome.accepted(batch));
    }
    long started = System.nanoTime();
    CompletableFuture<PublishResult> acked;
    try {
      acked = publisher.publish(batch.accepted());
    } catch (PublishRejectedException e) {
      boolean atCapacity = e.reason() == PublishRejectedException.Reason.AT_CAPACITY;
      metrics.throttled(protocol, atCapacity ? "at_capacity" : "kafka_unavailable", spans);
      log.debug("answering retry-later: {}", e.getMessage());
      return CompletableFuture.completedFuture(
          new ExportOutcome(
              atCapacity ? ExportOutcome.Kind.AT_CAPACITY : ExportOutcome.Kind.UNAVAILABLE,
              batch,
              atCapacity
                  ? "ingest is at capacity: " + e.getMessage() + "; retry later"
                  : e.getMessage() + "; retry later"));
    }
    return acked
        .orTimeout(ackTimeoutNanos, TimeUnit.NANOSECONDS)
        .handle(
            (result, failure) -> {
              long nanos = System.nanoTime() - started;
              if (failure == null) {
                metrics.produced(nanos);
                metrics.unknownClass(batch.unknownClassSpans());
                metrics.normalized(protocol, batch.normalizedByField());
                if (result.refused().isEmpty()) {
                  metrics.accepted(protocol, spans);
                  return ExportOutcome.accepted(batch);
                }
                NormalizedBatch refused = batch.withRefused(result.refused());
                metrics.accepted(protocol, spans - result.refused().size());
                metrics.rejected(protocol, refusedByReason(result));
                return ExportOutcome.accepted(refused);
              }
              Throwable cause =
                  failure instanceof CompletionException && failure.getCause() != null
                      ? failure.getCause()
                      : failure;
              boolean timedOut = cause instanceof TimeoutException;
              metrics.produceFailed(nanos, timedOut);
              metrics.throttled(protocol, timedOut ? "ack_timeout" : "kafka_unavailable", spans);
              String message =
                  timedOut
                      ? "Kafka did not acknowledge the spans within "
                          + TimeUnit.NANOSECONDS.toMillis(ackTimeoutNanos)
                          + " ms; retry later"
                      : "Kafka did not take the spans ("
                          + cause.getClass().getSimpleName()
                          + ": "
                          + cause.getMessage()
                          + "); retry later";
              log.debug("answering retry-later: {}", message);
              return new ExportOutcome(ExportOutcome.Kind.UNAVAILABLE, batch, message);
            });
  }

  private static java.util.Map<String, Integer> refusedByReason(PublishResult result) {
    java.util.Map<String, Integer> byReason = new java.util.LinkedHashMap<>();
    for (PublishResult.Refused r : result.refused()) {
      byReason.merge(r.reason(), 1, Integer::sum);
    }
    return byReason;
  }
}
