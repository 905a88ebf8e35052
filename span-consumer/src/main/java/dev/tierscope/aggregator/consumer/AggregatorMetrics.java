package dev.tierscope.aggregator.consumer;

/** What the consumer loop reports about itself; Micrometer sits behind it at the edge. */
public interface AggregatorMetrics {

  void spansConsumed(int count);

  /** A record that could not be decoded or assembled, sent to the dead-letter topic. */
  void rejected(String reason);

  void lateSpans(int count);

  void requestsCompleted(int count, int partial);

  void checkpointed(long durationNanos, int windows);

  /** A checkpoint failed (fenced or store error); state was reloaded from the last checkpoint. */
  void checkpointFailed(String reason);

  /** Does nothing. */
  AggregatorMetrics NOOP =
      new AggregatorMetrics() {
        @Override
        public void spansConsumed(int count) {}

        @Override
        public void rejected(String reason) {}

        @Override
        public void lateSpans(int count) {}

        @Override
        public void requestsCompleted(int count, int partial) {}

        @Override
        public void checkpointed(long durationNanos, int windows) {}

        @Override
        public void checkpointFailed(String reason) {}
      };
}
