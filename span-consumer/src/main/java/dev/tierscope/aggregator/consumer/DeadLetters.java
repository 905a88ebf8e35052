package dev.tierscope.aggregator.consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Where records that cannot be processed go, with the reason; never blocks the loop for long.
 * {@link KafkaDeadLetters} writes them to a topic, {@link InMemoryDeadLetters} (the reference)
 * keeps them; both pass the same contract test.
 */
public interface DeadLetters {

  /** Header carrying the English reason a record was dead-lettered. */
  String ERROR_HEADER = "tierscope.error";

  /** Header naming where the record came from: {@code <topic>-<partition>@<offset>}. */
  String SOURCE_HEADER = "tierscope.source";

  /**
   * Sets the record aside with its original key and value (either may be null).
   *
   * @param error {@code <reason>: <message>}, e.g. {@code invalid: end before start}
   */
  void send(ConsumerRecord<byte[], byte[]> record, String error);

  /** Where a record came from, as {@link #SOURCE_HEADER} says it. */
  static String source(ConsumerRecord<?, ?> record) {
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }
}
