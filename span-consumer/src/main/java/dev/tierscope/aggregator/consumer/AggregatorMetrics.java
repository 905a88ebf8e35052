package dev.tierscope.aggregator.consumer;

/** What the consumer loop reports about itself; Micrometer sits behind it at the edge. */
public interface AggregatorMetrics {

  void spansConsumed(int count);

  /**
   * A record that was not assembled, per reason: dead-lettered ({@code undecodable}, {@code
   * invalid}, {@code too_far_in_future}, {@code too_old}, {@code failed}) or only counted ({@code
   * duplicate}, {@code trace_too_large}).
   */
  void rejected(String reason);

  void lateSpans(int count);

  void requestsCompleted(int count, int partial);

  void checkpointed(long durationNanos, int windows);

  /** A checkpoint failed (fenced or store error); state was reloaded from the last checkpoint. */
  void checkpointFailed(String reason);

  /**
   * Requests left out of the windows, per reason: {@code unstorable} (a checkpoint could not
   * snapshot them), {@code unrecordable} (recording them into a window failed).
   */
  default void requestsDropped(String reason, int count) {}

  /**
   * Requests completed before their grace by early completion (counted in {@link
   * #requestsCompleted} too) since the last report; only with early completion on.
   */
  default void requestsCompletedEarly(long count) {}

  /** Window deltas the store refused for their content at a checkpoint (the rest was written). */
  default void deltasRefused(int count) {}

  /**
   * A partition's restored snapshot held a stream time beyond the wall clock (poisoned by a span
   * from the future); it was brought back, and {@code requestsDropped} open requests that started
   * beyond the time bounds were left out.
   */
  default void streamTimeHealed(int requestsDropped) {}

  /** Recordings folded into {@code __overflow__} by a capped dimension since the last report. */
  default void folded(String dimension, long count) {}

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
