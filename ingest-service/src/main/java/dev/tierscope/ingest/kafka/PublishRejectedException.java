package dev.tierscope.ingest.kafka;

/** The publisher could not take the spans now (buffer full, Kafka unreachable): retry later. */
public final class PublishRejectedException extends RuntimeException {

  public PublishRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
