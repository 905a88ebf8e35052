package dev.tierscope.aggregator.consumer;

import java.util.ArrayList;
import java.util.List;

/**
 * The reference {@link DeadLetters}: keeps the dead letters in memory, in the order sent. It passes
 * the same contract test as {@link KafkaDeadLetters}; tests and benchmarks use it instead of a
 * topic. Thread-safe.
 */
public final class InMemoryDeadLetters implements DeadLetters {

  private final List<DeadLetter> letters = new ArrayList<>();

  @Override
  public synchronized void send(DeadLetter letter) {
    letters.add(letter);
  }

  /** Every dead letter so far, in the order sent. */
  public synchronized List<DeadLetter> letters() {
    return List.copyOf(letters);
  }
}
