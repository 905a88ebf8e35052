package dev.tierscope.ingest.publish;

import java.util.List;

/**
 * How a published batch ended when it did not fail as a whole: every span acknowledged, except the
 * ones Kafka refused for what they are (a record larger than it takes). Retrying those would fail
 * the same way, so the receiver rejects them through OTLP partial success instead of answering
 * "retry later" forever.
 *
 * @param refused the spans refused one by one, by their index in the published list; empty when all
 *     were acknowledged
 */
public record PublishResult(List<Refused> refused) {

  /** Every span acknowledged. */
  public static final PublishResult ALL_ACKNOWLEDGED = new PublishResult(List.of());

  /** Reason key of a record larger than Kafka takes. */
  public static final String RECORD_TOO_LARGE = "record_too_large";

  /** Reason key of a record Kafka refused as invalid. */
  public static final String RECORD_INVALID = "record_invalid";

  public PublishResult {
    refused = List.copyOf(refused);
  }

  /**
   * One span that can never be published.
   *
   * @param index its position in the list handed to {@link SpanPublisher#publish}
   * @param reason a bounded key: {@link #RECORD_TOO_LARGE} or {@link #RECORD_INVALID}
   * @param message English, for the client
   */
  public record Refused(int index, String reason, String message) {}
}
