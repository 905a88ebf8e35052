package dev.tierscope.core.store;

import java.time.Duration;
import java.util.Objects;

/**
 * Who claims partitions ({@link CheckpointStore#claim}), and for how long another owner's last
 * write keeps its claim alive.
 *
 * @param owner stable name of the claiming consumer, kept on the checkpoint rows for operators and
 *     for recognising a static member's own rows: its {@code group.instance.id}, else its member id
 * @param generation the consumer group generation (classic protocol) or the member epoch ({@code
 *     group.protocol=consumer}) of the assignment the partitions came with; only compared with the
 *     stored one while the other owner looks alive, since Kafka's numbers can restart lower
 * @param lease how long after its last write another owner still counts as alive; must be longer
 *     than the consumer's {@code max.poll.interval.ms} plus {@code session.timeout.ms}, the longest
 *     Kafka takes to hand a silent member's partitions to someone else
 */
public record Claimant(String owner, int generation, Duration lease) {

  public Claimant {
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(lease, "lease");
    if (owner.isBlank()) {
      throw new IllegalArgumentException("owner must not be blank");
    }
    if (lease.isNegative()) {
      throw new IllegalArgumentException("lease must not be negative, was " + lease);
    }
  }
}
