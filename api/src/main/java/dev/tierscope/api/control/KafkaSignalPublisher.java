package dev.tierscope.api.control;

import dev.tierscope.core.control.ControlSignal;
import dev.tierscope.core.control.SignalPublisher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import tools.jackson.databind.json.JsonMapper;

/**
 * Publishes signals to the compacted topic {@code tierscope.control.v1}: key {@code tenant/class}
 * (so compaction keeps each class's latest signal), value the signal's JSON ({@link SignalView}).
 * Waits for the broker's acknowledgement of every record, so that a failed publish fails the round
 * (and is retried by the next one).
 */
final class KafkaSignalPublisher implements SignalPublisher, AutoCloseable {

  private final Supplier<Producer<String, String>> producers;
  private final String topic;
  private final JsonMapper json;
  private final Duration timeout;
  private Producer<String, String> producer;

  /**
   * @param producers makes the producer on first use (so that nothing connects to Kafka before the
   *     first signal)
   */
  KafkaSignalPublisher(
      Supplier<Producer<String, String>> producers,
      String topic,
      JsonMapper json,
      Duration timeout) {
    this.producers = producers;
    this.topic = topic;
    this.json = json;
    this.timeout = timeout;
  }

  @Override
  public synchronized void publish(List<ControlSignal> signals) {
    if (producer == null) {
      producer = producers.get();
    }
    List<Future<RecordMetadata>> sent = new ArrayList<>(signals.size());
    for (ControlSignal s : signals) {
      sent.add(
          producer.send(
              new ProducerRecord<>(topic, s.key(), json.writeValueAsString(SignalView.of(s)))));
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    try {
      for (Future<RecordMetadata> f : sent) {
        f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing control signals", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(
          "publishing " + signals.size() + " control signals to " + topic + " failed: " + e, e);
    }
  }

  @Override
  public synchronized void close() {
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
      producer = null;
    }
  }
}
