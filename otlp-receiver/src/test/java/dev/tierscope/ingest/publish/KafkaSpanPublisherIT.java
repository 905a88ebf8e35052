package dev.tierscope.ingest.publish;

import dev.tierscope.testsupport.TestInfra;
import dev.tierscope.wire.SpanBytesDecoder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;

/** The publisher contract on a real broker, with the ingest's producer settings. */
class KafkaSpanPublisherIT extends SpanPublisherContract {

  private static final int PARTITIONS = 3;

  private final Map<SpanPublisher, String> topics = new IdentityHashMap<>();
  private final Map<SpanPublisher, KafkaProducer<byte[], byte[]>> producers =
      new IdentityHashMap<>();

  @AfterEach
  void closeProducers() {
    producers.values().forEach(p -> p.close(Duration.ofSeconds(5)));
  }

  @Override
  SpanPublisher publisher(long maxInFlightBytes, int maxRecordBytes) {
    String topic = TestInfra.uniqueName("publisher");
    TestInfra.createTopic(topic, PARTITIONS);
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestInfra.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                true,
                ProducerConfig.LINGER_MS_CONFIG,
                5,
                ProducerConfig.COMPRESSION_TYPE_CONFIG,
                "lz4",
                ProducerConfig.MAX_BLOCK_MS_CONFIG,
                2_000,
                ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                maxRecordBytes),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    KafkaSpanPublisher publisher = new KafkaSpanPublisher(producer, topic, maxInFlightBytes);
    topics.put(publisher, topic);
    producers.put(publisher, producer);
    return publisher;
  }

  @Override
  List<Published> published(SpanPublisher publisher, int expected) {
    String topic = topics.get(publisher);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestInfra.bootstrapServers(),
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) {
        partitions.add(new TopicPartition(topic, p));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      List<Published> out = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(new Published(r.key(), SpanBytesDecoder.SPAN_EVENT_V1.decode(r.value())));
        }
      }
      // Nothing more than what was published: give stragglers a last chance to show up.
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
        out.add(new Published(r.key(), SpanBytesDecoder.SPAN_EVENT_V1.decode(r.value())));
      }
      return out;
    }
  }

  @Override
  void makeUnavailable(SpanPublisher publisher) {
    producers.get(publisher).close(Duration.ofSeconds(5));
  }
}
