package dev.tierscope.aggregator;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import dev.tierscope.store.Migrations;
import dev.tierscope.store.PostgresWindowReader;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TcpProxy;
import dev.tierscope.testsupport.TestInfra;
import dev.tierscope.wire.v1.SpanEvent;
import java.net.URI;
import java.nio.file.Files;
import java.time.Instant;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL hung, then down, under a running aggregator JVM, each time for longer than the
 * consumer's {@code max.poll.interval.ms}: the aggregator must end back in its consumer group,
 * reloaded from its last checkpoint, with totals and histograms equal to the ground truth. The
 * database sits behind a TCP proxy the test hangs (no byte moves: a stopped server) and cuts (a
 * server that is down); the timeouts are the aggregator's own, shortened by configuration.
 */
class DatabaseOutageIT {

  private static final int PARTITIONS = 3;
  private static final int MAX_POLL_INTERVAL_MS = 5_000;

  private String topic;
  private String group;
  private DbSchema schema;
  private HikariDataSource dataSource;
  private KafkaProducer<byte[], byte[]> producer;
  private TraceGenerator generator;
  private TcpProxy proxy;
  private AggregatorProcess aggregator;

  @BeforeEach
  void setUp() {
    topic = TestInfra.uniqueName("spans");
    group = TestInfra.uniqueName("aggregator");
    TestInfra.createTopic(topic, PARTITIONS);
    schema = TestInfra.newSchema("db_outage");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.jdbcUrl());
    config.setUsername(schema.user());
    config.setPassword(schema.password());
    config.setMaximumPoolSize(2);
    dataSource = new HikariDataSource(config);
    Migrations.migrate(dataSource);
    URI pg = URI.create(schema.jdbcUrl().substring("jdbc:".length()));
    proxy = TcpProxy.start(pg.getHost(), pg.getPort());
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    long base = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis()) - 300_000_000L;
    generator = new TraceGenerator(11, base);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (aggregator != null) {
      aggregator.close();
    }
    proxy.close();
    producer.close();
    dataSource.close();
  }

  @Test
  void hungThenDownDatabaseLongerThanMaxPollIntervalEndsExact() throws Exception {
    produce(1_500);
    aggregator = start();
    awaitRequestsAtLeast(500);

    proxy.hang();
    long hungAt = requests();
    for (int i = 0; i < 6; i++) {
      produce(250);
      Thread.sleep(2_500); // 15 s in all: three times max.poll.interval.ms
    }
    assertThat(requests()).as("nothing is committed while PostgreSQL hangs").isEqualTo(hungAt);
    proxy.heal();
    produce(500);
    awaitRequestsAtLeast(hungAt + 1);
    System.out.printf(
        "after the hang: %d of %d requests aggregated%n", requests(), generator.total());

    proxy.cut();
    for (int i = 0; i < 4; i++) {
      produce(250);
      Thread.sleep(2_500);
    }
    proxy.heal();
    produce(500);

    awaitExactTotals();
    assertThat(membersWithPartitions()).as("the aggregator is back in its group").isEqualTo(1);
    assertThat(aggregator.isAlive()).isTrue();
    String log = Files.readString(aggregator.log());
    assertThat(log).contains("checkpoint failed, reloading owned partitions");
    assertThat(log).contains("reloaded");
  }

  private AggregatorProcess start() throws Exception {
    Map<String, String> props = new LinkedHashMap<>();
    props.put("spring.main.web-application-type", "none");
    props.put("spring.kafka.bootstrap-servers", TestInfra.bootstrapServers());
    props.put("spring.kafka.consumer.properties.session.timeout.ms", "6000");
    props.put("spring.kafka.consumer.properties.heartbeat.interval.ms", "1000");
    props.put(
        "spring.kafka.consumer.properties.max.poll.interval.ms",
        Integer.toString(MAX_POLL_INTERVAL_MS));
    props.put("spring.datasource.url", proxy.rewriteJdbcUrl(schema.jdbcUrl()));
    props.put("spring.datasource.username", schema.user());
    props.put("spring.datasource.password", schema.password());
    // A call to the hung server ends after 8 s: longer than max.poll.interval.ms, so a checkpoint
    // that hangs keeps the loop from polling for too long, and Kafka throws it out of the group.
    props.put("spring.datasource.hikari.data-source-properties.socketTimeout", "8");
    props.put("tierscope.spans.topic", topic);
    props.put("tierscope.spans.partitions", Integer.toString(PARTITIONS));
    props.put("tierscope.spans.dead-letter-topic", topic + "_dlq");
    props.put("tierscope.aggregator.group", group);
    props.put("tierscope.aggregator.checkpoint-interval", "300ms");
    props.put("tierscope.aggregator.grace", "2s");
    props.put("tierscope.aggregator.idle-advance-after", "500ms");
    return AggregatorProcess.start("db-outage", props);
  }

  private int membersWithPartitions() throws Exception {
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers()))) {
      ConsumerGroupDescription d =
          admin.describeConsumerGroups(List.of(group)).all().get(10, TimeUnit.SECONDS).get(group);
      return (int)
          d.members().stream().filter(m -> !m.assignment().topicPartitions().isEmpty()).count();
    }
  }

  private void produce(int traces) {
    for (int i = 0; i < traces; i++) {
      TraceGenerator.Trace t = generator.next();
      for (SpanEvent span : t.spans()) {
        producer.send(new ProducerRecord<>(topic, t.traceId(), span.toByteArray()));
      }
    }
    producer.flush();
  }

  private long requests() {
    long n = 0;
    PostgresWindowReader reader = new PostgresWindowReader(dataSource, 10);
    for (String c : TraceGenerator.CLASSES) {
      n +=
          reader
              .counters("default", c, Instant.EPOCH, Instant.now().plusSeconds(3600))
              .getOrDefault(CounterKey.of(Counter.REQUESTS), 0L);
    }
    return n;
  }

  private void awaitRequestsAtLeast(long n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (requests() < n) {
      assertThat(System.nanoTime()).as("%d requests aggregated in time", n).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private void awaitExactTotals() throws InterruptedException {
    awaitRequestsAtLeast(generator.total());
    System.out.printf("all %d requests aggregated%n", generator.total());
    // Whatever is still in flight would show up now as a double count.
    Thread.sleep(3_000);
    PostgresWindowReader reader = new PostgresWindowReader(dataSource, 10);
    for (String c : TraceGenerator.CLASSES) {
      Histogram expected = generator.expected(c);
      Histogram actual =
          reader
              .merged(
                  "default",
                  c,
                  EnumSet.of(Metric.TTFT),
                  Instant.EPOCH,
                  Instant.now().plusSeconds(3600))
              .get(Metric.TTFT);
      assertThat(actual.getTotalCount()).as("%s ttft count", c).isEqualTo(expected.getTotalCount());
      for (double q : new double[] {50, 90, 95, 99, 100}) {
        assertThat(actual.getValueAtPercentile(q))
            .as("%s ttft p%s", c, q)
            .isEqualTo(expected.getValueAtPercentile(q));
      }
      assertThat(
              reader
                  .counters("default", c, Instant.EPOCH, Instant.now().plusSeconds(3600))
                  .get(CounterKey.of(Counter.REQUESTS)))
          .as("%s requests", c)
          .isEqualTo(expected.getTotalCount());
    }
  }
}
