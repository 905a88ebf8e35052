package dev.tierscope.ingest.publish;

/** The publisher could not take the spans now; the client should retry later. */
public final class PublishRejectedException extends RuntimeException {

  /** Why the spans were not taken. */
  public enum Reason {
    /** More bytes are waiting for Kafka's acknowledgement than the configured limit. */
    AT_CAPACITY,
    /** The producer refused the record (Kafka unreachable, producer closed). */
    UNAVAILABLE
  }

  private final Reason reason;

  public PublishRejectedException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
