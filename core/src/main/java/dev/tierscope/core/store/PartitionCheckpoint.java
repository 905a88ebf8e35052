package dev.tierscope.core.store;

/**
 * What one partition's owner needs to resume exactly where the last checkpoint left off.
 *
 * @param topic Kafka topic
 * @param partition partition number
 * @param nextOffset the first offset not yet reflected in the stored windows
 * @param snapshot in-flight assembly state ({@code RequestAssembler#snapshot}), empty when none
 */
public record PartitionCheckpoint(String topic, int partition, long nextOffset, byte[] snapshot) {

  public PartitionCheckpoint {
    if (nextOffset < 0) {
      throw new IllegalArgumentException("nextOffset must be >= 0, was " + nextOffset);
    }
    if (snapshot == null) {
      snapshot = new byte[0];
    }
  }
}
