package dev.tierscope.aggregator;

import dev.tierscope.aggregator.consumer.AggregatorMetrics;
import dev.tierscope.aggregator.consumer.DeadLetters;
import dev.tierscope.aggregator.consumer.KafkaDeadLetters;
import dev.tierscope.aggregator.consumer.LoopSettings;
import dev.tierscope.aggregator.consumer.SpanConsumerLoop;
import dev.tierscope.core.assembly.AssemblyConfig;
import dev.tierscope.core.classes.TrafficClasses;
import dev.tierscope.core.store.CheckpointStore;
import dev.tierscope.store.PostgresCheckpointStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;

/**
 * Wires the span-consumer library from {@code tierscope.aggregator.*}: its consumer loops on Boot's
 * Kafka factories, the PostgreSQL checkpoint store, the Kafka dead letters and the Micrometer
 * meters. Nothing here decides anything about spans.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({AggregatorProperties.class, AggregatorHealthProperties.class})
class AggregatorConfiguration {

  @Bean
  NewTopic spansTopic(AggregatorProperties p) {
    return new NewTopic(p.topic(), p.partitions(), p.replicationFactor());
  }

  @Bean
  NewTopic deadLetterTopic(AggregatorProperties p) {
    return new NewTopic(p.deadLetterTopic(), 1, p.replicationFactor());
  }

  /** Checks the spans topic's durability once the context is up (after KafkaAdmin created it). */
  @Bean
  org.springframework.boot.ApplicationRunner topicDurabilityCheck(
      AggregatorProperties p, org.springframework.kafka.core.KafkaAdmin kafkaAdmin) {
    return args -> {
      try (org.apache.kafka.clients.admin.Admin admin =
          org.apache.kafka.clients.admin.Admin.create(kafkaAdmin.getConfigurationProperties())) {
        TopicDurability.check(admin, p.topic(), p.durabilityCheck().equals("strict"));
      }
    };
  }

  @Bean
  CheckpointStore checkpointStore(DataSource dataSource) {
    return new PostgresCheckpointStore(dataSource);
  }

  @Bean
  AggregatorMetrics aggregatorMetrics(MeterRegistry registry) {
    return new MicrometerAggregatorMetrics(registry);
  }

  @Bean
  ConsumerLoops consumerLoops(
      AggregatorProperties p,
      TrafficClasses classes,
      ConsumerFactory<?, ?> consumerFactory,
      ProducerFactory<?, ?> producerFactory,
      CheckpointStore store,
      AggregatorMetrics metrics,
      MeterRegistry registry) {
    LoopSettings settings =
        new LoopSettings(
            p.topic(),
            p.group(),
            p.window().toMillis(),
            p.significantDigits(),
            p.checkpointInterval(),
            p.idleAdvanceAfter(),
            p.pollTimeout(),
            new AssemblyConfig(
                p.grace(),
                p.maxAge(),
                p.allowedLateness(),
                p.maxInFlight(),
                classes.fallback(),
                classes.rules()),
            classes.all().stream()
                .collect(
                    java.util.stream.Collectors.toMap(
                        c -> c.name(), c -> c.objectives().ttftThresholdMicros())));
    @SuppressWarnings("unchecked")
    Producer<byte[], byte[]> dlqProducer =
        (Producer<byte[], byte[]>) producerFactory.createProducer();
    DeadLetters deadLetters = new KafkaDeadLetters(dlqProducer, p.deadLetterTopic());
    Map<String, Object> consumerProps =
        new java.util.HashMap<>(consumerFactory.getConfigurationProperties());
    consumerProps.put(ConsumerConfig.GROUP_ID_CONFIG, p.group());
    consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    consumerProps.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    consumerProps.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    consumerProps.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    List<SpanConsumerLoop> loops = new ArrayList<>();
    for (int i = 0; i < p.consumers(); i++) {
      Map<String, Object> props = new java.util.HashMap<>(consumerProps);
      if (!p.instanceId().isBlank()) {
        // Static membership: a restarted instance takes its partitions back at once, without
        // waiting for its previous member's session to expire and without a rebalance.
        props.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, p.instanceId() + "-" + i);
      }
      Consumer<byte[], byte[]> consumer =
          new DefaultKafkaConsumerFactory<byte[], byte[]>(props).createConsumer(p.group(), "-" + i);
      loops.add(
          new SpanConsumerLoop(consumer, store, deadLetters, settings, Clock.systemUTC(), metrics));
    }
    Gauge.builder(
            "tierscope.aggregator.requests.inflight",
            loops,
            l -> l.stream().mapToInt(SpanConsumerLoop::inFlight).sum())
        .register(registry);
    Gauge.builder(
            "tierscope.aggregator.requests.overflowed",
            loops,
            l -> l.stream().mapToLong(SpanConsumerLoop::overflowed).sum())
        .description("requests emitted as partial because the in-flight cap was reached")
        .register(registry);
    ConsumerLoops consumerLoops = new ConsumerLoops(loops, dlqProducer);
    Gauge.builder(
            "tierscope.aggregator.lag.records",
            consumerLoops,
            c -> c.views().stream().mapToLong(v -> v.status().lagRecords()).sum())
        .description("records behind the end of the owned partitions")
        .register(registry);
    Gauge.builder(
            "tierscope.aggregator.lag.seconds",
            consumerLoops,
            c -> c.views().stream().mapToLong(v -> v.status().lagMillis()).max().orElse(0) / 1000.0)
        .description("age of the records being read on the partition furthest behind")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder(
            "tierscope.aggregator.checkpoint.age",
            consumerLoops,
            c -> {
              long now = System.currentTimeMillis();
              return c.views().stream()
                      .mapToLong(v -> v.status().checkpointAgeMillis(now))
                      .max()
                      .orElse(0)
                  / 1000.0;
            })
        .description("time since the oldest last successful checkpoint of the loops")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder(
            "tierscope.aggregator.partitions.owned",
            consumerLoops,
            c -> c.views().stream().mapToInt(v -> v.status().ownedPartitions()).sum())
        .description("partitions claimed and loaded from their checkpoint")
        .register(registry);
    Gauge.builder(
            "tierscope.aggregator.reloading",
            consumerLoops,
            c -> c.views().stream().filter(v -> v.status().reloading()).count())
        .description("loops waiting to reload their partitions from the store")
        .register(registry);
    return consumerLoops;
  }

  @Bean
  AggregatorHealth aggregatorHealth(ConsumerLoops loops, AggregatorHealthProperties limits) {
    return new AggregatorHealth(loops::views, loops::isRunning, limits, Clock.systemUTC());
  }

  @Bean
  org.springframework.boot.health.contributor.HealthIndicator aggregatorLoops(
      AggregatorHealth health) {
    return health.liveness();
  }

  @Bean
  org.springframework.boot.health.contributor.HealthIndicator aggregatorPartitions(
      AggregatorHealth health) {
    return health.readiness();
  }

  /** Starts the loops on their own threads after the context is up; stops them on shutdown. */
  static final class ConsumerLoops implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(ConsumerLoops.class);
    private final List<SpanConsumerLoop> loops;
    private final Producer<byte[], byte[]> dlqProducer;
    private final List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean running;

    ConsumerLoops(List<SpanConsumerLoop> loops, Producer<byte[], byte[]> dlqProducer) {
      this.loops = loops;
      this.dlqProducer = dlqProducer;
    }

    @Override
    public void start() {
      for (int i = 0; i < loops.size(); i++) {
        Thread t = new Thread(loops.get(i), "tierscope-aggregator-" + i);
        t.setUncaughtExceptionHandler(
            (th, e) -> log.error("aggregator loop {} died", th.getName(), e));
        t.start();
        threads.add(t);
      }
      running = true;
    }

    /** Each loop's last status and whether its thread is alive; any thread. */
    List<AggregatorHealth.LoopView> views() {
      List<AggregatorHealth.LoopView> out = new ArrayList<>(loops.size());
      for (int i = 0; i < loops.size(); i++) {
        Thread t = i < threads.size() ? threads.get(i) : null;
        out.add(
            new AggregatorHealth.LoopView(
                "tierscope-aggregator-" + i, loops.get(i).status(), t != null && t.isAlive()));
      }
      return out;
    }

    @Override
    public void stop() {
      loops.forEach(SpanConsumerLoop::close);
      dlqProducer.close();
      running = false;
    }

    @Override
    public boolean isRunning() {
      return running;
    }
  }
}
