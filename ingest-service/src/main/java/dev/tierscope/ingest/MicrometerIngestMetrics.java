package dev.tierscope.ingest;

import dev.tierscope.ingest.receiver.IngestMetrics;
import dev.tierscope.ingest.receiver.Protocol;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@link IngestMetrics} as the ingest's own meters, {@code tierscope.ingest.*}. Every tag value is
 * bounded: the protocol ({@link Protocol#tag()}), a reason key from a fixed set, an outcome.
 *
 * <ul>
 *   <li>{@code tierscope.ingest.spans.accepted} {protocol}: spans Kafka acknowledged;
 *   <li>{@code tierscope.ingest.spans.rejected} {protocol, reason}: invalid spans answered with
 *       partial success (reasons: the {@code REASON_*} keys of the normaliser, and {@code
 *       record_too_large} / {@code record_invalid} for records Kafka refused one by one);
 *   <li>{@code tierscope.ingest.spans.throttled} {protocol, reason}: valid spans answered with
 *       503/429/UNAVAILABLE ({@code kafka_unavailable}, {@code ack_timeout}, {@code at_capacity});
 *   <li>{@code tierscope.ingest.spans.class_unknown}: accepted spans whose class is not configured;
 *   <li>{@code tierscope.ingest.values.normalized} {protocol, field}: accepted spans whose value of
 *       that field was changed to fit core's limits (cleaned or cut text, numbers counted as
 *       absent);
 *   <li>{@code tierscope.ingest.requests.rejected} {protocol, reason}: whole requests refused
 *       ({@code unsupported_media_type}, {@code unsupported_encoding}, {@code too_large}, {@code
 *       bad_gzip}, {@code undecodable});
 *   <li>{@code tierscope.ingest.request.size} {protocol}: decoded request bodies, bytes (after
 *       decompression);
 *   <li>{@code tierscope.ingest.kafka.produce} {outcome}: time from handing a request's spans to
 *       the producer until the last acknowledgement ({@code success}) or the failure ({@code
 *       error}, {@code timeout});
 *   <li>{@code tierscope.ingest.kafka.in_flight} gauge: bytes handed to the producer and not yet
 *       acknowledged (registered by the configuration).
 * </ul>
 */
final class MicrometerIngestMetrics implements IngestMetrics {

  private final MeterRegistry registry;
  private final Map<Protocol, Counter> accepted = new EnumMap<>(Protocol.class);
  private final Map<Protocol, DistributionSummary> requestBytes = new EnumMap<>(Protocol.class);
  private final Counter unknownClass;
  private final Timer produceSuccess;
  private final Timer produceError;
  private final Timer produceTimeout;

  MicrometerIngestMetrics(MeterRegistry registry) {
    this.registry = registry;
    for (Protocol p : Protocol.values()) {
      accepted.put(p, registry.counter("tierscope.ingest.spans.accepted", "protocol", p.tag()));
      requestBytes.put(
          p,
          DistributionSummary.builder("tierscope.ingest.request.size")
              .baseUnit("bytes")
              .tag("protocol", p.tag())
              .register(registry));
    }
    this.unknownClass = registry.counter("tierscope.ingest.spans.class_unknown");
    this.produceSuccess = produceTimer("success");
    this.produceError = produceTimer("error");
    this.produceTimeout = produceTimer("timeout");
  }

  private Timer produceTimer(String outcome) {
    return Timer.builder("tierscope.ingest.kafka.produce")
        .tag("outcome", outcome)
        .publishPercentileHistogram(false)
        .register(registry);
  }

  @Override
  public void accepted(Protocol protocol, int spans) {
    if (spans > 0) {
      accepted.get(protocol).increment(spans);
    }
  }

  @Override
  public void rejected(Protocol protocol, Map<String, Integer> byReason) {
    byReason.forEach(
        (reason, n) ->
            registry
                .counter(
                    "tierscope.ingest.spans.rejected", "protocol", protocol.tag(), "reason", reason)
                .increment(n));
  }

  @Override
  public void throttled(Protocol protocol, String reason, int spans) {
    registry
        .counter("tierscope.ingest.spans.throttled", "protocol", protocol.tag(), "reason", reason)
        .increment(spans);
  }

  @Override
  public void rejectedRequest(Protocol protocol, String reason) {
    registry
        .counter("tierscope.ingest.requests.rejected", "protocol", protocol.tag(), "reason", reason)
        .increment();
  }

  @Override
  public void unknownClass(int spans) {
    if (spans > 0) {
      unknownClass.increment(spans);
    }
  }

  @Override
  public void normalized(Protocol protocol, Map<String, Integer> byField) {
    byField.forEach(
        (field, n) ->
            registry
                .counter(
                    "tierscope.ingest.values.normalized",
                    "protocol",
                    protocol.tag(),
                    "field",
                    field)
                .increment(n));
  }

  @Override
  public void requestSize(Protocol protocol, long bytes) {
    requestBytes.get(protocol).record(bytes);
  }

  @Override
  public void produced(long nanos) {
    produceSuccess.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void produceFailed(long nanos, boolean timedOut) {
    (timedOut ? produceTimeout : produceError).record(nanos, TimeUnit.NANOSECONDS);
  }
}
