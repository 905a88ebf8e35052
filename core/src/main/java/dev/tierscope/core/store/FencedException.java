package dev.tierscope.core.store;

/**
 * A claim or a checkpoint was refused for ownership. On a commit (or a {@link
 * CheckpointStore#resume}): a later claim took the partition, so the writer is a zombie and must
 * drop its in-memory state. On a claim: another owner still looks alive and holds the partition
 * with a higher generation; the claim may be tried again later.
 */
public final class FencedException extends RuntimeException {

  public FencedException(String message) {
    super(message);
  }
}
