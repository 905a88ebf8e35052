package dev.tierscope.ingest.kafka;

import dev.tierscope.wire.v1.SpanEvent;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

/**
 * Produces each span to the spans topic keyed by its trace id, so all spans of a request land on
 * one partition. The producer is configured with {@code acks=all} and idempotence.
 */
public final class KafkaSpanPublisher implements SpanPublisher {

  private final Producer<byte[], byte[]> producer;
  private final String topic;

  public KafkaSpanPublisher(Producer<byte[], byte[]> producer, String topic) {
    this.producer = producer;
    this.topic = topic;
  }

  @Override
  public CompletableFuture<Void> publish(List<SpanEvent> spans) {
    CompletableFuture<Void> all = new CompletableFuture<>();
    if (spans.isEmpty()) {
      all.complete(null);
      return all;
    }
    AtomicInteger remaining = new AtomicInteger(spans.size());
    try {
      for (SpanEvent span : spans) {
        producer.send(
            new ProducerRecord<>(topic, span.getTraceId().toByteArray(), span.toByteArray()),
            (meta, e) -> {
              if (e != null) {
                all.completeExceptionally(e);
              } else if (remaining.decrementAndGet() == 0) {
                all.complete(null);
              }
            });
      }
    } catch (KafkaException e) {
      // send() throws at once when metadata cannot be fetched or the buffer stays full for
      // max.block.ms: the broker is unreachable or overloaded.
      throw new PublishRejectedException("Kafka did not accept the spans: " + e.getMessage(), e);
    }
    return all;
  }
}
