package dev.tierscope.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerIT {

  @TempDir Path tmp;

  @Test
  void producesConsumesAndKeepsDataAcrossRestart() throws Exception {
    Path dataDir = tmp.resolve("kafka");
    try (KafkaBroker broker = KafkaBroker.builder().dataDir(dataDir).build()) {
      assertThat(broker.isRunning()).isFalse();
      long t0 = System.nanoTime();
      broker.start();
      long firstStartMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(broker.isRunning()).isTrue();
      assertThat(broker.bootstrapServers()).isEqualTo("127.0.0.1:" + broker.port());
      assertThat(dataDir.resolve("kraft-logs/meta.properties")).exists();

      String topic = "restart-check";
      try (Admin admin =
          Admin.create(
              Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
        admin
            .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
            .all()
            .get(30, TimeUnit.SECONDS);
        assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains(topic);
      }
      produce(broker, topic, "k1", "hello");
      assertThat(consumeAll(broker, topic, 1)).containsExactly("k1=hello");

      t0 = System.nanoTime();
      broker.stop();
      long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(broker.isRunning()).isFalse();

      t0 = System.nanoTime();
      broker.start();
      long restartMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      assertThat(broker.isRunning()).isTrue();
      produce(broker, topic, "k2", "again");
      assertThat(consumeAll(broker, topic, 2)).containsExactly("k1=hello", "k2=again");

      System.out.printf(
          "first start %d ms, graceful stop %d ms, restart %d ms%n",
          firstStartMs, stopMs, restartMs);
    }
    // a data directory we chose is kept
    assertThat(dataDir.resolve("server.properties")).exists();
  }

  @Test
  void temporaryDataDirIsDeletedOnCloseAndKillIsRecoverable() throws Exception {
    Path dataDir;
    // after a kill the restarted controller waits for the old registration's session to expire
    try (KafkaBroker broker =
        KafkaBroker.builder()
            .property("broker.heartbeat.interval.ms", "500")
            .property("broker.session.timeout.ms", "2000")
            .build()) {
      dataDir = broker.dataDir();
      broker.start();
      assertThat(Files.readString(dataDir.resolve("server.properties")))
          .contains("broker.session.timeout.ms=2000");
      broker.kill();
      assertThat(broker.isRunning()).isFalse();
      long t0 = System.nanoTime();
      broker.start();
      System.out.printf(
          "restart after kill %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      assertThat(broker.isRunning()).isTrue();
    }
    assertThat(Files.exists(dataDir)).isFalse();
  }

  private static void produce(KafkaBroker broker, String topic, String key, String value)
      throws Exception {
    Map<String, Object> config =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(config)) {
      producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS);
    }
  }

  private static List<String> consumeAll(KafkaBroker broker, String topic, int expected) {
    Map<String, Object> config =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.bootstrapServers(),
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class,
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
            false);
    List<String> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
      // no group: assign the partition directly, which keeps the test quick
      var partitions =
          consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
              .map(p -> new TopicPartition(p.topic(), p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (seen.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          seen.add(r.key() + "=" + r.value());
        }
      }
    }
    return seen;
  }
}
