package dev.tierscope.aggregator.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.core.assembly.AssemblyConfig;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.store.CheckpointStore;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.store.Migrations;
import dev.tierscope.store.PostgresWindowReader;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import dev.tierscope.wire.v1.SpanEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * What the loop's ITs share: a topic and a dead-letter topic of their own on the shared broker, a
 * fresh schema on the shared PostgreSQL, a producer, loops with the real consumer, and reads of the
 * stored windows and of the dead letters.
 */
final class LoopHarness implements AutoCloseable {

  final String topic;
  final String dlq;
  final String group;
  final String bootstrapServers;
  final HikariDataSource dataSource;
  KafkaProducer<byte[], byte[]> producer;
  private final KafkaProducer<byte[], byte[]> dlqProducer;

  LoopHarness(String name, int partitions) {
    this(name, partitions, TestInfra.bootstrapServers());
  }

  /** On a broker of the test's own ({@code bootstrapServers}), whose topics it creates. */
  LoopHarness(String name, int partitions, String bootstrapServers) {
    topic = TestInfra.uniqueName(name);
    dlq = topic + "_dlq";
    group = TestInfra.uniqueName("group");
    this.bootstrapServers = bootstrapServers;
    if (bootstrapServers.equals(TestInfra.bootstrapServers())) {
      TestInfra.createTopic(topic, partitions);
      TestInfra.createTopic(dlq, 1);
    } else {
      createTopics(partitions);
    }
    DbSchema schema = TestInfra.newSchema(name);
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.jdbcUrl());
    config.setUsername(schema.user());
    config.setPassword(schema.password());
    config.setMaximumPoolSize(3);
    dataSource = new HikariDataSource(config);
    Migrations.migrate(dataSource);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    dlqProducer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** Replaces the producer (one that saw its broker's data wiped keeps failing its sequences). */
  void newProducer() {
    producer.close(Duration.ZERO);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Creates the topic and the dead-letter topic on the harness's own broker (again, once wiped).
   */
  void createTopics(int partitions) {
    try (org.apache.kafka.clients.admin.Admin admin =
        org.apache.kafka.clients.admin.Admin.create(
            Map.of(
                org.apache.kafka.clients.admin.AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers))) {
      admin
          .createTopics(
              List.of(
                  new org.apache.kafka.clients.admin.NewTopic(topic, partitions, (short) 1),
                  new org.apache.kafka.clients.admin.NewTopic(dlq, 1, (short) 1)))
          .all()
          .get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("could not create " + topic + " on " + bootstrapServers, e);
    }
  }

  LoopSettings settings() {
    TrafficClasses classes = TrafficClasses.defaults();
    return new LoopSettings(
        topic,
        group,
        10_000,
        2,
        Duration.ofMillis(300),
        Duration.ofMillis(300),
        Duration.ofMillis(100),
        new AssemblyConfig(
            Duration.ofSeconds(5),
            Duration.ofSeconds(10),
            Duration.ofMinutes(2),
            100_000,
            classes.fallback()),
        classes.all().stream()
            .collect(
                Collectors.toMap(TrafficClass::name, c -> c.objectives().ttftThresholdMicros())));
  }

  /** A new loop on a new consumer of the harness's group. */
  SpanConsumerLoop loop(CheckpointStore store, AggregatorMetrics metrics) {
    return loop(store, metrics, Map.of(), settings());
  }

  /**
   * A new loop on a new consumer of the harness's group, with more consumer properties (a static
   * member's id, short timeouts, the group protocol) and its own settings.
   */
  SpanConsumerLoop loop(
      CheckpointStore store,
      AggregatorMetrics metrics,
      Map<String, Object> consumerProperties,
      LoopSettings settings) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.putAll(consumerProperties);
    return new SpanConsumerLoop(
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
        store,
        new KafkaDeadLetters(dlqProducer, dlq),
        settings,
        Clock.systemUTC(),
        metrics);
  }

  /** Sends every span of the trace, for this tenant. */
  void send(RichTraces.Trace t, String tenant) {
    for (SpanEvent s : t.spans()) {
      producer.send(
          new ProducerRecord<>(
              topic, t.traceId(), s.toBuilder().setTenant(tenant).build().toByteArray()));
    }
  }

  long total(String tenant, Counter counter) {
    PostgresWindowReader reader = new PostgresWindowReader(dataSource, 10);
    long n = 0;
    for (String cls : RichTraces.CLASSES) {
      n +=
          reader
              .counters(tenant, cls, Instant.EPOCH, Instant.now().plusSeconds(3 * 86_400))
              .getOrDefault(CounterKey.of(counter), 0L);
    }
    return n;
  }

  void awaitCounter(String tenant, Counter counter, long n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (total(tenant, counter) < n) {
      assertThat(System.nanoTime())
          .as("%s of %s reached %d", counter, tenant, n)
          .isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  /** The stored counts of every class of {@code tenant} equal the generator's truth, exactly. */
  void assertExact(String tenant, RichTraces gen) {
    PostgresWindowReader reader = new PostgresWindowReader(dataSource, 10);
    for (String cls : RichTraces.CLASSES) {
      RichTraces.Truth t = gen.truth.get(cls);
      Map<CounterKey, Long> c =
          reader.counters(tenant, cls, Instant.EPOCH, Instant.now().plusSeconds(3 * 86_400));
      assertThat(get(c, Counter.REQUESTS)).as("%s %s requests", tenant, cls).isEqualTo(t.requests);
      assertThat(get(c, Counter.PARTIAL)).as("%s %s partial", tenant, cls).isEqualTo(t.partial);
      assertThat(get(c, Counter.STREAMS)).as("%s %s streams", tenant, cls).isEqualTo(t.streams);
      assertThat(get(c, Counter.INTERRUPTED))
          .as("%s %s interrupted", tenant, cls)
          .isEqualTo(t.interrupted);
      assertThat(get(c, Counter.RETRIEVALS))
          .as("%s %s retrievals", tenant, cls)
          .isEqualTo(t.retrievals);
      assertThat(get(c, Counter.RETRIEVAL_FALLBACKS))
          .as("%s %s fallbacks", tenant, cls)
          .isEqualTo(t.fallbacks);
      assertThat(get(c, Counter.TOOL_CHAINS)).as("%s %s chains", tenant, cls).isEqualTo(t.chains);
      assertThat(get(c, Counter.FAILED_CHAINS))
          .as("%s %s failed chains", tenant, cls)
          .isEqualTo(t.failedChains);
      assertThat(get(c, Counter.LATE_SPANS)).as("%s %s late", tenant, cls).isZero();
    }
  }

  private static long get(Map<CounterKey, Long> c, Counter counter) {
    return c.getOrDefault(CounterKey.of(counter), 0L);
  }

  /** The error headers of the dead letters, waiting for at least {@code expected} of them. */
  List<String> deadLetters(int expected) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, TestInfra.uniqueName("dlq"));
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> errors = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(dlq));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (errors.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          errors.add(
              new String(
                  r.headers().lastHeader(DeadLetters.ERROR_HEADER).value(),
                  StandardCharsets.UTF_8));
        }
      }
    }
    return errors;
  }

  @Override
  public void close() {
    producer.close();
    dlqProducer.close();
    dataSource.close();
  }
}
