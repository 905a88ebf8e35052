package dev.tierscope.core.store;

/**
 * A checkpoint was refused because a newer consumer group generation owns the partition: the writer
 * is a zombie and must drop its in-memory state.
 */
public final class FencedException extends RuntimeException {

  public FencedException(String message) {
    super(message);
  }
}
