package dev.tierscope.core.control;

import java.util.List;

/**
 * Where the control leader sends signals besides the store: the compacted Kafka topic for gateways
 * in the mesh. Called only by the leader, after the signals were saved.
 */
@FunctionalInterface
public interface SignalPublisher {

  /** Does nothing; for deployments without a topic. */
  SignalPublisher NONE = signals -> {};

  /**
   * Publishes {@code signals}.
   *
   * @throws RuntimeException when they could not be sent; the round reports it and sends them again
   *     at the next round
   */
  void publish(List<ControlSignal> signals);
}
