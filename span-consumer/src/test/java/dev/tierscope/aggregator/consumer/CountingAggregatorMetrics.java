package dev.tierscope.aggregator.consumer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/** {@link AggregatorMetrics} counted in memory, for assertions on what the loop reported. */
final class CountingAggregatorMetrics implements AggregatorMetrics {

  final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();

  long get(String key) {
    AtomicLong n = counts.get(key);
    return n == null ? 0 : n.get();
  }

  private void add(String key, long n) {
    counts.computeIfAbsent(key, k -> new AtomicLong()).addAndGet(n);
  }

  @Override
  public void spansConsumed(int count) {
    add("consumed", count);
  }

  @Override
  public void rejected(String reason) {
    add("rejected." + reason, 1);
  }

  @Override
  public void lateSpans(int count) {
    add("late", count);
  }

  @Override
  public void requestsCompleted(int count, int partial) {
    add("completed", count);
  }

  @Override
  public void requestsCompletedEarly(long count) {
    add("completedEarly", count);
  }

  @Override
  public void checkpointed(long durationNanos, int windows) {
    add("checkpointed", 1);
  }

  @Override
  public void checkpointFailed(String reason) {
    add("checkpointFailed." + reason, 1);
  }

  @Override
  public void requestsDropped(String reason, int count) {
    add("dropped." + reason, count);
  }

  @Override
  public void deltasRefused(int count) {
    add("refused", count);
  }

  @Override
  public void streamTimeHealed(int requestsDropped) {
    add("healed", 1);
    add("dropped.future", requestsDropped);
  }

  @Override
  public void folded(String dimension, long count) {
    add("folded." + dimension, count);
  }
}
