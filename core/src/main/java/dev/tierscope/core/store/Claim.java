package dev.tierscope.core.store;

/**
 * One partition taken by a claim ({@link CheckpointStore#claim}) or held on ({@link
 * CheckpointStore#resume}): the epoch to commit with, and where to resume.
 *
 * @param topic Kafka topic
 * @param partition partition number
 * @param epoch claim epoch issued by the store (1 for a partition's first claim, one more for every
 *     later claim); commits of the partition are accepted only with it, until the next claim
 * @param checkpoint the partition's last checkpoint, written under this epoch; null when the
 *     partition was never checkpointed
 */
public record Claim(String topic, int partition, long epoch, PartitionCheckpoint checkpoint) {

  public Claim {
    if (epoch < 1) {
      throw new IllegalArgumentException("epoch must be >= 1, was " + epoch);
    }
    if (checkpoint != null
        && (checkpoint.claimEpoch() != epoch
            || checkpoint.partition() != partition
            || !checkpoint.topic().equals(topic))) {
      throw new IllegalArgumentException(
          "checkpoint " + checkpoint + " does not belong to " + topic + "-" + partition);
    }
  }

  /** Whether the partition has a checkpoint to resume from. */
  public boolean checkpointed() {
    return checkpoint != null;
  }
}
