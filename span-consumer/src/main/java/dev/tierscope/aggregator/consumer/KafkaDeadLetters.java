package dev.tierscope.aggregator.consumer;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Dead letters on {@code tierscope.spans.dlq.v1}: the original key and value, the error header. */
public final class KafkaDeadLetters implements DeadLetters {

  private static final Logger log = LoggerFactory.getLogger(KafkaDeadLetters.class);

  private final Producer<byte[], byte[]> producer;
  private final String topic;

  public KafkaDeadLetters(Producer<byte[], byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  @Override
  public void send(DeadLetter letter) {
    ProducerRecord<byte[], byte[]> out =
        new ProducerRecord<>(topic, null, letter.key(), letter.value());
    out.headers().add(ERROR_HEADER, letter.error().getBytes(StandardCharsets.UTF_8));
    out.headers().add(SOURCE_HEADER, letter.source().getBytes(StandardCharsets.UTF_8));
    producer.send(
        out,
        (meta, e) -> {
          if (e != null) {
            log.warn("could not dead-letter {}: {}", letter.source(), e.toString());
          }
        });
  }
}
