package dev.tierscope.core.store;

/**
 * What one partition's owner needs to resume exactly where the last checkpoint left off.
 *
 * @param topic Kafka topic
 * @param partition partition number
 * @param claimEpoch the claim epoch it is written under ({@link Claim#epoch()}): a commit is
 *     accepted only while the partition's row still has this epoch
 * @param nextOffset the first offset not yet reflected in the stored windows
 * @param snapshot in-flight assembly state ({@code RequestAssembler#snapshot}), empty when none
 */
public record PartitionCheckpoint(
    String topic, int partition, long claimEpoch, long nextOffset, byte[] snapshot) {

  public PartitionCheckpoint {
    if (claimEpoch < 0) {
      throw new IllegalArgumentException("claimEpoch must be >= 0, was " + claimEpoch);
    }
    if (nextOffset < 0) {
      throw new IllegalArgumentException("nextOffset must be >= 0, was " + nextOffset);
    }
    if (snapshot == null) {
      snapshot = new byte[0];
    }
  }

  /** The same checkpoint written under another claim epoch. */
  public PartitionCheckpoint withClaimEpoch(long epoch) {
    return new PartitionCheckpoint(topic, partition, epoch, nextOffset, snapshot);
  }
}
