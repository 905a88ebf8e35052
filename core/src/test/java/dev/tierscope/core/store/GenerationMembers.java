package dev.tierscope.core.store;

import dev.tierscope.core.window.WindowDelta;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A store used as the members of successive consumer group generations would use it: generation
 * {@code g} claims as owner {@code member-g} (with a lease of an hour, so that another generation's
 * owner always looks alive), and its commits carry the claim epochs it was given. The cases that
 * are about generations read as before the claim epochs; the ones about epochs, owners, leases and
 * releases use the store itself.
 */
public final class GenerationMembers {

  /** Longer than any test: another owner always looks alive. */
  public static final Duration LEASE = Duration.ofHours(1);

  private record Held(String group, String topic, int partition, int generation) {}

  private final CheckpointStore store;
  private final Map<Held, Long> epochs = new HashMap<>();

  public GenerationMembers(CheckpointStore store) {
    this.store = store;
  }

  public static Claimant member(int generation) {
    return new Claimant("member-" + generation, generation, LEASE);
  }

  /** Claims as the member of {@code generation}; returns the checkpointed partitions only. */
  public Map<Integer, PartitionCheckpoint> claim(
      String group, String topic, Collection<Integer> partitions, int generation) {
    Map<Integer, PartitionCheckpoint> out = new TreeMap<>();
    for (Claim c : store.claim(group, topic, partitions, member(generation)).values()) {
      epochs.put(new Held(group, topic, c.partition(), generation), c.epoch());
      if (c.checkpointed()) {
        out.put(c.partition(), c.checkpoint());
      }
    }
    return out;
  }

  /**
   * Commits as the member of {@code generation}: each checkpoint under the epoch this member was
   * given for its partition (0, never issued, for a partition it never claimed).
   */
  public List<RefusedDelta> commit(
      String group,
      int generation,
      List<PartitionCheckpoint> checkpoints,
      List<WindowDelta> deltas) {
    return store.commit(
        group,
        generation,
        checkpoints.stream()
            .map(
                c ->
                    c.withClaimEpoch(
                        epochs.getOrDefault(
                            new Held(group, c.topic(), c.partition(), generation), 0L)))
            .toList(),
        deltas);
  }
}
