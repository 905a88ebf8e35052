package dev.tierscope.aggregator.consumer;

import dev.tierscope.testsupport.TestInfra;
import java.nio.charset.StandardCharsets;
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
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;

/**
 * The dead-letter contract on a real broker: a topic of one partition, read back from the start.
 */
class KafkaDeadLettersIT extends DeadLettersContract {

  private final Map<DeadLetters, String> topics = new IdentityHashMap<>();
  private final List<KafkaProducer<byte[], byte[]>> producers = new ArrayList<>();

  @AfterEach
  void closeProducers() {
    producers.forEach(p -> p.close(Duration.ofSeconds(5)));
  }

  @Override
  DeadLetters deadLetters() {
    String topic = TestInfra.uniqueName("dlq");
    TestInfra.createTopic(topic, 1);
    KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestInfra.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all"),
            new ByteArraySerializer(),
            new ByteArraySerializer());
    producers.add(producer);
    KafkaDeadLetters dlq = new KafkaDeadLetters(producer, topic);
    topics.put(dlq, topic);
    return dlq;
  }

  @Override
  List<DeadLetter> read(DeadLetters deadLetters, int expected) {
    TopicPartition partition = new TopicPartition(topics.get(deadLetters), 0);
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(
            Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer())) {
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      List<DeadLetter> out = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(
              new DeadLetter(
                  r.key(),
                  r.value(),
                  header(r, DeadLetters.ERROR_HEADER),
                  header(r, DeadLetters.SOURCE_HEADER)));
        }
      }
      return out;
    }
  }

  private static String header(ConsumerRecord<byte[], byte[]> r, String name) {
    Header h = r.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }
}
