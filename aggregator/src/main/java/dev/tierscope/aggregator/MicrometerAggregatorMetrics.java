package dev.tierscope.aggregator;

import dev.tierscope.aggregator.consumer.AggregatorMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/** {@link AggregatorMetrics} as Micrometer meters named {@code tierscope.aggregator.*}. */
final class MicrometerAggregatorMetrics implements AggregatorMetrics {

  private final MeterRegistry registry;
  private final Counter spans;
  private final Counter late;
  private final Counter requests;
  private final Counter partial;
  private final Counter early;
  private final Timer checkpoint;

  MicrometerAggregatorMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.spans = registry.counter("tierscope.aggregator.spans.consumed");
    this.late = registry.counter("tierscope.aggregator.spans.late");
    this.requests = registry.counter("tierscope.aggregator.requests.completed");
    this.partial = registry.counter("tierscope.aggregator.requests.partial");
    this.early = registry.counter("tierscope.aggregator.requests.completed.early");
    this.checkpoint = registry.timer("tierscope.aggregator.checkpoint");
  }

  @Override
  public void spansConsumed(int count) {
    spans.increment(count);
  }

  @Override
  public void rejected(String reason) {
    registry.counter("tierscope.aggregator.spans.rejected", "reason", reason).increment();
  }

  @Override
  public void lateSpans(int count) {
    late.increment(count);
  }

  @Override
  public void requestsCompleted(int count, int partialCount) {
    requests.increment(count);
    partial.increment(partialCount);
  }

  @Override
  public void requestsCompletedEarly(long count) {
    early.increment(count);
  }

  @Override
  public void checkpointed(long durationNanos, int windows) {
    checkpoint.record(durationNanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void checkpointFailed(String reason) {
    registry.counter("tierscope.aggregator.checkpoint.failed", "reason", reason).increment();
  }

  @Override
  public void requestsDropped(String reason, int count) {
    registry.counter("tierscope.aggregator.requests.dropped", "reason", reason).increment(count);
  }

  @Override
  public void deltasRefused(int count) {
    registry.counter("tierscope.aggregator.checkpoint.refused").increment(count);
  }

  @Override
  public void streamTimeHealed(int requestsDropped) {
    registry.counter("tierscope.aggregator.stream_time.healed").increment();
    if (requestsDropped > 0) {
      requestsDropped("future", requestsDropped);
    }
  }

  @Override
  public void folded(String dimension, long count) {
    registry
        .counter("tierscope.aggregator.cardinality.folded", "dimension", dimension)
        .increment(count);
  }
}
