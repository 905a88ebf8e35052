package dev.tierscope.core.store;

import dev.tierscope.core.window.WindowDelta;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The aggregator's write seam: window deltas, assembly snapshots and next offsets, committed
 * together so that a restart neither loses nor double-counts.
 *
 * <p>Why claim epochs: each partition's row carries a claim epoch that the store issues, one more
 * for every claim, and an owner. A commit writes a partition only while its row still has the epoch
 * the writer was given, so any later claim fences every older holder, whatever Kafka's generation
 * numbers say: they restart lower when the consumer group is deleted or expires, when the broker's
 * data is wiped, and with {@code group.protocol=consumer} they are per-member epochs. Kafka's
 * generation only decides between two owners that both look alive ({@link #claim}).
 *
 * <pre>{@code
 * Map<Integer, Claim> claims = store.claim(group, topic, assigned, claimant);  // on assignment
 * store.commit(group, generation, List.of(new PartitionCheckpoint(topic, p,
 *     claims.get(p).epoch(), nextOffset, snapshot)), deltas);                     // every interval
 * store.release(group, topic, Map.of(p, claims.get(p).epoch()));                  // on revocation
 * }</pre>
 */
public interface CheckpointStore {

  /**
   * Takes ownership of partitions for {@code claimant}, issuing each a new claim epoch, and returns
   * every one of them with its last checkpoint. From now on a commit with an older epoch for these
   * partitions is refused.
   *
   * <p>A partition is refused only while another owner looks alive: its row is not released, names
   * another owner, holds a higher generation than the claimant's, and was written less than the
   * claimant's lease ago. A released row, the claimant's own row (a static member coming back), a
   * lower or equal stored generation, or a row not written for a lease is taken at once. When one
   * partition is refused none is taken.
   *
   * @throws FencedException when another owner that looks alive holds one of them
   */
  Map<Integer, Claim> claim(
      String group, String topic, Collection<Integer> partitions, Claimant claimant);

  /**
   * Reads back the last checkpoints of partitions the caller still holds, without claiming them
   * again (no new epoch): how a loop reloads after a store error without fencing anyone.
   *
   * @param epochs the epoch held per partition
   * @throws FencedException when one of them was claimed by someone else (or released) since
   */
  Map<Integer, Claim> resume(String group, String topic, Map<Integer, Long> epochs);

  /**
   * Atomically merges {@code deltas} into the stored windows and records the checkpoints, each
   * under the claim epoch it names ({@link PartitionCheckpoint#claimEpoch()}).
   *
   * <p>A delta the store refuses for its content is left out, the rest written in the same
   * transaction, and the refused ones returned: one bad value must never make every later
   * checkpoint fail (a loop that retries it forever stops counting for everyone). A failure that is
   * not about the data (the store unreachable, a timeout) writes nothing and throws, so the caller
   * retries.
   *
   * @param generation the writer's current generation or member epoch, recorded on its rows
   * @return the deltas refused for their content, empty when everything was written
   * @throws FencedException when a partition's row no longer has the checkpoint's claim epoch (a
   *     later claim took it, or it was released); nothing is written
   * @throws RuntimeException when the store could not write at all; nothing is written
   */
  List<RefusedDelta> commit(
      String group,
      int generation,
      List<PartitionCheckpoint> checkpoints,
      List<WindowDelta> deltas);

  /**
   * Lets go of partitions after their last checkpoint (a clean revocation or shutdown), so that the
   * next claim takes them at once whatever its generation. A partition whose row no longer has the
   * given epoch is left as it is: someone else holds it now.
   */
  void release(String group, String topic, Map<Integer, Long> epochs);
}
