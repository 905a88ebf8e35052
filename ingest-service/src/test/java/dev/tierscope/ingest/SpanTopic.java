package dev.tierscope.ingest;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.tierscope.wire.v1.SpanEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads what the ingest produced: a plain consumer on every partition of the test's own topic, from
 * the beginning, decoding each value as a {@link SpanEvent}. Keeps everything it has read.
 */
final class SpanTopic implements AutoCloseable {

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final List<SpanEvent> seen = new ArrayList<>();

  SpanTopic(String bootstrapServers, String topic) {
    consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest"));
    List<TopicPartition> partitions = new ArrayList<>();
    consumer
        .partitionsFor(topic, Duration.ofSeconds(30))
        .forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
  }

  /**
   * Waits until at least {@code expected} spans match, then reads on for {@code settle} to catch
   * any extra ones; returns every match, in topic order per partition.
   */
  synchronized List<SpanEvent> await(
      Predicate<SpanEvent> filter, int expected, Duration timeout, Duration settle) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (matching(filter).size() < expected && System.nanoTime() < deadline) {
      poll(Duration.ofMillis(100));
    }
    long settleUntil = System.nanoTime() + settle.toNanos();
    while (System.nanoTime() < settleUntil) {
      poll(Duration.ofMillis(50));
    }
    return matching(filter);
  }

  /** Spans of one trace: waits for {@code expected}, then 300 ms more for extras. */
  List<SpanEvent> trace(ByteString traceId, int expected) {
    return await(
        e -> e.getTraceId().equals(traceId),
        expected,
        Duration.ofSeconds(30),
        Duration.ofMillis(300));
  }

  /** As {@link #trace(ByteString, int)}, for a hex trace id. */
  List<SpanEvent> trace(String traceIdHex, int expected) {
    return trace(ByteString.copyFrom(HexFormat.of().parseHex(traceIdHex)), expected);
  }

  /** Everything read so far after polling for {@code settle}. */
  synchronized List<SpanEvent> all(Duration settle) {
    return await(e -> true, 0, Duration.ZERO, settle);
  }

  private List<SpanEvent> matching(Predicate<SpanEvent> filter) {
    List<SpanEvent> out = new ArrayList<>();
    for (SpanEvent e : seen) {
      if (filter.test(e)) {
        out.add(e);
      }
    }
    return out;
  }

  private void poll(Duration timeout) {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
      try {
        SpanEvent event = SpanEvent.parseFrom(r.value());
        if (!ByteString.copyFrom(r.key()).equals(event.getTraceId())) {
          throw new AssertionError("record key is not the span's trace id: " + event);
        }
        seen.add(event);
      } catch (InvalidProtocolBufferException e) {
        throw new AssertionError("the topic holds a value that is not a SpanEvent", e);
      }
    }
  }

  @Override
  public synchronized void close() {
    consumer.close();
  }
}
