package dev.tierscope.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class SharedInfraIT {

  @Test
  void uniqueNamesAreValidForKafkaAndPostgres() {
    String a = TestInfra.uniqueName("Ingest-Spans.v1");
    String b = TestInfra.uniqueName("Ingest-Spans.v1");
    assertThat(a).isNotEqualTo(b).matches("ingest_spans_v1_[a-z0-9]{8}");
    assertThat(TestInfra.uniqueName("9lives")).matches("t9lives_[a-z0-9]{8}");
    assertThat(TestInfra.uniqueName("")).matches("t_[a-z0-9]{8}");
    assertThat(TestInfra.uniqueName("x".repeat(100))).hasSizeLessThanOrEqualTo(63);
  }

  @Test
  void topicIsCreatedAndUsableWithItsOwnGroup() throws Exception {
    String topic = TestInfra.uniqueName("topic");
    String group = TestInfra.uniqueName("group");
    TestInfra.createTopic(topic, 3);
    TestInfra.createTopic(topic, 3); // an existing topic is accepted

    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      var description =
          admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
      assertThat(description.partitions()).hasSize(3);
    }

    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
      producer.send(new ProducerRecord<>(topic, "k", "v")).get(30, TimeUnit.SECONDS);
    }

    List<String> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                TestInfra.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG,
                group,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class,
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                StringDeserializer.class))) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (seen.isEmpty() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          seen.add(r.key() + "=" + r.value());
        }
      }
      consumer.commitSync();
    }
    assertThat(seen).containsExactly("k=v");
  }

  @Test
  void schemasAreSeparate() throws Exception {
    DbSchema one = TestInfra.newSchema();
    DbSchema two = TestInfra.newSchema("other");
    assertThat(one.schema()).isNotEqualTo(two.schema()).startsWith("it_");
    assertThat(one.jdbcUrl()).endsWith("currentSchema=" + one.schema());

    try (Connection c = TestInfra.connect(one);
        Statement s = c.createStatement()) {
      s.execute("create table items(id int)");
      s.execute("insert into items values (1)");
      try (ResultSet rs = s.executeQuery("select current_schema()")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).isEqualTo(one.schema());
      }
    }
    try (Connection c = TestInfra.connect(two);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "select count(*) from information_schema.tables where table_schema = current_schema()")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isZero();
    }
  }

  @Test
  void currentSchemaReplacesAnExistingOne() {
    assertThat(TestInfra.withCurrentSchema("jdbc:postgresql://h/db", "s"))
        .isEqualTo("jdbc:postgresql://h/db?currentSchema=s");
    assertThat(TestInfra.withCurrentSchema("jdbc:postgresql://h/db?ssl=true&currentSchema=x", "s"))
        .isEqualTo("jdbc:postgresql://h/db?ssl=true&currentSchema=s");
  }
}
