package dev.tierscope.ingest.http;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The ingest's own meters, {@code tierscope.ingest.*}; reason tags are bounded keys. */
final class IngestMetrics {

  private final MeterRegistry registry;
  private final DistributionSummary requestBytes;
  private final Timer produceLatency;

  IngestMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.requestBytes =
        DistributionSummary.builder("tierscope.ingest.request.size")
            .baseUnit("bytes")
            .register(registry);
    this.produceLatency = registry.timer("tierscope.ingest.kafka.produce");
  }

  void accepted(int spans) {
    registry.counter("tierscope.ingest.spans.accepted").increment(spans);
  }

  void rejected(Map<String, Integer> byReason) {
    byReason.forEach(
        (reason, n) ->
            registry.counter("tierscope.ingest.spans.rejected", "reason", reason).increment(n));
  }

  void rejectedRequest(String reason) {
    registry.counter("tierscope.ingest.requests.rejected", "reason", reason).increment();
  }

  void throttled(int spans) {
    registry.counter("tierscope.ingest.spans.throttled").increment(spans);
  }

  void unknownClass(int spans) {
    if (spans > 0) {
      registry.counter("tierscope.ingest.spans.class_unknown").increment(spans);
    }
  }

  void requestSize(long bytes) {
    requestBytes.record(bytes);
  }

  void produced(long nanos) {
    produceLatency.record(nanos, TimeUnit.NANOSECONDS);
  }
}
