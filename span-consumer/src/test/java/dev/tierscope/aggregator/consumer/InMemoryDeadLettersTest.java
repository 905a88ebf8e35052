package dev.tierscope.aggregator.consumer;

import java.util.List;

class InMemoryDeadLettersTest extends DeadLettersContract {

  @Override
  DeadLetters deadLetters() {
    return new InMemoryDeadLetters();
  }

  @Override
  List<DeadLetter> read(DeadLetters deadLetters, int expected) {
    return ((InMemoryDeadLetters) deadLetters).letters();
  }
}
