package dev.tierscope.aggregator.consumer;

/**
 * What one consumer loop reports about its own health, published once per checkpoint interval (and
 * when it stops); health indicators and gauges read it from other threads.
 *
 * @param state starting (before its first poll), running, or stopped (its thread has ended)
 * @param inGroup the consumer is a member of its group (it has a generation)
 * @param assignedPartitions partitions Kafka has assigned to this loop's consumer
 * @param ownedPartitions of those, the ones claimed and loaded from their checkpoint
 * @param reloading true while the loop waits to reload its partitions from the store (after a
 *     failed or fenced checkpoint, or lost partitions); it reads nothing meanwhile
 * @param failuresInARow failed checkpoints and reload attempts since the last successful checkpoint
 * @param lastCheckpointEpochMillis wall-clock time of the last successful checkpoint (or of the
 *     loop's start, before the first one)
 * @param lagRecords records behind the end of the owned partitions, as of the last fetch
 * @param lagMillis how far behind the records being read are: now minus the Kafka timestamp of the
 *     last record read on the partition furthest behind, 0 when caught up
 * @param caughtUp every assigned partition is owned and its lag is known
 * @param lastFailure the last failed checkpoint or reload ({@code fenced: ...} or {@code store:
 *     ...}), empty when none since the last successful checkpoint
 * @param publishedEpochMillis when this status was published
 */
public record LoopStatus(
    State state,
    boolean inGroup,
    int assignedPartitions,
    int ownedPartitions,
    boolean reloading,
    int failuresInARow,
    long lastCheckpointEpochMillis,
    long lagRecords,
    long lagMillis,
    boolean caughtUp,
    String lastFailure,
    long publishedEpochMillis) {

  /** Lifecycle of a loop. */
  public enum State {
    STARTING,
    RUNNING,
    STOPPED
  }

  static LoopStatus starting(long nowMillis) {
    return new LoopStatus(
        State.STARTING, false, 0, 0, false, 0, nowMillis, 0, 0, false, "", nowMillis);
  }

  LoopStatus stopped() {
    return new LoopStatus(
        State.STOPPED,
        false,
        0,
        0,
        reloading,
        failuresInARow,
        lastCheckpointEpochMillis,
        lagRecords,
        lagMillis,
        false,
        lastFailure,
        publishedEpochMillis);
  }

  /** Milliseconds since the last successful checkpoint, as of {@code nowMillis}. */
  public long checkpointAgeMillis(long nowMillis) {
    return Math.max(0, nowMillis - lastCheckpointEpochMillis);
  }
}
