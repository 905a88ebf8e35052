package dev.tierscope.core.store;

import dev.tierscope.core.window.WindowDelta;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The aggregator's write seam: window deltas, assembly snapshots and next offsets, committed
 * together so that a restart neither loses nor double-counts (DESIGN.md section 2).
 */
public interface CheckpointStore {

  /**
   * Takes ownership of partitions for {@code generation} and returns their last checkpoints
   * (partitions never checkpointed are absent). From now on a commit with an older generation for
   * these partitions is refused.
   *
   * @throws FencedException when a newer generation already owns one of them
   */
  Map<Integer, PartitionCheckpoint> claim(
      String group, String topic, Collection<Integer> partitions, int generation);

  /**
   * Atomically merges {@code deltas} into the stored windows and records the checkpoints.
   *
   * <p>A delta the store refuses for its content is left out, the rest written in the same
   * transaction, and the refused ones returned: one bad value must never make every later
   * checkpoint fail (a loop that retries it forever stops counting for everyone). A failure that is
   * not about the data (the store unreachable, a timeout) writes nothing and throws, so the caller
   * retries.
   *
   * @return the deltas refused for their content, empty when everything was written
   * @throws FencedException when a newer generation owns one of the partitions; nothing is written
   * @throws RuntimeException when the store could not write at all; nothing is written
   */
  List<RefusedDelta> commit(
      String group,
      int generation,
      List<PartitionCheckpoint> checkpoints,
      List<WindowDelta> deltas);
}
