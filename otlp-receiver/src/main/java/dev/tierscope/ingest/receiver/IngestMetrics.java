package dev.tierscope.ingest.receiver;

import java.util.Map;

/**
 * What the OTLP receiver reports about itself; the ingest application puts Micrometer behind it
 * ({@code tierscope.ingest.*} meters), tests and embedders may count in memory or not at all.
 *
 * <p>Every tag value the receiver passes is bounded: the protocol ({@link Protocol#tag()}), a
 * reason key from a fixed set.
 */
public interface IngestMetrics {

  /** Spans Kafka acknowledged. */
  void accepted(Protocol protocol, int spans);

  /**
   * Invalid spans answered with partial success, per reason key (a {@code SpanDefect} reason, or
   * {@code too_many_attributes}, {@code unknown_class}, {@code tenant_mismatch}, or a record Kafka
   * refused for itself: {@code record_too_large}, {@code record_invalid}).
   */
  void rejected(Protocol protocol, Map<String, Integer> byReason);

  /**
   * Valid spans answered retry-later: {@code kafka_unavailable}, {@code ack_timeout} or {@code
   * at_capacity}.
   */
  void throttled(Protocol protocol, String reason, int spans);

  /**
   * A whole request refused before its spans were read: {@code unauthenticated}, {@code forbidden},
   * {@code bad_tenant} (authentication and tenancy), {@code unsupported_media_type}, {@code
   * unsupported_encoding}, {@code too_large}, {@code bad_gzip} or {@code undecodable}.
   */
  void rejectedRequest(Protocol protocol, String reason);

  /** Accepted spans whose {@code tierscope.class} is not a configured class. */
  void unknownClass(int spans);

  /**
   * Accepted spans whose values were changed to fit core's limits (cleaned or cut text, numbers
   * counted as absent), per field key ({@code dev.tierscope.core.span.SpanField#key()}).
   */
  void normalized(Protocol protocol, Map<String, Integer> byField);

  /** A decoded request body, bytes after decompression. */
  void requestSize(Protocol protocol, long bytes);

  /** A request's spans were all acknowledged this long after they were handed to the publisher. */
  void produced(long nanos);

  /** A request's spans failed (or timed out, waiting for the acknowledgement) after this long. */
  void produceFailed(long nanos, boolean timedOut);

  /** Counts nothing. */
  IngestMetrics NOOP =
      new IngestMetrics() {
        @Override
        public void accepted(Protocol protocol, int spans) {}

        @Override
        public void rejected(Protocol protocol, Map<String, Integer> byReason) {}

        @Override
        public void throttled(Protocol protocol, String reason, int spans) {}

        @Override
        public void rejectedRequest(Protocol protocol, String reason) {}

        @Override
        public void unknownClass(int spans) {}

        @Override
        public void normalized(Protocol protocol, Map<String, Integer> byField) {}

        @Override
        public void requestSize(Protocol protocol, long bytes) {}

        @Override
        public void produced(long nanos) {}

        @Override
        public void produceFailed(long nanos, boolean timedOut) {}
      };
}
