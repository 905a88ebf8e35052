package dev.tierscope.aggregator.consumer;

import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Where what cannot be processed goes, with the reason; never blocks the loop for long. Mostly
 * records (undecodable, invalid, out of the time bounds), also what the loop had to leave out of a
 * checkpoint because of its data (a request it could not snapshot, a window delta the store
 * refused), so that every loss is visible in one place. {@link KafkaDeadLetters} writes them to a
 * topic, {@link InMemoryDeadLetters} (the reference) keeps them; both pass the same contract test.
 */
public interface DeadLetters {

  /** Header carrying the English reason a record was dead-lettered. */
  String ERROR_HEADER = "tierscope.error";

  /**
   * Header naming where the record came from: {@code <topic>-<partition>@<offset>}, or {@code
   * checkpoint <topic>-<partitions>} for what a checkpoint left out.
   */
  String SOURCE_HEADER = "tierscope.source";

  /** Sets a dead letter aside: its key and value (either may be null), error and source. */
  void send(DeadLetter letter);

  /**
   * Sets the record aside with its original key and value (either may be null).
   *
   * @param error {@code <reason>: <message>}, e.g. {@code invalid: end before start}
   */
  default void send(ConsumerRecord<byte[], byte[]> record, String error) {
    send(new DeadLetter(record.key(), record.value(), error, source(record)));
  }

  /** Where a record came from, as {@link #SOURCE_HEADER} says it. */
  static String source(ConsumerRecord<?, ?> record) {
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }
}
