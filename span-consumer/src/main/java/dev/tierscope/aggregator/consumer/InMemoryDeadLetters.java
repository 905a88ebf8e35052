package dev.tierscope.aggregator.consumer;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * The reference {@link DeadLetters}: keeps the dead letters in memory, in the order sent. It passes
 * the same contract test as {@link KafkaDeadLetters}; tests and benchmarks use it instead of a
 * topic. Thread-safe.
 */
public final class InMemoryDeadLetters implements DeadLetters {

  private final List<DeadLetter> letters = new ArrayList<>();

  @Override
  public synchronized void send(ConsumerRecord<byte[], byte[]> record, String error) {
    letters.add(new DeadLetter(record.key(), record.value(), error, DeadLetters.source(record)));
  }

  /** Every dead letter so far, in the order sent. */
  public synchronized List<DeadLetter> letters() {
    return List.copyOf(letters);
  }
}
