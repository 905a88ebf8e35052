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
   * @throws FencedException when a newer generation owns one of the partitions; nothing is written
   */
  void commit(
      String group,
      int generation,
      List<PartitionCheckpoint> checkpoints,
      List<WindowDelta> deltas);
}
