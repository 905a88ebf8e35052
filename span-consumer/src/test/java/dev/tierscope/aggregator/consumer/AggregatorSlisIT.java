package dev.tierscope.aggregator.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.protobuf.ByteString;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tierscope.core.assembly.AssemblyConfig;
import dev.tierscope.core.classes.TrafficClass;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.window.Counter;
import dev.tierscope.core.window.CounterKey;
import dev.tierscope.core.window.Metric;
import dev.tierscope.store.Migrations;
import dev.tierscope.store.PostgresCheckpointStore;
import dev.tierscope.store.PostgresWindowReader;
import dev.tierscope.testsupport.DbSchema;
import dev.tierscope.testsupport.TestInfra;
import dev.tierscope.wire.v1.SpanEvent;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every SLI and TTFT component per class, through a real broker and PostgreSQL, from spans that
 * arrive shuffled within and across requests, some requests without their root span, some spans
 * twice, some too late, and some records that cannot be decoded at all.
 */
class AggregatorSlisIT {

  private String topic;
  private String dlq;
  private HikariDataSource dataSource;
  private KafkaProducer<byte[], byte[]> producer;
  private SpanConsumerLoop loop;
  private Thread thread;

  @BeforeEach
  void setUp() {
    topic = TestInfra.uniqueName("spans");
    dlq = topic + "_dlq";
    TestInfra.createTopic(topic, 3);
    TestInfra.createTopic(dlq, 1);
    DbSchema schema = TestInfra.newSchema("slis");
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(schema.jdbcUrl());
    config.setUsername(schema.user());
    config.setPassword(schema.password());
    config.setMaximumPoolSize(2);
    dataSource = new HikariDataSource(config);
    Migrations.migrate(dataSource);
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    producer = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  @AfterEach
  void tearDown() throws Exception {
    if (loop != null) {
      loop.close();
      thread.join(30_000);
    }
    producer.close();
    dataSource.close();
  }

  private void startLoop() {
    TrafficClasses classes = TrafficClasses.defaults();
    LoopSettings settings =
        new LoopSettings(
            topic,
            TestInfra.uniqueName("group"),
            10_000,
            2,
            Duration.ofMillis(200),
            Duration.ofMillis(300),
            Duration.ofMillis(100),
            // Grace covers how far spans of one request are shuffled apart in stream time.
            new AssemblyConfig(
                Duration.ofSeconds(5),
                Duration.ofSeconds(10),
                Duration.ofMinutes(2),
                100_000,
                classes.fallback()),
            classes.all().stream()
                .collect(
                    Collectors.toMap(
                        TrafficClass::name, c -> c.objectives().ttftThresholdMicros())));
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, settings.group());
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Properties dp = new Properties();
    dp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers());
    DeadLetters deadLetters =
        new KafkaDeadLetters(
            new KafkaProducer<>(dp, new ByteArraySerializer(), new ByteArraySerializer()), dlq);
    loop =
        new SpanConsumerLoop(
            new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
            new PostgresCheckpointStore(dataSource),
            deadLetters,
            settings,
            Clock.systemUTC(),
            AggregatorMetrics.NOOP);
    thread = new Thread(loop, "slis-it");
    thread.start();
  }

  @Test
  void everySliAndComponentPerClassMatchesGroundTruth() throws Exception {
    long base = TimeUnit.MILLISECONDS.toMicros(System.currentTimeMillis()) - 600_000_000L;
    RichTraces gen = new RichTraces(3, base);
    Random shuffle = new Random(5);
    List<RichTraces.Trace> batch = new ArrayList<>();
    int duplicates = 0;
    for (int i = 0; i < 4_500; i++) {
      batch.add(gen.next(i % 15 != 0));
      if (batch.size() == 40) {
        duplicates += send(batch, shuffle);
        batch.clear();
      }
    }
    duplicates += send(batch, shuffle);
    // Undecodable and id-less records go to the dead-letter topic and stop nothing.
    producer.send(
        new ProducerRecord<>(topic, new byte[] {1}, "not a span".getBytes(StandardCharsets.UTF_8)));
    producer.send(
        new ProducerRecord<>(
            topic,
            new byte[] {2},
            SpanEvent.newBuilder()
                .setTraceId(ByteString.copyFrom(new byte[3]))
                .build()
                .toByteArray()));
    producer.flush();
    startLoop();

    long total = gen.truth.values().stream().mapToLong(t -> t.requests).sum();
    awaitRequests(total);

    // A span of a new request ending 10 minutes before stream time is late: counted, not assembled.
    RichTraces old = new RichTraces(99, base - 600_000_000L);
    RichTraces.Trace late = old.next(true);
    for (SpanEvent s : late.spans()) {
      producer.send(new ProducerRecord<>(topic, late.traceId(), s.toByteArray()));
    }
    producer.flush();
    awaitCounter(Counter.LATE_SPANS, late.spans().size());
    Thread.sleep(1_000);

    PostgresWindowReader reader = new PostgresWindowReader(dataSource, 10);
    Instant from = Instant.EPOCH;
    Instant to = Instant.now().plusSeconds(3600);
    long lateSeen = 0;
    long duplicatesSeen = 0;
    for (String cls : RichTraces.CLASSES) {
      RichTraces.Truth t = gen.truth.get(cls);
      Map<CounterKey, Long> c = reader.counters("default", cls, from, to);
      Map<Metric, Histogram> h =
          reader.merged("default", cls, EnumSet.allOf(Metric.class), from, to);
      assertThat(count(c, Counter.REQUESTS)).as("%s requests", cls).isEqualTo(t.requests);
      assertThat(count(c, Counter.PARTIAL)).as("%s partial", cls).isEqualTo(t.partial);
      assertThat(count(c, Counter.STREAMS)).isEqualTo(t.streams);
      assertThat(count(c, Counter.INTERRUPTED)).isEqualTo(t.interrupted);
      assertThat(count(c, Counter.CANCELLED)).isEqualTo(t.cancelled);
      assertThat(count(c, Counter.RETRIEVALS)).isEqualTo(t.retrievals);
      assertThat(count(c, Counter.RETRIEVAL_MISSES)).isEqualTo(t.misses);
      assertThat(count(c, Counter.RETRIEVAL_FALLBACKS)).isEqualTo(t.fallbacks);
      assertThat(count(c, Counter.TOOL_CHAINS)).isEqualTo(t.chains);
      assertThat(count(c, Counter.FAILED_CHAINS)).isEqualTo(t.failedChains);
      assertThat(count(c, Counter.EDGE_UNKNOWN)).as("%s edge unknown", cls).isEqualTo(t.partial);
      t.inputTokens.forEach(
          (wf, n) ->
              assertThat(c.get(new CounterKey(Counter.INPUT_TOKENS, wf))).as(wf).isEqualTo(n));
      t.outputTokens.forEach(
          (wf, n) ->
              assertThat(c.get(new CounterKey(Counter.OUTPUT_TOKENS, wf))).as(wf).isEqualTo(n));
      assertPercentiles(cls + " ttft", h.get(Metric.TTFT), t.ttft);
      assertPercentiles(cls + " edge", h.get(Metric.EDGE), t.edge);
      assertPercentiles(cls + " mesh", h.get(Metric.MESH), t.mesh);
      assertPercentiles(cls + " model", h.get(Metric.MODEL), t.model);
      assertPercentiles(cls + " queue", h.get(Metric.MODEL_QUEUE), t.queue);
      assertPercentiles(cls + " toolchain", h.get(Metric.TOOLCHAIN), t.toolchain);
      lateSeen += count(c, Counter.LATE_SPANS);
      duplicatesSeen += count(c, Counter.DUPLICATE_SPANS);
    }
    assertThat(lateSeen).isEqualTo(late.spans().size());
    assertThat(duplicatesSeen).isEqualTo(duplicates);
    assertThat(deadLetters()).hasSize(2).allSatisfy(e -> assertThat(e).isNotBlank());
  }

  /** Sends a batch shuffled across and within requests, resending a few spans (retries). */
  private int send(List<RichTraces.Trace> batch, Random shuffle) {
    record Item(byte[] key, SpanEvent span) {}
    List<Item> items = new ArrayList<>();
    int dup = 0;
    for (RichTraces.Trace t : batch) {
      for (SpanEvent s : t.spans()) {
        items.add(new Item(t.traceId(), s));
      }
      if (shuffle.nextInt(20) == 0) {
        items.add(new Item(t.traceId(), t.spans().get(0)));
        dup++;
      }
    }
    Collections.shuffle(items, shuffle);
    for (Item i : items) {
      producer.send(new ProducerRecord<>(topic, i.key(), i.span().toByteArray()));
    }
    return dup;
  }

  private static void assertPercentiles(String what, Histogram h, List<Long> values) {
    assertThat(h.getTotalCount()).as("%s count", what).isEqualTo(values.size());
    if (values.isEmpty()) {
      return;
    }
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    for (double q : new double[] {50, 95, 99}) {
      long exact = sorted.get(Math.max(0, (int) Math.ceil(q / 100 * sorted.size()) - 1));
      assertThat((double) h.getValueAtPercentile(q))
          .as("%s p%s", what, q)
          .isCloseTo(exact, within(exact * 0.01 + 1));
    }
  }

  private static long count(Map<CounterKey, Long> c, Counter counter) {
    return c.getOrDefault(CounterKey.of(counter), 0L);
  }

  private long total(Counter counter) {
    PostgresWindowReader reader = new PostgresWindowReader(dataSource, 10);
    long n = 0;
    for (String cls : RichTraces.CLASSES) {
      n +=
          count(
              reader.counters("default", cls, Instant.EPOCH, Instant.now().plusSeconds(3600)),
              counter);
    }
    return n;
  }

  private void awaitRequests(long n) throws InterruptedException {
    awaitCounter(Counter.REQUESTS, n);
  }

  private void awaitCounter(Counter counter, long n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (total(counter) < n) {
      assertThat(System.nanoTime()).as("%s reached %d", counter, n).isLessThan(deadline);
      Thread.sleep(200);
    }
  }

  private List<String> deadLetters() {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestInfra.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, TestInfra.uniqueName("dlq"));
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<String> errors = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(dlq));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (errors.size() < 2 && System.nanoTime() < deadline) {
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
}
